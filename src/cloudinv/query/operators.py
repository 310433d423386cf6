"""The operator table: each operator's value shape and its SQL builder. No `if` ladders elsewhere."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, func, literal, not_, or_, true

from cloudinv.domain.errors import (
    ERROR_DB_QUERY_OPERATOR,
    ERROR_INVALID_PARAMETER,
    ERROR_INVALID_PARAMETER_TYPE,
    ERROR_OPERATOR_LIST_VALUE_TYPE,
    ERROR_OPERATOR_VALUE_TYPE,
)
from cloudinv.query import limits
from cloudinv.query.ast import Condition
from cloudinv.query.fields import JSON_KINDS, NUMERIC_KINDS, FieldKind, ResolvedField
from cloudinv.query.jsonops import build_json
from cloudinv.query.timeparse import parse_iso, parse_timediff

Expr = ColumnElement[Any]
BoolExpr = ColumnElement[bool]


@dataclass(frozen=True)
class Context:
    """What a builder needs besides the field and value: the dialect, for the few places SQL differs."""

    dialect: str

    def regex(self, expr: Expr, pattern: str) -> BoolExpr:
        if self.dialect == "postgresql":
            return expr.op("~*")(pattern)
        # SQLite has no REGEXP: the engine registers this function on every connection (store/engine.py).
        return func.cloudinv_regexp(pattern, expr) == 1

    def contains(self, expr: Expr, text: str) -> BoolExpr:
        """Case-insensitive literal substring: LIKE wildcards in `text` are escaped."""
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return func.lower(expr).like(literal("%" + escaped + "%"), escape="\\")


def _as_text(field: ResolvedField) -> Expr:
    return field.expr if field.kind == FieldKind.STRING else cast(field.expr, String)


def _null_or(field: ResolvedField, expr: BoolExpr) -> BoolExpr:
    """Negative operators also match rows whose value is null, as in the reference."""
    return or_(expr, field.expr.is_(None)) if field.nullable else expr


def _contain(field: ResolvedField, value: Any, ctx: Context) -> BoolExpr:
    return ctx.contains(_as_text(field), str(value))


def _eq(field: ResolvedField, value: Any, ctx: Context) -> BoolExpr:
    return field.expr.is_(None) if value is None else field.expr == value


def _not(field: ResolvedField, value: Any, ctx: Context) -> BoolExpr:
    if value is None:
        return field.expr.is_not(None)
    return _null_or(field, field.expr != value)


def _in(field: ResolvedField, values: list[Any], ctx: Context) -> BoolExpr:
    present = [v for v in values if v is not None]
    expr: BoolExpr = field.expr.in_(present) if present else false()
    return or_(expr, field.expr.is_(None)) if None in values else expr


def _not_in(field: ResolvedField, values: list[Any], ctx: Context) -> BoolExpr:
    present = [v for v in values if v is not None]
    expr: BoolExpr = field.expr.not_in(present) if present else true()
    if None in values:
        return and_(field.expr.is_not(None), expr)
    return _null_or(field, expr)


def _exists(field: ResolvedField, value: bool, ctx: Context) -> BoolExpr:
    return field.expr.is_not(None) if value else field.expr.is_(None)


def _not_contain(field: ResolvedField, value: Any, ctx: Context) -> BoolExpr:
    return _null_or(field, not_(_contain(field, value, ctx)))


def _contain_in(field: ResolvedField, values: list[Any], ctx: Context) -> BoolExpr:
    return or_(false(), *(_contain(field, v, ctx) for v in values))


def _not_contain_in(field: ResolvedField, values: list[Any], ctx: Context) -> BoolExpr:
    # "None of": the reference ORs the negations, which matches rows lacking just one value. Not copied.
    return _null_or(field, and_(true(), *(not_(_contain(field, v, ctx)) for v in values)))


def _regex(field: ResolvedField, value: str, ctx: Context) -> BoolExpr:
    return ctx.regex(_as_text(field), value)


def _regex_in(field: ResolvedField, values: list[str], ctx: Context) -> BoolExpr:
    return or_(false(), *(ctx.regex(_as_text(field), v) for v in values))


def _compare(op: str) -> Callable[[ResolvedField, Any, Context], BoolExpr]:
    compare = _COMPARATORS[op]

    def build(field: ResolvedField, value: Any, ctx: Context) -> BoolExpr:
        return compare(field.expr, value)  # type: ignore[no-any-return]

    return build


_COMPARATORS: dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge,
}  # fmt: skip


def _match(field: ResolvedField, value: Any, ctx: Context) -> BoolExpr:
    raise ERROR_INVALID_PARAMETER(key=field.key, reason="'match' needs a field that is a list of objects")


# Value shapes: how the condition's value is checked and converted before the builder sees it.
SCALAR, ORDERED, LIST, BOOL, DICT, TEXT, TEXT_LIST, DATETIME, TIMEDIFF = (
    "scalar", "ordered", "list", "bool", "dict", "text", "text_list", "datetime", "timediff"
)  # fmt: skip


@dataclass(frozen=True)
class Operator:
    name: str
    shape: str
    build: Callable[[ResolvedField, Any, Context], BoolExpr]


def _table() -> dict[str, Operator]:
    entries = [
        Operator("eq", SCALAR, _eq),
        Operator("not", SCALAR, _not),
        Operator("exists", BOOL, _exists),
        Operator("contain", TEXT, _contain),
        Operator("not_contain", TEXT, _not_contain),
        Operator("in", LIST, _in),
        Operator("not_in", LIST, _not_in),
        Operator("contain_in", TEXT_LIST, _contain_in),
        Operator("not_contain_in", TEXT_LIST, _not_contain_in),
        Operator("regex", TEXT, _regex),
        Operator("regex_in", TEXT_LIST, _regex_in),
        Operator("match", DICT, _match),
    ]
    for op in ("lt", "lte", "gt", "gte"):
        entries.append(Operator(op, ORDERED, _compare(op)))
        entries.append(Operator(f"datetime_{op}", DATETIME, _compare(op)))
        entries.append(Operator(f"timediff_{op}", TIMEDIFF, _compare(op)))
    return {entry.name: entry for entry in entries}


OPERATORS = _table()


def coerce_scalar(field: ResolvedField, value: Any, cond: Condition) -> Any:
    """A scalar value converted to the field's kind, or a type error naming the key."""
    if value is None:
        return None
    if isinstance(value, list | dict):
        raise ERROR_OPERATOR_VALUE_TYPE(operator=cond.operator, expected="scalar", condition=cond.echo())
    kind = field.kind
    if kind in JSON_KINDS:
        return _json_scalar(value, cond)
    if kind == FieldKind.DATETIME:
        if isinstance(value, datetime):
            return value
        parsed = parse_iso(value)
        if parsed is None:
            raise ERROR_INVALID_PARAMETER(key=cond.key, reason=f"'{value}' is not an ISO 8601 timestamp")
        return parsed
    if kind in NUMERIC_KINDS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ERROR_INVALID_PARAMETER_TYPE(key=cond.key, type=kind.value)
        return int(value) if float(value).is_integer() else value
    if kind == FieldKind.BOOLEAN:
        if not isinstance(value, bool):
            raise ERROR_INVALID_PARAMETER_TYPE(key=cond.key, type="bool")
        return value
    if not isinstance(value, str):
        raise ERROR_INVALID_PARAMETER_TYPE(key=cond.key, type="str")
    return value


