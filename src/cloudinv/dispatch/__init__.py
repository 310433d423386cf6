"""The task-dispatch port: how committed sub-tasks reach a worker. Embedded: a thread pool in the server
(inline.py); distributed: the outbox drained into a Celery broker (outbox.py, celery_app.py, worker.py)."""

from __future__ import annotations

from typing import Protocol


class Dispatcher(Protocol):
    def submitted(self, sub_task_ids: list[str]) -> None:
        """Called after the transaction that created these sub-tasks committed."""
        ...
