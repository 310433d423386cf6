"""The embedded dispatcher: a pool of threads inside `cloudinv serve` that claim pending sub-tasks straight
from the database. `submitted()` only wakes them; the table is the queue, so nothing is lost in a crash."""

from __future__ import annotations

import logging
import os
import socket
import threading

from cloudinv.collection.runner import SubTaskRunner

log = logging.getLogger(__name__)


class InlinePool:
    def __init__(self, runner: SubTaskRunner, size: int = 4, idle_poll: float = 1.0) -> None:
        self.runner = runner
        self.size = size
        self.idle_poll = idle_poll
        self._wake = threading.Condition()
        self._pending_signal = 0
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def submitted(self, sub_task_ids: list[str]) -> None:
        with self._wake:
            self._pending_signal += len(sub_task_ids)
            self._wake.notify(len(sub_task_ids))

    def start(self) -> None:
        prefix = f"{socket.gethostname()}:{os.getpid()}"
        for index in range(self.size):
            thread = threading.Thread(target=self._work, args=(f"{prefix}:{index}",), name=f"runner-{index}")
            thread.daemon = True
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def _work(self, worker: str) -> None:
        while not self._stopping.is_set():
            try:
                ran = self.runner.run_next(worker)
            except Exception:
                log.exception("runner %s failed to take a sub-task", worker)
                ran = False
            if not ran:
                self._idle()

    def _idle(self) -> None:
        with self._wake:
            if self._pending_signal == 0:
                self._wake.wait(self.idle_poll)
            self._pending_signal = max(0, self._pending_signal - 1)
