"""The collectors repository and field table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update

from cloudinv.domain.auth import Scope
from cloudinv.query.ast import SortKey
from cloudinv.query.fields import FieldDef, FieldKind, FieldTable
from cloudinv.store.engine import Database
from cloudinv.store.repository import ScopedRepository
from cloudinv.store.schema import collectors, job_task_errors, job_tasks, jobs, schedule_runs, sub_tasks

_S, _T = FieldKind.STRING, FieldKind.DATETIME

COLLECTOR_FIELDS = FieldTable(
    resource="collector",
    table=collectors,
    fields={
        f.name: f
        for f in (
            FieldDef("collector_id", _S, nullable=False),
            FieldDef("name", _S, nullable=False),
            FieldDef("provider", _S),
            FieldDef("plugin_id", _S, nullable=False),
            FieldDef("schedule_state", _S, nullable=False),
            FieldDef("secret_filter_state", _S, nullable=False),
            FieldDef("created_by", _S),
            FieldDef("resource_group", _S, nullable=False),
            FieldDef("domain_id", _S, nullable=False),
            FieldDef("workspace_id", _S, nullable=False),
            FieldDef("created_at", _T, nullable=False),
            FieldDef("updated_at", _T, nullable=False),
            FieldDef("last_collected_at", _T),
        )
    },
    id_field="collector_id",
    keyword_fields=("collector_id", "name"),
    default_sort=(SortKey("created_at", desc=True),),
    minimal_fields=("collector_id", "name", "provider", "plugin_id", "created_at"),
)


class CollectorRepository(ScopedRepository):
    def __init__(self, database: Database) -> None:
        super().__init__(database, COLLECTOR_FIELDS)

    def create(self, row: Mapping[str, Any]) -> None:
        with self.db.begin() as conn:
            conn.execute(insert(collectors).values(**row))

    def update(self, scope: Scope, collector_id: str, values: Mapping[str, Any]) -> bool:
        with self.db.begin() as conn:
            return bool(
                conn.execute(
                    update(collectors)
                    .where(collectors.c.collector_id == collector_id, *self.scoped(scope))
                    .values(**values)
                ).rowcount
            )

    def delete(self, scope: Scope, collector_id: str) -> bool:
        """The collector with its jobs, tasks and collection state, in one transaction."""
        with self.db.begin() as conn:
            found = conn.execute(
                delete(collectors).where(collectors.c.collector_id == collector_id, *self.scoped(scope))
            ).rowcount
            if found:
                job_ids = select(jobs.c.job_id).where(jobs.c.collector_id == collector_id).scalar_subquery()
                for table in (sub_tasks, job_task_errors):
                    conn.execute(delete(table).where(table.c.job_id.in_(job_ids)))
                conn.execute(delete(job_tasks).where(job_tasks.c.collector_id == collector_id))
                conn.execute(delete(jobs).where(jobs.c.collector_id == collector_id))
                conn.execute(delete(schedule_runs).where(schedule_runs.c.collector_id == collector_id))
        return bool(found)
