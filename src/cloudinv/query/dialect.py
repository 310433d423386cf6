"""The SQL that differs between SQLite and PostgreSQL, in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, literal

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
