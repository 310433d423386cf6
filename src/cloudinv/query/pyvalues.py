"""Values in Python stages: paths into rows, conditions, calculations and aggregates, with the semantics of
their SQL twins (query/sqlaggregates.py, query/sqlstages.py). Only rows SQL has already grouped get here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from cloudinv.domain.errors import ERROR_INVALID_PARAMETER, ERROR_OPERATOR_LIST_VALUE_TYPE, ERROR_OPERATOR_VALUE_TYPE
from cloudinv.query.ast import AggregateField, Calc, Condition
from cloudinv.query.order import hashable, sort_key
from cloudinv.query.timeparse import parse_iso

Row = dict[str, Any]


def get(row: Row, path: str) -> Any:
    if path in row:
        return row[path]
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def put(row: Row, path: str, value: Any) -> Row:
    """A copy of `row` with `path` set, copying the objects along a dotted path."""
    if path in row or "." not in path:
        return {**row, path: value}
    head, rest = path.split(".", 1)
    inner = row.get(head)
    return {**row, head: put(inner if isinstance(inner, dict) else {}, rest, value)}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ---- conditions ----


def _target(value: Any, target: Any) -> Any:
    if isinstance(value, datetime) and isinstance(target, str):
        return parse_iso(target)
    return target


def _equal(value: Any, target: Any) -> bool:
    target = _target(value, target)
    if is_number(value) and is_number(target):
        return bool(value == target)
    return type(value) is type(target) and bool(value == target)


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(value: Any, target: Any) -> bool:
        target = _target(value, target)
        both = (is_number(value) and is_number(target)) or (
            type(value) is type(target) and isinstance(value, str | datetime)
        )
        return both and op(value, target)

    return check


def _contain(value: Any, target: Any) -> bool:
    return isinstance(value, str) and str(target).lower() in value.lower()


_MATCHERS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _equal,
    "not": lambda v, t: not _equal(v, t),
    "in": lambda v, t: any(_equal(v, x) for x in t),
    "not_in": lambda v, t: not any(_equal(v, x) for x in t),
    "gt": _compare(lambda a, b: a > b),
    "gte": _compare(lambda a, b: a >= b),
    "lt": _compare(lambda a, b: a < b),
    "lte": _compare(lambda a, b: a <= b),
    "exists": lambda v, t: (v is not None) == t,
    "contain": _contain,
    "not_contain": lambda v, t: not _contain(v, t),
}


def check_condition(cond: Condition) -> None:
    """The value shape each operator needs, as the SQL side checks it."""
    is_list = isinstance(cond.value, list)
    if cond.operator in ("in", "not_in"):
        if not is_list:
            raise ERROR_OPERATOR_LIST_VALUE_TYPE(operator=cond.operator, condition=cond.echo())
    elif cond.operator == "exists":
        if not isinstance(cond.value, bool):
            raise ERROR_OPERATOR_VALUE_TYPE(operator=cond.operator, expected="bool", condition=cond.echo())
    elif is_list or isinstance(cond.value, dict):
        raise ERROR_OPERATOR_VALUE_TYPE(operator=cond.operator, expected="scalar", condition=cond.echo())


def matches(row: Row, conditions: Sequence[Condition]) -> bool:
    return all(_MATCHERS[c.operator](get(row, c.key), c.value) for c in conditions)


# ---- calculations ----


def _number(value: Any, operator: str, at: str) -> Any:
    if value is not None and not is_number(value):
        raise ERROR_INVALID_PARAMETER(key=at, reason=f"'{operator}' needs numbers, got {value!r}")
    return value


def _to_object(value: Any, at: str) -> Any:
    pairs = [(p.get("k"), p.get("v")) if isinstance(p, dict) else tuple(p) for p in value]
    if not all(len(p) == 2 and isinstance(p[0], str) for p in pairs):
        raise ERROR_INVALID_PARAMETER(key=at, reason="'array_to_object' needs [{k, v}] or [[k, v]] items")
    return dict(pairs)


def _unary(op: str, value: Any, at: str) -> Any:
    if op == "sum":
        if isinstance(value, list):
            return sum(v for v in value if is_number(v))
        return value if is_number(value) else 0
    if value is None:
        return None
    accepts = {"size": list, "array_to_object": list, "object_to_array": dict}[op]
    if not isinstance(value, accepts):
        raise ERROR_INVALID_PARAMETER(key=at, reason=f"'{op}' cannot take {value!r}")
    if op == "size":
        return len(value)
    if op == "array_to_object":
        return _to_object(value, at)
    return [{"k": k, "v": v} for k, v in value.items()]


def calculate(row: Row, calc: Calc, at: str) -> Any:
    op = calc.operator
    if op in ("size", "sum", "array_to_object", "object_to_array"):
        return _unary(op, get(row, str(calc.operands[0])), at)
    parts = []
    for operand in calc.operands:
        value = calculate(row, operand, at) if isinstance(operand, Calc) else operand
        parts.append(_number(get(row, value) if isinstance(value, str) else value, op, at))
    if any(part is None for part in parts):
        return None
    if op == "divide":
        return None if parts[1] == 0 else parts[0] / parts[1]
    if op == "subtract":
        return parts[0] - parts[1]
    result = parts[0]
    for part in parts[1:]:
        result = result + part if op == "add" else result * part
    return result


# ---- aggregates over one group's rows, in input order ----


def _conditioned(rows: list[Row], spec: AggregateField) -> list[Any]:
    """Each row's value; rows failing the conditions count as 0, as in the reference."""
    return [get(row, spec.key) if matches(row, spec.conditions) else 0 for row in rows]


def _sum(rows: list[Row], spec: AggregateField) -> Any:
    return sum(v for v in _conditioned(rows, spec) if is_number(v))


def _average(rows: list[Row], spec: AggregateField) -> Any:
    values = [v for v in _conditioned(rows, spec) if is_number(v)]
    return sum(values) / len(values) if values else None


def _extreme(pick: Callable[..., Any]) -> Callable[[list[Row], AggregateField], Any]:
    def build(rows: list[Row], spec: AggregateField) -> Any:
        values = [v for v in (get(row, spec.key) for row in rows) if v is not None]
        return pick(values, key=sort_key) if values else None

    return build


def _push(rows: list[Row], spec: AggregateField) -> Any:
    if spec.fields:
        return [{out: get(row, src) for out, src in spec.fields} for row in rows]
    return [v for v in (get(row, spec.key) for row in rows) if v is not None]


def _add_to_set(rows: list[Row], spec: AggregateField) -> Any:
    unique = {hashable(v): v for v in (get(row, spec.key) for row in rows) if v is not None}
    return sorted(unique.values(), key=sort_key)


def _merge_objects(rows: list[Row], spec: AggregateField) -> Any:
    merged: dict[str, Any] = {}
    for value in (get(row, spec.key) for row in rows):
        if value is None:
            continue
        if not isinstance(value, dict):
            raise ERROR_INVALID_PARAMETER(key=spec.key, reason=f"'merge_objects' needs objects, got {value!r}")
        merged.update(value)
    return merged


AGGREGATES: dict[str, Callable[[list[Row], AggregateField], Any]] = {
    "count": lambda rows, spec: sum(1 for row in rows if matches(row, spec.conditions)),
    "sum": _sum,
    "average": _average,
    "max": _extreme(max),
    "min": _extreme(min),
    "first": lambda rows, spec: get(rows[0], spec.key) if rows else None,
    "last": lambda rows, spec: get(rows[-1], spec.key) if rows else None,
    "push": _push,
    "add_to_set": _add_to_set,
    "merge_objects": _merge_objects,
}
