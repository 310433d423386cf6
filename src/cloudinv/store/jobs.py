"""The jobs repository: reads and writes of jobs, always within a scope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from cloudinv.domain.auth import Scope
from cloudinv.query.ast import SortKey
from cloudinv.query.fields import FieldDef, FieldKind, FieldTable
from cloudinv.query.plan import Plan
from cloudinv.store.engine import Database
from cloudinv.store.schema import job_tasks, jobs
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


class JobRepository:
    def __init__(self, database: Database) -> None:
        self.db = database

    def get(self, scope: Scope, job_id: str) -> RowMapping | None:
        query = select(jobs).where(jobs.c.job_id == job_id, *scope_clauses(jobs, scope))
        with self.db.begin() as conn:
            return conn.execute(query).mappings().first()

    def search(
        self,
        scope: Scope,
        clauses: Sequence[ColumnElement[bool]],
        order_by: Sequence[Any],
        columns: Sequence[str],
        offset: int,
        limit: int,
        with_rows: bool = True,
    ) -> tuple[list[RowMapping], int]:
        """One page of rows and the count of all matches, in one transaction (one snapshot)."""
        where = [*scope_clauses(jobs, scope), *clauses]
        count_query = select(func.count()).select_from(jobs).where(*where)
        page_query = (
            select(*(jobs.c[name] for name in columns)).where(*where).order_by(*order_by).offset(offset).limit(limit)
        )
        with self.db.begin() as conn:
            rows = list(conn.execute(page_query).mappings()) if with_rows else []
            total = conn.execute(count_query).scalar_one()
        return rows, int(total)

    def delete(self, scope: Scope, job_id: str) -> bool:
        """Delete the job and its tasks in one transaction; False when the scope has no such job."""
        with self.db.begin() as conn:
            found = conn.execute(delete(jobs).where(jobs.c.job_id == job_id, *scope_clauses(jobs, scope))).rowcount
            if found:
                conn.execute(delete(job_tasks).where(job_tasks.c.job_id == job_id))
        return bool(found)

    def run(self, scope: Scope, plan: Plan) -> dict[str, Any]:
        """Run a compiled analyze/stat plan on the jobs this scope can read, in one snapshot."""
        clauses = scope_clauses(jobs, scope)
        with self.db.begin() as conn:
            rows = list(conn.execute(plan.rows(clauses)).mappings())
            total = conn.execute(plan.total(clauses)).scalar_one() if plan.total else None
        return plan.shape(rows, total)

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
