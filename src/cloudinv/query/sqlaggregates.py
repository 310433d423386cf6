"""The aggregate of one group field in SQL, with the decoder that turns its database value into Python.

Order-sensitive operators (first, last, push) read a row number computed by a window over the group in the
input's order (query/sqlstages.py), so they are deterministic on both dialects: SQLite before 3.44 has no
ORDER BY inside aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, case, cast, func, literal, null

from cloudinv.query.ast import AggregateField
from cloudinv.query.decoding import Decode, decoder
from cloudinv.query.dialect import json_array, json_array_agg, json_object
from cloudinv.query.jsonsql import json_number
from cloudinv.query.kinds import JSON, NUMBER, Kind
from cloudinv.query.order import hashable, sort_key
from cloudinv.query.values import json_value

Expr = ColumnElement[Any]
ORDERED = frozenset({"first", "last", "push"})


@dataclass(frozen=True)
class Input:
    """What one aggregate reads: its value (None when the key is missing), condition, row numbers."""

    spec: AggregateField
    value: Expr | None
    kind: Kind
    condition: ColumnElement[bool] | None
    dialect: str
    subfields: tuple[tuple[str, Expr | None, Kind], ...] = ()
    row_number: Expr | None = None  # 1.. in input order within the group
    group_size: Expr | None = None


def _when(a: Input, then: Any, otherwise: Any) -> Expr:
    return case((a.condition, then), else_=otherwise) if a.condition is not None else then


def _count(a: Input) -> tuple[Expr, Decode]:
    if a.condition is None:
        return func.count(), int
    return func.coalesce(func.sum(case((a.condition, 1), else_=0)), 0), int


def _number(a: Input) -> Expr | None:
    """The value as a number, None when it never is; a JSON path's non-numbers read as null (ignored)."""
    if a.value is None:
        return None
    if a.kind == JSON:
        return json_number(a.dialect, a.value)
    return a.value if a.kind.numeric else None


def _sum(a: Input) -> tuple[Expr, Decode]:
    value = _number(a)
    if value is None:
        return literal(0), int  # non-numbers are ignored, as in the reference
    kind = NUMBER if a.kind == JSON else a.kind
    return func.coalesce(func.sum(_when(a, value, 0)), 0), decoder(kind)  # int stays int, float float


def _average(a: Input) -> tuple[Expr, Decode]:
    value = _number(a)
    if value is None:
        return cast(null(), Float), lambda _: None  # typed: a later stage may average it
    # As the reference: rows that fail the conditions count as 0.
    return func.avg(_when(a, value, 0)), lambda v: None if v is None else float(v)


def _extreme(name: str) -> Callable[[Input], tuple[Expr, Decode]]:
    def build(a: Input) -> tuple[Expr, Decode]:
        if a.value is None:
            return null(), lambda _: None
        return getattr(func, name)(a.value), decoder(a.kind)

    return build


def _nth(last: bool) -> Callable[[Input], tuple[Expr, Decode]]:
    def build(a: Input) -> tuple[Expr, Decode]:
        if a.value is None:
            return null(), lambda _: None
        position = a.group_size if last else literal(1)
        assert a.row_number is not None
        picked: ColumnElement[bool] = a.row_number == position
        return func.max(case((picked, a.value))), decoder(a.kind)

    return build


def _in_order(item: Decode, keep_null: bool) -> Decode:
    """Pushed [row number, value] pairs back in input order; null values are left out, as missing ones."""

    def decode(value: Any) -> list[Any]:
        pairs = sorted(json_value(value) or [], key=lambda pair: pair[0])
        return [item(v) for _, v in pairs if keep_null or v is not None]

    return decode


def _push(a: Input) -> tuple[Expr, Decode]:
    item: Decode
    if a.spec.fields:
        pairs = [(out, expr if expr is not None else null()) for out, expr, _ in a.subfields]
        decoders = {out: decoder(kind) for out, _, kind in a.subfields}
        element = json_object(a.dialect, pairs)

        def item(obj: Any) -> Any:
            return {k: decoders[k](v) for k, v in obj.items()}

        keep_null = True
    elif a.value is None:
        return null(), lambda _: []
    else:
        element, item, keep_null = a.value, decoder(a.kind), False
    assert a.row_number is not None
    return json_array_agg(a.dialect, json_array(a.dialect, a.row_number, element)), _in_order(item, keep_null)


def _add_to_set(a: Input) -> tuple[Expr, Decode]:
    if a.value is None:
        return null(), lambda _: []
    item = decoder(a.kind)

    def decode(value: Any) -> list[Any]:
        # Keyed by `hashable`: a JSON path's values may be lists or objects.
        values = {hashable(v): v for v in map(item, json_value(value) or []) if v is not None}
        return sorted(values.values(), key=sort_key)

    return json_array_agg(a.dialect, a.value, distinct=True), decode


def _merge_objects(a: Input) -> tuple[Expr, Decode]:
    return null(), lambda _: {}  # only a missing key gets here: objects are merged in Python


_BUILDERS: dict[str, Callable[[Input], tuple[Expr, Decode]]] = {
    "count": _count, "sum": _sum, "average": _average, "max": _extreme("max"), "min": _extreme("min"),
    "first": _nth(last=False), "last": _nth(last=True), "push": _push, "add_to_set": _add_to_set,
    "merge_objects": _merge_objects,
}  # fmt: skip


def aggregate(a: Input) -> tuple[Expr, Decode]:
    return _BUILDERS[a.spec.operator](a)
