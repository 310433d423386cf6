"""The task-dispatch port: how committed sub-tasks reach a worker. Embedded: a thread pool in the server."""

from __future__ import annotations

from typing import Protocol


class Dispatcher(Protocol):
    def submitted(self, sub_task_ids: list[str]) -> None:
        """Called after the transaction that created these sub-tasks committed."""
        ...
