"""Filter operators and sorting on JSON fields: paths under a JSON column (`data.size`, `tags.env`) and list
columns (`ip_addresses`).

The comparison follows the VALUE's type, as in the reference's MongoDB: a string matches only JSON strings,
a number only JSON numbers (1 equals 1.0), a bool only JSON true/false; `eq null` means missing or JSON null.
When the value at the path is an array, eq, in, contain(_in), regex(_in), the comparisons and `match` match
when ANY element does; their negations (not, not_in, not_contain, not_contain_in) are exact complements, so
they mean "no element matches" and also match a missing or null value. contain and regex look at strings
only. `match` takes a MongoDB `$elemMatch` of equalities: some element is an object whose sub-keys (paths,
same charset) equal the given values. Also here: sorting by a JSON path, and `distinct` of one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import FromClause, UnaryExpression, and_, exists, false, func, not_, or_

from cloudinv.domain.errors import ERROR_INVALID_PARAMETER, ERROR_OPERATOR_VALUE_TYPE
from cloudinv.query.ast import Condition
from cloudinv.query.fields import FieldKind, ResolvedField, parse_path
from cloudinv.query.jsonsql import BoolExpr, Expr, JsonValue, at, elements, inside, of_text
from cloudinv.query.values import json_value

if TYPE_CHECKING:  # operators.py imports this module: no import back at run time
    from cloudinv.query.operators import Context

Test = Callable[[JsonValue], BoolExpr]
Builder = Callable[[ResolvedField, Any, "Context"], BoolExpr]


def _value(field: ResolvedField, ctx: Context) -> JsonValue:
    return at(ctx.dialect, field.expr, field.path)


def _any(field: ResolvedField, ctx: Context, test: Test) -> BoolExpr:
    """The value passes, or it is an array and one of its elements does. Never SQL null: the negative
    operators are NOT of this, and must also match rows where it is missing."""
    value = _value(field, ctx)
    source, item = elements(value)
    listed = exists().select_from(source).where(test(item))
    if field.kind == FieldKind.LIST:
        return listed
    return func.coalesce(or_(test(value), listed), false())


def _equal(target: Any) -> Test:
    if isinstance(target, bool):
        return lambda v: v.is_("true" if target else "false")
    if isinstance(target, int | float):
        return lambda v: v.number() == target
    return lambda v: and_(v.is_("string"), v.raw == target)


def _present(field: ResolvedField, ctx: Context) -> BoolExpr:
    return _value(field, ctx).present()


def _eq(field: ResolvedField, value: Any, ctx: Context) -> BoolExpr:
    return not_(_present(field, ctx)) if value is None else _any(field, ctx, _equal(value))


def _in(field: ResolvedField, values: list[Any], ctx: Context) -> BoolExpr:
    tests = [_equal(v) for v in values if v is not None]
    clauses = [_any(field, ctx, lambda v: or_(*(t(v) for t in tests)))] if tests else []
    if None in values:
        clauses.append(not_(_present(field, ctx)))
    return or_(false(), *clauses)


def _exists(field: ResolvedField, value: bool, ctx: Context) -> BoolExpr:
    present = _present(field, ctx)
    return present if value else not_(present)


def _contain_in(field: ResolvedField, values: list[str], ctx: Context) -> BoolExpr:
    return _any(field, ctx, lambda v: or_(false(), *(and_(v.is_("string"), ctx.contains(v.raw, s)) for s in values)))


def _regex_in(field: ResolvedField, values: list[str], ctx: Context) -> BoolExpr:
    return _any(field, ctx, lambda v: or_(false(), *(ctx.regex(v.string(), p) for p in values)))


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge,
}  # fmt: skip


def _compare(op: str) -> Builder:
    compare = _OPS[op]

    def build(field: ResolvedField, value: Any, ctx: Context) -> BoolExpr:
        # Checked before: not null, not a bool.
        if isinstance(value, int | float):
            return _any(field, ctx, lambda v: compare(v.number(), value))
        return _any(field, ctx, lambda v: and_(v.is_("string"), compare(v.raw, value)))

    return build


def match_pairs(field: ResolvedField, cond: Condition) -> list[tuple[tuple[str, ...], Any]]:
    """The checked `{sub_key: value}` of a `match`: paths in the plain charset, scalar values."""
    if field.kind != FieldKind.JSON_VALUE:
        reason = f"'match' needs a list of objects; '{field.key}' is a list of scalars"
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=reason)
    if not cond.value:
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason="'match' needs at least one {sub_key: value}")
    pairs = []
    for sub_key, target in cond.value.items():
        if isinstance(target, list | dict):
            raise ERROR_OPERATOR_VALUE_TYPE(operator="match", expected="scalar values", condition=cond.echo())
        pairs.append((parse_path(str(sub_key), str(sub_key), cond.key), target))
    return pairs


def _match(field: ResolvedField, pairs: list[tuple[tuple[str, ...], Any]], ctx: Context) -> BoolExpr:
    def test(item: JsonValue) -> BoolExpr:
        checks = []
        for segments, target in pairs:
            sub = inside(item, segments)
            checks.append(not_(sub.present()) if target is None else _equal(target)(sub))
        return and_(item.is_("object"), *checks)

    source, item = elements(_value(field, ctx))
    return exists().select_from(source).where(test(item))


def _negated(build: Builder) -> Builder:
    return lambda field, value, ctx: not_(build(field, value, ctx))


def _single(build: Builder) -> Builder:
    """A scalar-valued operator as its list form with one value."""
    return lambda field, value, ctx: build(field, [value], ctx)


_BUILDERS: dict[str, Builder] = {
    "eq": _eq, "not": _negated(_eq), "in": _in, "not_in": _negated(_in), "exists": _exists,
    "contain": _single(_contain_in), "not_contain": _negated(_single(_contain_in)),
    "contain_in": _contain_in, "not_contain_in": _negated(_contain_in),
    "regex": _single(_regex_in), "regex_in": _regex_in, "match": _match,
    **{op: _compare(op) for op in ("lt", "lte", "gt", "gte")},
}  # fmt: skip


def build_json(field: ResolvedField, cond: Condition, value: Any, ctx: Context) -> BoolExpr:
    """`value` was checked for the operator's shape (operators.py); JSON-specific checks are here."""
    if field.kind == FieldKind.JSON and cond.operator != "exists":
        reason = f"'{field.key}' is a JSON object: use 'exists', or name a key under it ('{field.key}.<key>')"
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=reason)
    build = _BUILDERS.get(cond.operator)
    if build is None:  # datetime_* and timediff_*: operators.py refuses them first
        raise ERROR_INVALID_PARAMETER(key=cond.key, reason=f"'{cond.operator}' does not apply to JSON values")
    if cond.operator == "match":
        value = match_pairs(field, cond)
    return build(field, value, ctx)


