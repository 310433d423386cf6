"""The jobs repository: reads and writes of jobs, always within a scope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from cloudinv.domain.auth import Scope
from cloudinv.query.ast import SortKey
from cloudinv.query.fields import FieldDef, FieldKind, FieldTable
from cloudinv.store.engine import Database
from cloudinv.store.repository import ScopedRepository
from cloudinv.store.schema import job_task_errors, job_tasks, jobs, sub_tasks
from cloudinv.store.scoped import scope_clauses

_S, _I, _T = FieldKind.STRING, FieldKind.INTEGER, FieldKind.DATETIME

JOB_FIELDS = FieldTable(
    resource="job",
    table=jobs,
    fields={
        f.name: f
        for f in (
            FieldDef("job_id", _S, nullable=False),
            FieldDef("status", _S, nullable=False),
            FieldDef("total_tasks", _I, nullable=False),
            FieldDef("remained_tasks", _I, nullable=False),
            FieldDef("success_tasks", _I, nullable=False),
            FieldDef("failure_tasks", _I, nullable=False),
            FieldDef("request_secret_id", _S),
            FieldDef("request_workspace_id", _S),
            FieldDef("resource_group", _S, nullable=False),
            FieldDef("domain_id", _S, nullable=False),
            FieldDef("workspace_id", _S, nullable=False),
            FieldDef("collector_id", _S),
            FieldDef("plugin_id", _S),
            FieldDef("created_at", _T, nullable=False),
            FieldDef("updated_at", _T, nullable=False),
            FieldDef("finished_at", _T),
        )
    },
    id_field="job_id",
    keyword_fields=("job_id",),
    default_sort=(SortKey("created_at", desc=True),),
    minimal_fields=("job_id", "status", "collector_id", "plugin_id", "created_at", "finished_at"),
)

JOB_COLUMNS = tuple(JOB_FIELDS.fields)


class JobRepository(ScopedRepository):
    def __init__(self, database: Database) -> None:
        super().__init__(database, JOB_FIELDS)

    def delete(self, scope: Scope, job_id: str) -> bool:
        """Delete the job and its tasks in one transaction; False when the scope has no such job."""
        with self.db.begin() as conn:
            found = conn.execute(delete(jobs).where(jobs.c.job_id == job_id, *scope_clauses(jobs, scope))).rowcount
            if found:
                # Workers still running a sub-task of it find their rows gone: they write nothing and stop.
                for table in (job_tasks, sub_tasks, job_task_errors):
                    conn.execute(delete(table).where(table.c.job_id == job_id))
        return bool(found)

    def upsert_many(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert or replace by job_id, in one transaction: import is idempotent."""
        batch = [dict(row) for row in rows]
        if not batch:
            return 0
        insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
        statement = insert(jobs)
        updates = {name: statement.excluded[name] for name in JOB_COLUMNS if name != "job_id"}
        statement = statement.on_conflict_do_update(index_elements=["job_id"], set_=updates)
        with self.db.begin() as conn:
            conn.execute(statement, batch)
        return len(batch)
