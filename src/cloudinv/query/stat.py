"""stat: `distinct` and the `aggregate` pipeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, Select, func, select, true

from cloudinv.query.aggregation import Pipeline, render
from cloudinv.query.ast import StatQuery
from cloudinv.query.compile import FilterCompiler
from cloudinv.query.fields import JSON_KINDS, FieldTable
from cloudinv.query.jsonops import DistinctSource, json_distinct
from cloudinv.query.plan import Plan, ScopeClauses
from cloudinv.query.values import plain


class StatCompiler:
    def __init__(self, fields: FieldTable, dialect: str) -> None:
        self.fields = fields
        self.dialect = dialect
        self.filters = FilterCompiler(fields, dialect)

    def compile(self, query: StatQuery) -> Plan:
        if query.aggregate:
            return self._aggregate(query)
        return self._distinct(query)

    def _aggregate(self, query: StatQuery) -> Plan:
        """The pipeline's rows; with a page limit, that page and the count of all rows before paging."""
        pipeline = Pipeline(self.fields, self.dialect, self.filters.where(query.where), query.aggregate)
        paged = query.page.limit > 0
        start, stop = query.page.offset, query.page.offset + query.page.limit
        in_sql = pipeline.all_sql and paged

        def rows(scope: ScopeClauses) -> Select[Any]:
            if in_sql:
                return pipeline.statement(scope, query.page.offset, query.page.limit)
            return pipeline.statement(scope)

        def shape(result: list[RowMapping], count: int | None) -> dict[str, Any]:
            out = pipeline.finish(result)
            if not paged:
                return {"results": render(out)}
            if not in_sql:
                out, count = out[start:stop], len(out)
            return {"results": render(out), "total_count": count}

        total = pipeline.count if in_sql else None
        return Plan(rows=rows, shape=shape, total=total, python_stages=pipeline.python_stages)

    def _distinct(self, query: StatQuery) -> Plan:
        """Sorted distinct non-null values; with a page limit, that slice and the total count."""
        field = self.fields.resolve(query.distinct, "query.distinct")
        if field.kind in JSON_KINDS:
            source = json_distinct(field, self.dialect)
        else:
            source = DistinctSource(field.expr, (), lambda value: [value.asc()], plain)
        where = [*self.filters.where(query.where), source.value.is_not(None)]
        paged = query.page.limit > 0

        def base(scope: ScopeClauses) -> Select[Any]:
            statement = select(source.value.label("value")).select_from(self.fields.table)
            for joined in source.joins:
                statement = statement.join(joined, true())
            return statement.where(*scope, *where).distinct()

        def rows(scope: ScopeClauses) -> Select[Any]:
            # Ordered outside the DISTINCT: PostgreSQL only orders a DISTINCT by expressions it selects.
            values = base(scope).subquery()
            statement = select(values.c.value).order_by(*source.order(values.c.value))
            if paged:
                statement = statement.offset(query.page.offset).limit(query.page.limit)
            return statement

        def total(scope: ScopeClauses) -> Select[Any]:
            return select(func.count()).select_from(base(scope).subquery())

        def shape(result: list[RowMapping], count: int | None) -> dict[str, Any]:
            body: dict[str, Any] = {"results": [plain(source.decode(row["value"])) for row in result]}
            if paged:
                body["total_count"] = count
            return body

        return Plan(rows=rows, shape=shape, total=total if paged else None)