def sort_keys(field: ResolvedField, dialect: str, desc: bool) -> list[UnaryExpression[Any]]:
    """Order by a JSON path: null (or missing) lowest, then numbers, strings, objects, arrays, false, true."""
    if field.kind != FieldKind.JSON_VALUE:
        reason = f"'{field.key}' is a JSON {'list' if field.kind == FieldKind.LIST else 'object'}; sort by a key in it"
        raise ERROR_INVALID_PARAMETER(key="query.sort.key", reason=reason)
    exprs = at(dialect, field.expr, field.path).order()
    return [expr.desc() if desc else expr.asc() for expr in exprs]


@dataclass(frozen=True)
class DistinctSource:
    """What `distinct` selects: the value, the tables it joins, how to order and decode the values."""

    value: Expr
    joins: tuple[FromClause, ...]
    order: Callable[[Expr], list[UnaryExpression[Any]]]
    decode: Callable[[Any], Any]


def json_distinct(field: ResolvedField, dialect: str) -> DistinctSource:
    """A JSON path's distinct values (an array counts as one value); a list column's distinct elements.
    Selected as canonical JSON text, so that 1 and "1" stay apart."""
    if field.kind == FieldKind.JSON:
        reason = f"'{field.key}' is a JSON object; name a key under it ('{field.key}.<key>')"
        raise ERROR_INVALID_PARAMETER(key="query.distinct", reason=reason)
    value = at(dialect, field.expr, field.path)
    joins: tuple[FromClause, ...] = ()
    if field.kind == FieldKind.LIST:
        source, value = elements(value)
        joins = (source,)

    def order(selected: Expr) -> list[UnaryExpression[Any]]:
        return [expr.asc() for expr in of_text(dialect, selected).order()]

    return DistinctSource(value.canonical(), joins, order, json_value)
