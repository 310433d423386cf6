"""Disconnection and deletion: after a successful task, the assets of the same collector and secret that it
did not touch miss one more collect; at the third miss in a row they are soft-deleted. Never after a failed
task (a failure proves nothing about what exists)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, select, update

from cloudinv.domain.clock import utcnow
from cloudinv.domain.task import TaskContext
from cloudinv.store.schema import asset_changes, assets, job_tasks

MISSES_BEFORE_DELETE = 3


def _owned_by(context: TaskContext) -> list[ColumnElement[bool]]:
    secret = assets.c.secret_id.is_(None) if context.secret_id is None else assets.c.secret_id == context.secret_id
    return [
        assets.c.domain_id == context.domain_id,
        assets.c.collector_id == context.collector_id,
        secret,
        assets.c.state == "ACTIVE",
    ]


def _record(conn: Connection, context: TaskContext, action: str, rows: list[Any]) -> None:
    if rows:
        now = utcnow()
        conn.execute(
            insert(asset_changes),
            [{"asset_id": r.asset_id, "action": action, "asset_type_id": r.asset_type_id,
              "domain_id": context.domain_id, "collector_id": context.collector_id, "job_id": context.job_id,
              "job_task_id": context.job_task_id, "created_at": now} for r in rows],
        )  # fmt: skip


def mark_missing(conn: Connection, context: TaskContext) -> tuple[int, int]:
    """(disconnected, deleted), also added to the task's counts. Runs in the task's finishing transaction."""
    now = utcnow()
    untouched = [*_owned_by(context), (assets.c.job_task_id != context.job_task_id) | assets.c.job_task_id.is_(None)]
    missed = list(conn.execute(select(assets.c.asset_id, assets.c.asset_type_id).where(*untouched)))
    if missed:
        conn.execute(
            update(assets).where(*untouched).values(disconnected_count=assets.c.disconnected_count + 1, updated_at=now)
        )
    _record(conn, context, "DISCONNECT", missed)
    gone = [*_owned_by(context), assets.c.disconnected_count >= MISSES_BEFORE_DELETE]
    deleted = list(conn.execute(select(assets.c.asset_id, assets.c.asset_type_id).where(*gone)))
    if deleted:
        conn.execute(update(assets).where(*gone).values(state="DELETED", deleted_at=now, updated_at=now))
    _record(conn, context, "DELETE", deleted)
    conn.execute(
        update(job_tasks)
        .where(job_tasks.c.job_task_id == context.job_task_id)
        .values(disconnected_count=job_tasks.c.disconnected_count + len(missed),
                deleted_count=job_tasks.c.deleted_count + len(deleted))
    )  # fmt: skip
    return len(missed), len(deleted)
