"""Disconnection and deletion: after a successful task, the assets of the same collector and secret that it
did not touch miss one more collect; at the third miss in a row they are soft-deleted. Never after a failed
task (a failure proves nothing about what exists)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, select, update

from cloudinv.domain.clock import utcnow
from cloudinv.domain.task import TaskContext
from cloudinv.store.asset_changes import record_changes
from cloudinv.store.schema import assets, job_tasks

MISSES_BEFORE_DELETE = 3


def _owned_by(with_secret: bool) -> list[ColumnElement[bool]]:
    secret = assets.c.secret_id == bindparam("b_secret_id") if with_secret else assets.c.secret_id.is_(None)
    return [
        assets.c.domain_id == bindparam("b_domain_id"),
        assets.c.collector_id == bindparam("b_collector_id"),
        secret,
        assets.c.state == "ACTIVE",
    ]


class _Statements:
    """mark_missing's statements, built once per secret/no-secret variant (building them costs more than
    running them when a task has nothing to disconnect)."""

    def __init__(self, with_secret: bool) -> None:
        touched_elsewhere = (assets.c.job_task_id != bindparam("b_task_id")) | assets.c.job_task_id.is_(None)
        untouched = [*_owned_by(with_secret), touched_elsewhere]
        gone = [*_owned_by(with_secret), assets.c.disconnected_count >= MISSES_BEFORE_DELETE]
        self.missed = select(assets.c.asset_id, assets.c.asset_type_id).where(*untouched)
        self.disconnect = (
            update(assets)
            .where(*untouched)
            .values(disconnected_count=assets.c.disconnected_count + 1, updated_at=bindparam("b_now"))
        )
        self.gone = select(assets.c.asset_id, assets.c.asset_type_id).where(*gone)
        self.delete = (
            update(assets)
            .where(*gone)
            .values(state="DELETED", deleted_at=bindparam("b_now"), updated_at=bindparam("b_now"))
        )


_STATEMENTS = {True: _Statements(True), False: _Statements(False)}
_ADD_COUNTS = (
    update(job_tasks)
    .where(job_tasks.c.job_task_id == bindparam("b_task_id"))
    .values(disconnected_count=job_tasks.c.disconnected_count + bindparam("disconnected"),
            deleted_count=job_tasks.c.deleted_count + bindparam("deleted"))
)  # fmt: skip


def _record(conn: Connection, context: TaskContext, action: str, rows: list[Any]) -> None:
    record_changes(
        conn, action, ((r.asset_id, r.asset_type_id) for r in rows), context.domain_id, context.collector_id,
        context.job_id, context.job_task_id,
    )  # fmt: skip


def mark_missing(conn: Connection, context: TaskContext) -> tuple[int, int]:
    """(disconnected, deleted), also added to the task's counts. Runs in the task's finishing transaction."""
    statements = _STATEMENTS[context.secret_id is not None]
    params = {"b_domain_id": context.domain_id, "b_collector_id": context.collector_id,
              "b_secret_id": context.secret_id, "b_task_id": context.job_task_id, "b_now": utcnow()}  # fmt: skip
    missed = list(conn.execute(statements.missed, params))
    if missed:
        conn.execute(statements.disconnect, params)
        _record(conn, context, "DISCONNECT", missed)
    deleted = list(conn.execute(statements.gone, params))
    if deleted:
        conn.execute(statements.delete, params)
        _record(conn, context, "DELETE", deleted)
    if missed or deleted:
        conn.execute(
            _ADD_COUNTS, {"b_task_id": context.job_task_id, "disconnected": len(missed), "deleted": len(deleted)}
        )
    return len(missed), len(deleted)
