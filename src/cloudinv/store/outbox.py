"""The outbox side of `sub_tasks`: which rows a relay must (re)send to the broker, and marking them sent.

A row is due when a worker should have it but may not:
- never handed over: PENDING with `dispatched_at` NULL, older than a grace period (the send right after the
  collect commit gets its chance first);
- handed over long ago and still PENDING: the broker lost the message (e.g. Redis restarted without
  persistence), or the queue is that long; a resend is a duplicate at worst, and duplicates do nothing;
- IN_PROGRESS with a silent heartbeat: its worker died; a new delivery lets a worker take it over (or give
  up on it after the last attempt). Resent at most once per silence period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, or_, select, update

from cloudinv.domain.job import SubTaskStatus
from cloudinv.store.schema import sub_tasks


@dataclass(frozen=True)
class DueWindows:
    unsent_grace: float = 2.0  # seconds a just-committed row waits for the send right after the commit
    redispatch_after: float = 300.0  # seconds a sent row may stay PENDING before it is sent again
    stale_after: float = 60.0  # seconds of heartbeat silence after which a worker is presumed dead


def due(conn: Connection, now: datetime, windows: DueWindows, limit: int = 1000) -> list[str]:
    """Ids of the sub-tasks to send now, oldest first, at most `limit`."""
    grace = now - timedelta(seconds=windows.unsent_grace)
    resend = now - timedelta(seconds=windows.redispatch_after)
    stale = now - timedelta(seconds=windows.stale_after)
    pending = and_(
        sub_tasks.c.status == SubTaskStatus.PENDING.value,
        or_(
            and_(sub_tasks.c.dispatched_at.is_(None), sub_tasks.c.created_at < grace),
            sub_tasks.c.dispatched_at < resend,
        ),
    )
    abandoned = and_(
        sub_tasks.c.status == SubTaskStatus.IN_PROGRESS.value,
        sub_tasks.c.heartbeat_at < stale,
        or_(sub_tasks.c.dispatched_at.is_(None), sub_tasks.c.dispatched_at < stale),
    )
    query = select(sub_tasks.c.sub_task_id).where(or_(pending, abandoned)).order_by(sub_tasks.c.created_at)
    return [str(v) for v in conn.execute(query.limit(limit)).scalars()]


def mark_dispatched(conn: Connection, sub_task_ids: list[str], now: datetime) -> None:
    conn.execute(update(sub_tasks).where(sub_tasks.c.sub_task_id.in_(sub_task_ids)).values(dispatched_at=now))
