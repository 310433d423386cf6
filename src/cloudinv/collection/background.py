"""A function run every N seconds on a daemon thread until stopped: the embedded reaper and scheduler."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from cloudinv.domain.errors import ERROR_UNAVAILABLE

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, interval: float, action: Callable[[], Any]) -> None:
        self.name = name
        self.interval = interval
        self.action = action
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.action()
            except ERROR_UNAVAILABLE as exc:  # an outage, not a defect: one line a round, no traceback
                log.warning("%s: %s", self.name, exc.message)
            except Exception:  # a failed round is logged and retried next round; the thread must live on
                log.exception("%s failed", self.name)
            self._stop.wait(self.interval)
