"""analyze: group_by + aggregate fields compiled to one GROUP BY statement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, func, literal, literal_column, null, select

from cloudinv.domain.errors import ERROR_INVALID_PARAMETER
from cloudinv.query.ast import AggregateField, AnalyzeQuery
from cloudinv.query.compile import FilterCompiler
from cloudinv.query.dialect import json_array_agg, json_object
from cloudinv.query.fields import FieldKind, FieldTable
from cloudinv.query.limits import MAX_PAGE_LIMIT
from cloudinv.query.plan import Plan, ScopeClauses
from cloudinv.query.values import json_value, plain, timestamp_text

Expr = ColumnElement[Any]


class AnalyzeCompiler:
    def __init__(self, fields: FieldTable, dialect: str) -> None:
        self.fields = fields
        self.dialect = dialect
        self.filters = FilterCompiler(fields, dialect)

    def _value(self, key: str) -> Expr:
        """In analyze an unknown key reads as a missing value, as in the reference."""
        resolved = self.fields.lookup(key)
        return resolved.expr if resolved is not None else null()

    def _is_timestamp(self, key: str) -> bool:
        resolved = self.fields.lookup(key)
        return resolved is not None and resolved.kind == FieldKind.DATETIME

    def _aggregate(self, spec: AggregateField) -> tuple[Expr, Callable[[Any], Any]]:
        """The SQL aggregate of one field and how to turn its value into the API's."""
        op = spec.operator
        if op == "count":
            return func.count(), plain
        if spec.key and self.fields.lookup(spec.key) is None:
            return self._missing(op)
        value = self._value(spec.key) if spec.key else null()
        if op == "sum":
            return func.coalesce(func.sum(value), literal(0)), plain
        if op == "average":
            return func.avg(value), lambda v: None if v is None else float(v)
        if op in ("max", "min"):
            return getattr(func, op)(value), plain
        if op in ("add_to_set", "push") and not spec.fields:
            convert = timestamp_text if self._is_timestamp(spec.key) else plain
            agg = json_array_agg(self.dialect, value, distinct=op == "add_to_set")
            return agg, lambda v: [convert(x) for x in json_value(v) or [] if x is not None]
        if op == "push":
            pairs = [(out, self._value(src)) for out, src in spec.fields]
            stamps = {out for out, src in spec.fields if self._is_timestamp(src)}
            agg = json_array_agg(self.dialect, json_object(self.dialect, pairs))
            return agg, lambda v: [
                {k: timestamp_text(x) if k in stamps else plain(x) for k, x in item.items()}
                for item in json_value(v) or []
            ]
        raise ERROR_INVALID_PARAMETER(key=f"query.fields.{spec.name}.operator", reason=f"unknown '{op}'")

    @staticmethod
    def _missing(op: str) -> tuple[Expr, Callable[[Any], Any]]:
        """An unknown key reads as missing everywhere: sum 0, lists empty, the rest null."""
        if op == "sum":
            return literal(0), plain
        if op in ("add_to_set", "push"):
            return null(), lambda _: []
        return null(), plain

    def compile(self, query: AnalyzeQuery) -> Plan:
        if query.field_group or query.select:
            raise ERROR_INVALID_PARAMETER(key="query", reason="field_group and select are not supported yet")
        where = self.filters.where(query.where)
        groups = [(g.name, self.fields.resolve(g.key, "query.group_by").expr) for g in query.group_by]
        aggregates = [(f.name, *self._aggregate(f)) for f in query.fields]
        labels = {name: f"g{i}" for i, (name, _) in enumerate(groups)}
        labels.update({name: f"f{i}" for i, (name, _, _) in enumerate(aggregates)})
        columns = [expr.label(labels[name]) for name, expr in groups]
        columns += [expr.label(labels[name]) for name, expr, _ in aggregates]
        order = self._order(query, labels, [name for name, _ in groups])
        limit = min(query.page.limit or MAX_PAGE_LIMIT, MAX_PAGE_LIMIT)

        def rows(scope: ScopeClauses) -> Select[Any]:
            statement = select(*columns).select_from(self.fields.table).where(*scope, *where)
            if groups:
                statement = statement.group_by(*(expr for _, expr in groups))
            return statement.order_by(*order).offset(query.page.offset).limit(limit + 1)

        converters = {name: conv for name, _, conv in aggregates}

        def shape(result: list[RowMapping], _total: int | None) -> dict[str, Any]:
            out = []
            for row in result[:limit]:
                item = {name: plain(row[labels[name]]) for name, _ in groups}
                item.update({name: converters[name](row[labels[name]]) for name in converters})
                out.append(item)
            return {"results": out, "more": len(result) > limit}

        return Plan(rows=rows, shape=shape)

    def _order(self, query: AnalyzeQuery, labels: dict[str, str], group_names: list[str]) -> list[Any]:
        """Requested sort by output names; otherwise group keys ascending, so the order is deterministic."""
        order = []
        for key in query.sort:
            if key.key not in labels:
                raise ERROR_INVALID_PARAMETER(
                    key="query.sort.key", reason=f"'{key.key}' is not an output name"
                )
            column = literal_column(labels[key.key])
            order.append(column.desc().nulls_last() if key.desc else column.asc().nulls_first())
        order += [literal_column(labels[name]).asc().nulls_first() for name in group_names]
        return order
