"""Job and task events as metrics and log lines, and the gauges read from the database at scrape time.

`JobEvents.started` is the CollectorService's hook (every collect, requested or scheduled), `finished` the
SubTaskRunner's `on_finished`. The runner calls `finished` inside the log context it set around the sub-task, so
the context names the job task that just finished; its duration and counts are read from its row then (one
primary-key read per finished task, none per sub-task).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import RowMapping, func, select

from cloudinv.domain.errors import CloudinvError
from cloudinv.domain.job import SubTaskStatus
from cloudinv.observability.logs import current_context
from cloudinv.observability.metrics import RESOURCE_OUTCOMES, Metrics
from cloudinv.store.engine import Database
from cloudinv.store.lifecycle import Finished
from cloudinv.store.schema import job_tasks, sub_tasks

log = logging.getLogger("cloudinv.jobs")

_TASK_COLUMNS = (job_tasks.c.started_at, job_tasks.c.finished_at,
                 *(job_tasks.c[f"{outcome}_count"] for outcome in RESOURCE_OUTCOMES))  # fmt: skip


class JobEvents:
    def __init__(self, metrics: Metrics, database: Database) -> None:
        self.metrics = metrics
        self.db = database

    def started(self, job: Mapping[str, Any]) -> None:
        self.metrics.jobs_started.inc()
        log.info(
            "job started: %d task(s)", job.get("total_tasks") or 0,
            extra={"job_id": job.get("job_id"), "collector_id": job.get("collector_id")},
        )  # fmt: skip

    def finished(self, finished: Finished, job_id: str) -> None:
        if finished.task_status is not None:
            self._task_finished(finished.task_status.value, job_id)
        if finished.job_status is not None:
            self.metrics.jobs_finished.labels(finished.job_status.value).inc()
            log.info("job finished: %s", finished.job_status.value, extra={"job_id": job_id})

    def _task_finished(self, status: str, job_id: str) -> None:
        self.metrics.tasks_finished.labels(status).inc()
        job_task_id = current_context().get("job_task_id")
        row = self._task_row(job_task_id) if job_task_id else None
        if row is None:
            return
        for outcome in RESOURCE_OUTCOMES:
            if count := row[f"{outcome}_count"]:
                self.metrics.resources.labels(outcome).inc(count)
        seconds = _seconds(row["started_at"], row["finished_at"])
        if seconds is not None:
            self.metrics.task_seconds.labels(status).observe(seconds)
        log.info(
            "job task finished: %s, %d created, %d updated, %d failures", status,
            row["created_count"], row["updated_count"], row["failure_count"], extra={"job_id": job_id},
        )  # fmt: skip

    def _task_row(self, job_task_id: str) -> RowMapping | None:
        query = select(*_TASK_COLUMNS).where(job_tasks.c.job_task_id == job_task_id)
        try:
            with self.db.begin() as conn:
                return conn.execute(query).mappings().first()
        except CloudinvError:  # metrics never fail the work they describe
            log.warning("job task %s: its metrics are lost (database unavailable)", job_task_id)
            return None


def _seconds(started: datetime | None, finished: datetime | None) -> float | None:
    if started is None or finished is None:
        return None
    return max(0.0, (finished - started).total_seconds())


class QueueGauges:
    """Sub-tasks waiting for a worker (the queue depth) and running now, counted when Prometheus scrapes."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def describe(self) -> Iterator[Metric]:
        # Declared so that registering does not query the database.
        yield from self._families({})

    def collect(self) -> Iterator[Metric]:
        query = (
            select(sub_tasks.c.status, func.count())
            .where(sub_tasks.c.status.in_([SubTaskStatus.PENDING.value, SubTaskStatus.IN_PROGRESS.value]))
            .group_by(sub_tasks.c.status)
        )
        try:
            with self.db.begin() as conn:
                counts = {status: int(n) for status, n in conn.execute(query).all()}
        except CloudinvError:
            log.warning("queue depth unavailable: the database cannot be reached")
            return
        yield from self._families(counts)

    @staticmethod
    def _families(counts: Mapping[str, int]) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "cloudinv_queue_depth", "Sub-tasks waiting for a worker (PENDING).",
            value=counts.get(SubTaskStatus.PENDING.value, 0),
        )  # fmt: skip
        yield GaugeMetricFamily(
            "cloudinv_sub_tasks_running", "Sub-tasks being run by a worker now (IN_PROGRESS).",
            value=counts.get(SubTaskStatus.IN_PROGRESS.value, 0),
        )  # fmt: skip
