"""`cloudinv worker`: a Celery worker whose one task runs a sub-task with `SubTaskRunner.run`.

The default pool is prefork. Ingestion is Python work (classifying, matching, JSON) that holds the GIL, so
processes are what use more than one core; a plugin that crashes, leaks or wedges its interpreter takes down one
child, which the parent replaces and whose message it requeues (`task_reject_on_worker_lost`). `--pool threads`
is there for plugins that mostly wait on the network. Each child builds its own runner (and database engine) on
its first task, after the fork: connections must never be shared across processes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import warnings
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.exceptions import CPendingDeprecationWarning
from celery.signals import worker_process_init

from cloudinv.collection.runner import SubTaskRunner
from cloudinv.dispatch.celery_app import TASK_NAME
from cloudinv.domain.errors import ERROR_UNAVAILABLE

log = logging.getLogger(__name__)

# While the database is away a delivery is retried with backoff (1, 2, 4 ... 30 s) this many times; after that
# the message is dropped and the outbox relay sends the sub-task again once the database is back.
DATABASE_RETRIES = 20


class PerProcess:
    """A runner built lazily once per process (and per fork), shared by that process's threads."""

    def __init__(self, factory: Callable[[], SubTaskRunner]) -> None:
        self.factory = factory
        self._lock = threading.Lock()
        self._pid = -1
        self._runner: SubTaskRunner | None = None

    def get(self) -> SubTaskRunner:
        with self._lock:
            if self._runner is None or self._pid != os.getpid():
                self._runner, self._pid = self.factory(), os.getpid()
            return self._runner


def register_task(app: Celery, runners: PerProcess) -> Any:
    """Register `cloudinv.run_sub_task` on `app`; the task object. Prefork children build their runner as they
    start, so that the first sub-task each one runs does not wait for it."""
    worker_process_init.connect(lambda **_: runners.get(), weak=False)

    def run_sub_task(task: Any, sub_task_id: str) -> None:
        worker = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        try:
            runners.get().run(sub_task_id, worker)
        except ERROR_UNAVAILABLE as exc:
            # An attempt it had claimed is left IN_PROGRESS and is taken over once its heartbeat is stale.
            log.warning("sub-task %s: %s; retrying", sub_task_id, exc.message)
            raise task.retry(countdown=min(30, 2**task.request.retries), max_retries=DATABASE_RETRIES) from None

    return app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)(run_sub_task)


def run_worker(app: Celery, queues: list[str], concurrency: int, pool: str, loglevel: str = "INFO") -> None:
    """Run the worker in this process until it is stopped (SIGTERM: warm shutdown)."""
    # Celery warns at every broker reconnect that worker_cancel_long_running_tasks_on_connection_loss will
    # default to True in Celery 6; it is set explicitly (celery_app.py says why), so the warning is noise.
    warnings.filterwarnings("ignore", category=CPendingDeprecationWarning, module="celery.worker.consumer")
    argv = [
        "worker", f"--loglevel={loglevel}", f"--queues={','.join(queues)}", f"--concurrency={concurrency}",
        f"--pool={pool}", f"--hostname=cloudinv-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    app.worker_main(argv=argv)