def _json_scalar(value: Any, cond: Condition) -> Any:
    """Any JSON scalar: the comparison follows its type (query/jsonops.py). 10.0 (as gRPC sends 10) is 10."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _check_ordered(field: ResolvedField, cond: Condition) -> Any:
    """lt/lte/gt/gte: a value to compare with. Null has no order (SQL would compare nothing, or fail)."""
    if cond.value is None:
        reason = f"'{cond.operator}' needs a value to compare with, not null (use 'exists' to test for null)"
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=reason)
    if field.kind in JSON_KINDS and isinstance(cond.value, bool):
        reason = f"'{cond.operator}' compares numbers or strings, not {str(cond.value).lower()}"
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=reason)
    return coerce_scalar(field, cond.value, cond)


def _check_regex(pattern: Any, cond: Condition) -> str:
    if not isinstance(pattern, str):
        raise ERROR_OPERATOR_VALUE_TYPE(operator=cond.operator, expected="str", condition=cond.echo())
    if len(pattern) > limits.MAX_REGEX_LENGTH:
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=f"regex longer than {limits.MAX_REGEX_LENGTH}")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=f"bad regex: {exc}") from exc
    return pattern


def _text(value: Any, cond: Condition) -> str:
    if value is None or isinstance(value, list | dict):
        raise ERROR_OPERATOR_VALUE_TYPE(operator=cond.operator, expected="scalar", condition=cond.echo())
    if cond.operator.startswith("regex"):
        return _check_regex(value, cond)
    if isinstance(value, float) and value.is_integer():
        # Numbers arrive through protobuf Values as doubles: 153444 must search as "153444", not "153444.0".
        return str(int(value))
    return str(value)


def _check_list(field: ResolvedField, cond: Condition) -> list[Any]:
    if not isinstance(cond.value, list):
        raise ERROR_OPERATOR_LIST_VALUE_TYPE(operator=cond.operator, condition=cond.echo())
    return [coerce_scalar(field, v, cond) for v in cond.value]


def _check_text_list(field: ResolvedField, cond: Condition) -> list[str]:
    if not isinstance(cond.value, list):
        raise ERROR_OPERATOR_LIST_VALUE_TYPE(operator=cond.operator, condition=cond.echo())
    return [_text(v, cond) for v in cond.value]


def _check_typed(expected: type, label: str) -> Callable[[ResolvedField, Condition], Any]:
    def check(field: ResolvedField, cond: Condition) -> Any:
        if not isinstance(cond.value, expected):
            raise ERROR_OPERATOR_VALUE_TYPE(operator=cond.operator, expected=label, condition=cond.echo())
        return cond.value

    return check


def _check_datetime(field: ResolvedField, cond: Condition) -> datetime:
    parsed = parse_iso(cond.value)
    if parsed is None:
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=f"'{cond.value}' is not an ISO 8601 timestamp")
    return _datetime_field_value(field, parsed, cond)


def _check_timediff(field: ResolvedField, cond: Condition) -> datetime:
    moment = parse_timediff(cond.value)
    if moment is None:
        reason = f"'{cond.value}' is not a timediff like 'now - 5d' (now[/d|/w|/m] [+|-] N[s|m|h|d|w])"
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=reason)
    return _datetime_field_value(field, moment, cond)


_VALUE_CHECKS: dict[str, Callable[[ResolvedField, Condition], Any]] = {
    SCALAR: lambda field, cond: coerce_scalar(field, cond.value, cond),
    ORDERED: _check_ordered,
    LIST: _check_list,
    TEXT_LIST: _check_text_list,
    BOOL: _check_typed(bool, "bool"),
    DICT: _check_typed(dict, "dict"),
    TEXT: lambda field, cond: _text(cond.value, cond),
    DATETIME: _check_datetime,
    TIMEDIFF: _check_timediff,
}


def _datetime_field_value(field: ResolvedField, moment: datetime, cond: Condition) -> datetime:
    if field.kind in JSON_KINDS:
        # JSON has no timestamp type, and PostgreSQL 15 cannot test whether text parses as one without failing
        # the statement on the first that does not. ISO 8601 strings of one format compare as text.
        reason = f"'{cond.operator}' needs a timestamp field; '{cond.key}' is JSON: compare ISO 8601 strings with lt/gt"
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=reason)
    if field.kind != FieldKind.DATETIME:
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=f"'{cond.operator}' needs a timestamp field")
    return moment


def build_condition(field: ResolvedField, cond: Condition, ctx: Context) -> BoolExpr:
    operator = OPERATORS.get(cond.operator)
    if operator is None:
        raise ERROR_DB_QUERY_OPERATOR(operator=cond.operator, condition=cond.echo())
    value = _VALUE_CHECKS[operator.shape](field, cond)
    if field.kind in JSON_KINDS:
        return build_json(field, cond, value, ctx)
    return operator.build(field, value, ctx)
