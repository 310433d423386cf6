"""The SQL part of a pipeline: each stage becomes a SELECT over the previous one, wrapped in a CTE only
where SQL needs it (before a second GROUP BY, after a LIMIT, for a window). Values are bound parameters and
names never reach SQL: columns are labelled c0, c1... and carry their output name beside the expression.

A relation also carries its natural order (group keys after a group, the requested keys then the previous
order after a sort), so every result is deterministic; hidden order columns survive each CTE.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from functools import reduce
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Float,
    FromClause,
    Integer,
    Null,
    Select,
    UnaryExpression,
    and_,
    cast,
    func,
    literal,
    null,
)
from sqlalchemy import select as sql_select

from cloudinv.query.ast import (
    AggregateField,
    Calc,
    CountStage,
    GroupKey,
    GroupStage,
    LimitStage,
    ProjectField,
    ProjectStage,
    SkipStage,
    SortStage,
    UnwindStage,
)
from cloudinv.query.dates import PARTS, parse_pattern
from cloudinv.query.decoding import Decode, decoder
from cloudinv.query.dialect import date_part, date_text
from cloudinv.query.fields import FieldTable, ResolvedField
from cloudinv.query.jsonsql import at, of_text, text_document
from cloudinv.query.kinds import FIELD_KINDS, INT, JSON, NULL, Kind, field_kind
from cloudinv.query.operators import Context, build_condition
from cloudinv.query.pipeline import Step
from cloudinv.query.sqlaggregates import ORDERED, Input, aggregate

Expr = ColumnElement[Any]
BoolExpr = ColumnElement[bool]


@dataclass(frozen=True)
class Col:
    name: str
    expr: Expr
    kind: Kind
    decode: Decode


@dataclass(frozen=True)
class Rel:
    """Rows as a SELECT not yet written: FROM `source` WHERE `where` [GROUP BY `group_by`]."""

    source: FromClause
    cols: tuple[Col, ...]
    order: tuple[tuple[Expr, bool], ...]  # (expression, descending)
    where: tuple[BoolExpr, ...] = ()
    group_by: tuple[Expr, ...] | None = None  # None: not aggregated; (): one group of every row
    keys: tuple[str, ...] = ()

    def col(self, name: str) -> Col:
        return next(c for c in self.cols if c.name == name)

    def value(self, name: str) -> Expr | None:
        """The expression of a column an aggregate reads; None when the key is missing (or always null)."""
        found = next((c for c in self.cols if c.name == name), None)
        return None if found is None or found.kind == NULL else found.expr


def sort_exprs(dialect: str, col: Col) -> list[Expr]:
    """What ordering by a column means: a JSON column by type, then number, then string (as in filters)."""
    return of_text(dialect, col.expr).order() if col.kind == JSON else [col.expr]


def ordering(order: Sequence[tuple[Expr, bool]]) -> list[UnaryExpression[Any]]:
    """Null lowest on both dialects: first ascending, last descending. A constant null (a missing value)
    orders nothing, and PostgreSQL refuses it in ORDER BY."""
    return [
        expr.desc().nulls_last() if desc else expr.asc().nulls_first()
        for expr, desc in order
        if not isinstance(expr, Null)
    ]


def table_relation(
    fields: FieldTable, where: Sequence[BoolExpr], dialect: str, json_paths: tuple[str, ...] = ()
) -> Rel:
    """The stored rows; their natural order (for first, last and push) is creation order: the default sort's
    keys ascending, then the id. `json_paths` are read as columns of canonical JSON text (query/jsonsql.py)."""
    table = fields.table
    cols = []
    for name, definition in fields.fields.items():
        kind = FIELD_KINDS[definition.kind]
        cols.append(Col(name, table.c[definition.name], kind, decoder(kind)))
    for path in json_paths:
        field = fields.resolve(path, "query")
        cols.append(Col(path, at(dialect, field.expr, field.path).canonical(), JSON, decoder(JSON)))
    keys = dict.fromkeys([*(k.key for k in fields.default_sort), fields.id_field])
    order = tuple((table.c[fields.fields[key].name], False) for key in keys)
    return Rel(source=table, cols=tuple(cols), order=order, where=tuple(where))


def select_rows(rel: Rel, offset: int = 0, limit: int | None = None, ordered: bool = True) -> Select[Any]:
    statement = sql_select(*(c.expr.label(f"c{i}") for i, c in enumerate(rel.cols)))
    statement = statement.select_from(rel.source).where(*rel.where)
    if rel.group_by is not None:
        statement = statement.group_by(*rel.group_by)
    if ordered:
        statement = statement.order_by(*ordering(rel.order))
    if offset:
        statement = statement.offset(offset)
    return statement.limit(limit) if limit is not None else statement


def count_rows(rel: Rel) -> Select[Any]:
    return sql_select(func.count()).select_from(select_rows(rel, ordered=False).subquery())


def decode_rows(cols: Sequence[Col], rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [{c.name: c.decode(row[f"c{i}"]) for i, c in enumerate(cols)} for row in rows]


class SqlBuilder:
    """Applies checked steps (query/pipeline.py) to a relation. One builder per statement: it names CTEs."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.ctx = Context(dialect=dialect)
        self._ctes = 0

    def apply(self, rel: Rel, step: Step) -> Rel:
        return _APPLY[type(step.stage)](self, rel, step)

    def materialize(
        self,
        rel: Rel,
        extra: Sequence[tuple[str, Expr]] = (),
        limit: int | None = None,
        offset: int = 0,
        only: Collection[str] | None = None,
    ) -> tuple[Rel, dict[str, Expr]]:
        """`rel` as a CTE, with its order columns and `extra` ones, to select from. `only`: the columns the
        next stage reads, when it replaces the others (a group), so that the CTE carries no more."""
        kept = [(i, c) for i, c in enumerate(rel.cols) if only is None or c.name in only]
        order = rel.order if only is None else ()
        columns = [c.expr.label(f"c{i}") for i, c in kept]
        columns += [expr.label(f"o{j}") for j, (expr, _) in enumerate(order)]
        columns += [expr.label(name) for name, expr in extra]
        statement = sql_select(*(columns or [literal(1).label("one")])).select_from(rel.source).where(*rel.where)
        if rel.group_by is not None:
            statement = statement.group_by(*rel.group_by)
        if limit is not None or offset:
            statement = statement.order_by(*ordering(rel.order)).offset(offset or None).limit(limit)
        self._ctes += 1
        cte = statement.cte(f"s{self._ctes}")
        cols = tuple(replace(c, expr=cte.c[f"c{i}"]) for i, c in kept)
        new_order = tuple((cte.c[f"o{j}"], desc) for j, (_, desc) in enumerate(order))
        return Rel(source=cte, cols=cols, order=new_order, keys=rel.keys), {name: cte.c[name] for name, _ in extra}

    def _flat(self, rel: Rel) -> Rel:
        """Rows that are not aggregates yet, so that a stage can filter or count them."""
        return rel if rel.group_by is None else self.materialize(rel)[0]

    def condition(self, rel: Rel, cond: Any) -> BoolExpr:
        col = rel.col(cond.key)
        expr = text_document(self.dialect, col.expr) if col.kind == JSON else col.expr
        field = ResolvedField(key=cond.key, kind=field_kind(col.kind), expr=expr, nullable=True)
        return build_condition(field, cond, self.ctx)

    # ---- group ----

    def _key(self, rel: Rel, key: GroupKey) -> Expr:
        expr = rel.col(key.key).expr
        if not key.date_format:
            return expr
        if key.date_format in PARTS:
            return date_part(self.dialect, key.date_format, expr)
        return date_text(self.dialect, parse_pattern(key.date_format, ""), expr)

    def _prepare(
        self, rel: Rel, keys: list[Expr], ordered: bool, reads: set[str]
    ) -> tuple[Rel, list[Expr], tuple[Any, Any]]:
        """Computed keys become columns (so GROUP BY matches the SELECT), and ordered aggregates get each
        row's number within its group in input order, and the group's size."""
        extra = [(f"k{i}", expr) for i, expr in enumerate(keys)]
        if ordered:
            partition = keys or None
            order = ordering(rel.order) or None
            extra.append(("rn", func.row_number().over(partition_by=partition, order_by=order)))
            extra.append(("cnt", func.count().over(partition_by=partition)))
        rel, named = self.materialize(rel, extra, only=reads)
        return rel, [named[f"k{i}"] for i in range(len(keys))], (named.get("rn"), named.get("cnt"))

    @staticmethod
    def _reads(stage: GroupStage) -> set[str]:
        names = {key.key for key in stage.keys}
        for spec in stage.fields:
            names |= {spec.key, *(src for _, src in spec.fields), *(c.key for c in spec.conditions)}
        return names

    def _aggregate(self, rel: Rel, spec: AggregateField, kind: Kind, numbers: tuple[Any, Any]) -> Col:
        conditions = [self.condition(rel, c) for c in spec.conditions]
        source = Input(
            spec=spec,
            value=rel.value(spec.key),
            kind=self._kind(rel, spec.key),
            condition=and_(*conditions) if conditions else None,
            dialect=self.dialect,
            subfields=tuple((out, rel.value(src), self._kind(rel, src)) for out, src in spec.fields),
            row_number=numbers[0],
            group_size=numbers[1],
        )
        expr, decode = aggregate(source)
        return Col(spec.name, expr, kind, decode)

    def group(self, rel: Rel, step: Step) -> Rel:
        stage: GroupStage = step.stage  # type: ignore[assignment]
        reads = self._reads(stage)
        ordered = any(f.operator in ORDERED for f in stage.fields)
        rel = rel if rel.group_by is None else self.materialize(rel, only=None if ordered else reads)[0]
        keys = [self._key(rel, key) for key in stage.keys]
        numbers: tuple[Any, Any] = (None, None)
        if ordered or not all(isinstance(k, ColumnClause) for k in keys):
            rel, keys, numbers = self._prepare(rel, keys, ordered, reads)
        kinds = dict(step.after.columns)
        cols = [Col(k.name, e, kinds[k.name], decoder(kinds[k.name])) for k, e in zip(stage.keys, keys, strict=True)]
        cols += [self._aggregate(rel, spec, kinds[spec.name], numbers) for spec in stage.fields]
        order = tuple((expr, False) for col in cols[: len(keys)] for expr in sort_exprs(self.dialect, col))
        return Rel(rel.source, tuple(cols), order, rel.where, tuple(keys), step.after.keys)

    @staticmethod
    def _kind(rel: Rel, name: str) -> Kind:
        found = next((c for c in rel.cols if c.name == name), None)
        return found.kind if found else NULL

    # ---- the other stages ----

    def count(self, rel: Rel, step: Step) -> Rel:
        stage: CountStage = step.stage  # type: ignore[assignment]
        rel = self._flat(rel)
        return Rel(rel.source, (Col(stage.name, func.count(), INT, decoder(INT)),), (), rel.where, ())

    def sort(self, rel: Rel, step: Step) -> Rel:
        stage: SortStage = step.stage  # type: ignore[assignment]
        keys = [(rel.col(k.key), k.desc) for k in stage.keys]
        order = tuple((expr, desc) for col, desc in keys if col.kind != NULL for expr in sort_exprs(self.dialect, col))
        return replace(rel, order=order + rel.order)

    def _operand(self, rel: Rel, operand: str | float | Calc) -> Expr:
        if isinstance(operand, Calc):
            return self.calc(rel, operand)
        if isinstance(operand, str):
            value = rel.value(operand)
            return cast(null(), Float) if value is None else value  # typed: NULL + NULL has no type
        return literal(operand)

    def calc(self, rel: Rel, calc: Calc) -> Expr:
        op = calc.operator
        if op in ("size", "sum", "array_to_object", "object_to_array"):
            col = rel.col(str(calc.operands[0]))  # a scalar here: lists and objects are Python's
            if op == "size":
                return cast(null(), Integer)  # typed, for a later stage that sums it
            if op != "sum":
                return null()
            return func.coalesce(col.expr, 0) if col.kind.numeric else literal(0)
        parts = [self._operand(rel, operand) for operand in calc.operands]
        if op == "divide":
            return cast(parts[0], Float) / func.nullif(parts[1], 0)
        if op == "subtract":
            return parts[0] - parts[1]
        return reduce(operator.add if op == "add" else operator.mul, parts)

    def _project_field(self, rel: Rel, spec: ProjectField, kind: Kind) -> Col:
        if spec.calc is None:
            return replace(rel.col(spec.key), name=spec.name)
        return Col(spec.name, self.calc(rel, spec.calc), kind, decoder(kind))

    def project(self, rel: Rel, step: Step) -> Rel:
        stage: ProjectStage = step.stage  # type: ignore[assignment]
        kinds = dict(step.after.columns)
        fields = [self._project_field(rel, spec, kinds[spec.name]) for spec in stage.fields]
        kept = [rel.col(key) for key in step.after.keys]
        return replace(rel, cols=(*kept, *fields), keys=step.after.keys)

    def unwind(self, rel: Rel, step: Step) -> Rel:
        stage: UnwindStage = step.stage  # type: ignore[assignment]
        rel = self._flat(rel)
        present = rel.col(stage.path).expr.is_not(None)
        return replace(rel, where=(*rel.where, present, *(self.condition(rel, c) for c in stage.filter)))

    def limit(self, rel: Rel, step: Step) -> Rel:
        stage: LimitStage = step.stage  # type: ignore[assignment]
        return self.materialize(rel, limit=stage.count)[0]

    def skip(self, rel: Rel, step: Step) -> Rel:
        stage: SkipStage = step.stage  # type: ignore[assignment]
        return self.materialize(rel, offset=stage.count)[0]


_APPLY: dict[type, Callable[[SqlBuilder, Rel, Step], Rel]] = {
    GroupStage: SqlBuilder.group, CountStage: SqlBuilder.count, SortStage: SqlBuilder.sort,
    ProjectStage: SqlBuilder.project, UnwindStage: SqlBuilder.unwind, LimitStage: SqlBuilder.limit,
    SkipStage: SqlBuilder.skip,
}  # fmt: skip
