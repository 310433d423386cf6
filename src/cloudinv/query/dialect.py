"""The SQL that differs between SQLite and PostgreSQL, in one place."""

from __future__ import annotations

from functools import reduce
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, cast, extract, func, literal

from cloudinv.query.dates import is_directive

Expr = ColumnElement[Any]


def json_array_agg(dialect: str, expr: Expr, distinct: bool = False) -> Expr:
    """An aggregate that collects values into a JSON array."""
    arg = expr.distinct() if distinct else expr
    if dialect == "postgresql":
        return func.json_agg(arg)
    return func.json_group_array(arg)


def json_object(dialect: str, pairs: list[tuple[str, Expr]]) -> Expr:
    args: list[Any] = []
    for name, expr in pairs:
        args.extend((literal(name), expr))
    if dialect == "postgresql":
        return func.json_build_object(*args)
    return func.json_object(*args)


def json_array(dialect: str, *exprs: Expr) -> Expr:
    if dialect == "postgresql":
        return func.json_build_array(*exprs)
    return func.json_array(*exprs)


_PG_PARTS = {"year": "year", "month": "month", "day": "day"}
_SQLITE_PARTS = {"year": "%Y", "month": "%m", "day": "%d"}
_PG_CODES = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "HH24", "%M": "MI", "%S": "SS", "%j": "DDD"}


def date_part(dialect: str, part: str, expr: Expr) -> Expr:
    """`year`, `month` or `day` (of the month) of a timestamp, as an integer."""
    if dialect == "postgresql":
        return cast(extract(_PG_PARTS[part], expr), Integer)
    return cast(func.strftime(_SQLITE_PARTS[part], expr), Integer)


def date_text(dialect: str, pieces: tuple[str, ...], expr: Expr) -> Expr:
    """A timestamp rendered by a parsed strftime pattern (query/dates.py); null stays null."""
    if dialect != "postgresql":
        pattern = "".join(p if is_directive(p) else p.replace("%", "%%") for p in pieces)
        return func.strftime(pattern, expr, type_=String)
    parts = [func.to_char(expr, _PG_CODES[p], type_=String) if is_directive(p) else literal(p, String) for p in pieces]
    # `||`, not concat(): a null timestamp must give null, not the pattern's literal text.
    return reduce(lambda a, b: a.op("||", return_type=String)(b), parts)
