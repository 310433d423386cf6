"""Who a running sub-task works for: the ids ingestion and the task's lifecycle need."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskContext:
    """What ingestion needs to know about the sub-task it serves."""

    job_id: str
    job_task_id: str
    sub_task_id: str
    domain_id: str
    workspace_id: str
    collector_id: str
    secret_id: str | None
    provider: str | None
    project_id: str | None
    service_account_id: str | None
