"""Hourly schedules: a collector fires at the top of each UTC hour in its `schedule.hours`, once per hour
however many schedulers run: the unique (collector_id, hour) row is the lock, held by the database."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from cloudinv.domain.clock import utcnow
from cloudinv.store.engine import Database
from cloudinv.store.schema import collectors, schedule_runs

log = logging.getLogger(__name__)

Collect = Callable[[Mapping[Any, Any]], str]  # collector row -> job_id


class Scheduler:
    def __init__(self, database: Database, collect: Collect) -> None:
        self.db = database
        self.collect = collect

    def run_once(self, now: datetime | None = None) -> list[str]:
        """Fire every collector due this hour that no scheduler fired yet; the jobs started."""
        hour = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
        with self.db.begin() as conn:
            enabled = list(conn.execute(select(collectors).where(collectors.c.schedule_state == "ENABLED")).mappings())
        started = []
        for collector in enabled:
            if self._due(collector, hour) and self._take(collector["collector_id"], hour):
                job_id = self._fire(collector, hour)
                if job_id:
                    started.append(job_id)
        return started

    @staticmethod
    def _due(collector: Mapping[Any, Any], hour: datetime) -> bool:
        """Scheduled for this hour, and not collected since it began (by hand, say)."""
        last = collector["last_collected_at"]
        return hour.hour in (collector["schedule_hours"] or []) and (last is None or last < hour)

    def _take(self, collector_id: str, hour: datetime) -> bool:
        try:
            with self.db.begin() as conn:
                conn.execute(insert(schedule_runs).values(collector_id=collector_id, hour=hour, created_at=utcnow()))
        except IntegrityError:
            return False
        return True

    def _fire(self, collector: Mapping[Any, Any], hour: datetime) -> str | None:
        key = (schedule_runs.c.collector_id == collector["collector_id"], schedule_runs.c.hour == hour)
        try:
            job_id = self.collect(collector)
        except Exception:
            log.exception("scheduled collect of %s failed; it will be retried", collector["collector_id"])
            with self.db.begin() as conn:
                conn.execute(delete(schedule_runs).where(*key))
            return None
        with self.db.begin() as conn:
            conn.execute(update(schedule_runs).where(*key).values(job_id=job_id))
        return job_id
