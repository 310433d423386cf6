"""The reaper: no job stays IN_PROGRESS forever, no sub-task hangs forever, old history goes away."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from cloudinv.domain.clock import utcnow
from cloudinv.domain.counts import TaskError
from cloudinv.domain.job import JobStatus
from cloudinv.observability.logs import log_context
from cloudinv.store import lifecycle
from cloudinv.store.engine import Database
from cloudinv.store.schema import job_task_errors, job_tasks, jobs, sub_tasks

log = logging.getLogger(__name__)


@dataclass
class ReaperSettings:
    job_timeout: float = 2 * 3600.0
    task_timeout: float = 600.0
    retention_days: float = 60.0


@dataclass
class ReapReport:
    timed_out_jobs: list[str] = field(default_factory=list)
    timed_out_sub_tasks: list[str] = field(default_factory=list)
    purged_jobs: int = 0


class Reaper:
    def __init__(
        self,
        database: Database,
        settings: ReaperSettings | None = None,
        on_finished: lifecycle.OnFinished | None = None,
    ) -> None:
        self.db = database
        self.settings = settings or ReaperSettings()
        self.on_finished = on_finished

    def run_once(self, now: datetime | None = None) -> ReapReport:
        now = now or utcnow()
        report = ReapReport()
        report.timed_out_jobs = self._time_out_jobs(now)
        report.timed_out_sub_tasks = self._time_out_sub_tasks(now)
        report.purged_jobs = self._purge(now)
        if report.timed_out_jobs or report.timed_out_sub_tasks or report.purged_jobs:
            log.info("reaper: %s", report)
        return report

    def _time_out_jobs(self, now: datetime) -> list[str]:
        limit = now - timedelta(seconds=self.settings.job_timeout)
        query = select(jobs.c.job_id).where(jobs.c.status == JobStatus.IN_PROGRESS, jobs.c.created_at < limit)
        error = TaskError("ERROR_JOB_TIMEOUT", f"the job ran longer than {self.settings.job_timeout:g} seconds")
        done = []
        with self.db.begin() as conn:
            candidates = list(conn.execute(query).scalars())
        for job_id in candidates:
            with self.db.begin() as conn:
                finished = lifecycle.abort_job(conn, job_id, JobStatus.FAILURE, error)
            if finished is not None:
                done.append(job_id)
                self._finished(finished, job_id, None)
        return done

    def _time_out_sub_tasks(self, now: datetime) -> list[str]:
        limit = now - timedelta(seconds=self.settings.task_timeout)
        message = f"no progress for {self.settings.task_timeout:g} seconds: the plugin was abandoned"
        done = []
        with self.db.begin() as conn:
            stale = lifecycle.stale_sub_tasks(conn, limit)
        for sub_task_id in stale:
            with self.db.begin() as conn:
                ids = conn.execute(
                    select(sub_tasks.c.job_task_id, sub_tasks.c.job_id).where(sub_tasks.c.sub_task_id == sub_task_id)
                ).first()
                if ids is None:  # its job was deleted meanwhile
                    continue
                finished = lifecycle.finish(conn, sub_task_id, True, None)
                if finished is not None:
                    lifecycle.record_errors(
                        conn, ids.job_task_id, ids.job_id, [TaskError("ERROR_TASK_TIMEOUT", message)]
                    )
            if finished is not None:
                done.append(sub_task_id)
                self._finished(finished, ids.job_id, ids.job_task_id)
        return done

    def _finished(self, finished: lifecycle.Finished, job_id: str, job_task_id: str | None) -> None:
        """Told as the runner tells it: in the log context of the job (and task) that ended."""
        if self.on_finished is not None:
            with log_context(job_id=job_id, job_task_id=job_task_id):
                self.on_finished(finished, job_id)

    def _purge(self, now: datetime) -> int:
        limit = now - timedelta(days=self.settings.retention_days)
        old = select(jobs.c.job_id).where(jobs.c.created_at < limit, jobs.c.status != JobStatus.IN_PROGRESS)
        with self.db.begin() as conn:
            for table in (sub_tasks, job_task_errors, job_tasks):
                conn.execute(delete(table).where(table.c.job_id.in_(old.scalar_subquery())))
            return int(conn.execute(delete(jobs).where(jobs.c.job_id.in_(old.scalar_subquery()))).rowcount)
