"""Reads every resource shares, always within a scope: get by id, a page with its count, compiled plans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, func, select

from cloudinv.domain.auth import Scope
from cloudinv.query.fields import FieldTable
from cloudinv.query.plan import Plan
from cloudinv.store.engine import Database
from cloudinv.store.scoped import scope_clauses


class ScopedRepository:
    """One resource's table seen through a caller's scope."""

    def __init__(self, database: Database, fields: FieldTable) -> None:
        self.db = database
        self.fields = fields
        self.table = fields.table
        self.id_column = self.table.c[fields.id_field]

    def scoped(self, scope: Scope) -> list[ColumnElement[bool]]:
        return scope_clauses(self.table, scope)

    def get(self, scope: Scope, resource_id: str) -> RowMapping | None:
        query = select(self.table).where(self.id_column == resource_id, *self.scoped(scope))
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
        where = [*self.scoped(scope), *clauses]
        count_query = select(func.count()).select_from(self.table).where(*where)
        page_query = (
            select(*(self.table.c[name] for name in columns))
            .where(*where)
            .order_by(*order_by)
            .offset(offset)
            .limit(limit)
        )
        with self.db.begin() as conn:
            rows = list(conn.execute(page_query).mappings()) if with_rows else []
            total = conn.execute(count_query).scalar_one()
        return rows, int(total)

    def run(self, scope: Scope, plan: Plan) -> dict[str, Any]:
        """Run a compiled analyze/stat plan on the rows this scope can read, in one snapshot."""
        clauses = self.scoped(scope)
        with self.db.begin() as conn:
            rows = list(conn.execute(plan.rows(clauses)).mappings())
            total = conn.execute(plan.total(clauses)).scalar_one() if plan.total else None
        return plan.shape(rows, total)
