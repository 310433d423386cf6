"""The extensions beyond the reference: cancel a running job, watch a job until it ends."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from cloudinv.domain.auth import Scope
from cloudinv.domain.counts import TaskError
from cloudinv.domain.job import TERMINAL_JOB_STATUSES, JobStatus
from cloudinv.services.job_tasks import job_task_view
from cloudinv.services.jobs import JobService, required
from cloudinv.store import lifecycle
from cloudinv.store.job_tasks import JobTaskRepository

CANCELED_BY_REQUEST = TaskError("ERROR_COLLECT_CANCELED", "the job was canceled")


class JobControlService:
    def __init__(
        self,
        jobs: JobService,
        tasks: JobTaskRepository,
        poll_interval: float = 0.2,
        on_finished: lifecycle.OnFinished | None = None,
    ) -> None:
        self.jobs = jobs
        self.tasks = tasks
        self.poll_interval = poll_interval
        self.on_finished = on_finished

    def cancel(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        """IN_PROGRESS -> CANCELED; a job already ended is returned as it is."""
        job = self.jobs.get(scope, request)
        scope.require_write_on(job["workspace_id"])
        with self.jobs.repo.db.begin() as conn:
            finished = lifecycle.abort_job(conn, job["job_id"], JobStatus.CANCELED, CANCELED_BY_REQUEST)
        if finished is not None and self.on_finished is not None:
            self.on_finished(finished, job["job_id"])
        return self.jobs.get(scope, request)

    def snapshot(self, scope: Scope, job_id: str) -> dict[str, Any]:
        job = self.jobs.get(scope, {"job_id": job_id})
        job["tasks"] = [job_task_view(t) for t in self.tasks.by_job(job_id)]
        return job

    def watch(self, scope: Scope, request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The job now, then each time it changes, until it is terminal. Checked before the stream starts, so
        a bad id or token is an ordinary error."""
        job_id = required(request, "job_id")
        first = self.snapshot(scope, job_id)
        return self._follow(scope, job_id, first)

    def _follow(self, scope: Scope, job_id: str, current: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield current
        while current["status"] not in TERMINAL_JOB_STATUSES:
            time.sleep(self.poll_interval)
            latest = self.snapshot(scope, job_id)
            if latest != current:
                current = latest
                yield current
