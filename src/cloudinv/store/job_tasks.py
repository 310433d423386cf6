"""The job tasks repository and field table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, delete, func, select

from cloudinv.domain.auth import Scope
from cloudinv.query.ast import SortKey
from cloudinv.query.fields import FieldDef, FieldKind, FieldTable
from cloudinv.store.engine import Database
from cloudinv.store.repository import ScopedRepository
from cloudinv.store.schema import asset_changes, job_task_errors, job_tasks, sub_tasks

_S, _I, _T = FieldKind.STRING, FieldKind.INTEGER, FieldKind.DATETIME

JOB_TASK_FIELDS = FieldTable(
    resource="job_task",
    table=job_tasks,
    fields={
        f.name: f
        for f in (
            FieldDef("job_task_id", _S, nullable=False),
            FieldDef("status", _S, nullable=False),
            FieldDef("provider", _S),
            FieldDef("created_count", _I, nullable=False),
            FieldDef("updated_count", _I, nullable=False),
            FieldDef("failure_count", _I, nullable=False),
            FieldDef("deleted_count", _I, nullable=False),
            FieldDef("disconnected_count", _I, nullable=False),
            FieldDef("domain_id", _S, nullable=False),
            FieldDef("workspace_id", _S, nullable=False),
            FieldDef("project_id", _S),
            FieldDef("collector_id", _S),
            FieldDef("service_account_id", _S),
            FieldDef("job_id", _S, nullable=False),
            FieldDef("secret_id", _S),
            FieldDef("created_at", _T, nullable=False),
            FieldDef("started_at", _T),
            FieldDef("updated_at", _T, nullable=False),
            FieldDef("finished_at", _T),
        )
    },
    id_field="job_task_id",
    keyword_fields=("job_task_id",),
    default_sort=(SortKey("created_at", desc=True),),
    minimal_fields=("job_task_id", "status", "job_id", "secret_id", "created_at", "finished_at"),
)

MAX_DETAIL_ERRORS = 100


class JobTaskRepository(ScopedRepository):
    def __init__(self, database: Database) -> None:
        super().__init__(database, JOB_TASK_FIELDS)

    def delete(self, scope: Scope, job_task_id: str) -> bool:
        with self.db.begin() as conn:
            found = conn.execute(
                delete(job_tasks).where(job_tasks.c.job_task_id == job_task_id, *self.scoped(scope))
            ).rowcount
            if found:
                conn.execute(delete(sub_tasks).where(sub_tasks.c.job_task_id == job_task_id))
                conn.execute(delete(job_task_errors).where(job_task_errors.c.job_task_id == job_task_id))
        return bool(found)

    def errors(self, job_task_id: str) -> list[RowMapping]:
        """The most recent errors, oldest first. Callers have checked the task is in their scope."""
        newest = (
            select(job_task_errors)
            .where(job_task_errors.c.job_task_id == job_task_id)
            .order_by(job_task_errors.c.error_id.desc())
            .limit(MAX_DETAIL_ERRORS)
        )
        with self.db.begin() as conn:
            rows = list(conn.execute(newest).mappings())
        return rows[::-1]

    def changes_by_type(self, job_task_id: str) -> dict[str, dict[str, int]]:
        """{action: {asset_type_id: count}} of what the task did to assets."""
        query = (
            select(asset_changes.c.action, asset_changes.c.asset_type_id, func.sum(asset_changes.c.asset_count))
            .where(asset_changes.c.job_task_id == job_task_id)
            .group_by(asset_changes.c.action, asset_changes.c.asset_type_id)
        )
        result: dict[str, dict[str, int]] = {}
        with self.db.begin() as conn:
            for action, asset_type_id, count in conn.execute(query):
                result.setdefault(action, {})[asset_type_id or "unknown"] = int(count)
        return result

    def by_job(self, job_id: str) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            query = select(job_tasks).where(job_tasks.c.job_id == job_id).order_by(job_tasks.c.created_at)
            return [dict(r) for r in conn.execute(query).mappings()]
