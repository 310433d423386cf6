"""Compile a Where and sort keys against a field table into SQLAlchemy expressions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, or_

from cloudinv.query.ast import Condition, SortKey, Where
from cloudinv.query.fields import JSON_KINDS, FieldTable, ResolvedField
from cloudinv.query.jsonops import sort_keys
from cloudinv.query.operators import Context, build_condition

BoolExpr = ColumnElement[bool]


class FilterCompiler:
    """Turns conditions into WHERE clauses for one resource on one dialect."""

    def __init__(self, fields: FieldTable, dialect: str) -> None:
        self.fields = fields
        self.ctx = Context(dialect=dialect)

    def condition(self, cond: Condition, where: str) -> BoolExpr:
        return build_condition(self.fields.resolve(cond.key, f"{where}.key ({cond.key})"), cond, self.ctx)

    def where(self, where: Where) -> list[BoolExpr]:
        """The clauses to AND together: the filter group, the filter_or group, the keyword."""
        clauses = [self.condition(c, "query.filter") for c in where.filter]
        if where.filter_or:
            clauses.append(or_(*(self.condition(c, "query.filter_or") for c in where.filter_or)))
        if where.keyword:
            clauses.append(self.keyword(where.keyword))
        return clauses

    def keyword(self, keyword: str) -> BoolExpr:
        """A row matches when any keyword field contains any of the words, case-insensitively."""
        words = keyword.split()
        per_field = [
            build_condition(self.fields.resolve(name, "keyword"), Condition(name, "contain_in", words), self.ctx)
            for name in self.fields.keyword_fields
        ]
        return or_(*per_field)

    def order_by(self, sort: tuple[SortKey, ...]) -> list[UnaryExpression[Any]]:
        """Sort keys, then the id in the last key's direction so that paging is deterministic.

        Null sorts lower than every value, on both dialects: first ascending, last descending.
        """
        keys = sort or self.fields.default_sort
        order = [e for k in keys for e in self._order(self.fields.resolve(k.key, "query.sort.key"), k.desc)]
        if all(k.key != self.fields.id_field for k in keys):
            id_field = self.fields.resolve(self.fields.id_field, "query.sort.key")
            order += self._order(id_field, keys[-1].desc)
        return order

    def _order(self, field: ResolvedField, desc: bool) -> list[UnaryExpression[Any]]:
        if field.kind in JSON_KINDS:
            return sort_keys(field, self.ctx.dialect, desc)
        return [self._column_order(field, desc)]

    @staticmethod
    def _column_order(field: ResolvedField, desc: bool) -> UnaryExpression[Any]:
        if desc:
            expr = field.expr.desc()
            return expr.nulls_last() if field.nullable else expr
        expr = field.expr.asc()
        return expr.nulls_first() if field.nullable else expr


def and_all(clauses: list[BoolExpr]) -> BoolExpr | None:
    return and_(*clauses) if clauses else None
