"""JSON values in SQL, read the same way on SQLite and PostgreSQL (where the columns are `json`, not `jsonb`).

A JsonValue is one JSON value however it is reached: a path under a JSON column, an element of an array, or
a pipeline column holding canonical JSON text. Every use reads the value's JSON type first, so that nothing
is compared or cast across types: on PostgreSQL one row's non-numeric text under a numeric cast would fail
the whole statement.

Path segments and type names become SQL text, never bound parameters: the same expression must render the
same in SELECT, GROUP BY and ORDER BY for PostgreSQL to match them. Segments are checked in fields.py
(`[A-Za-z0-9_-]`); `_const` refuses anything else. Values compared against are always bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, ColumnElement, FromClause, Numeric, String, and_, case, cast, func, literal_column, or_

Expr = ColumnElement[Any]
BoolExpr = ColumnElement[bool]

# Logical JSON types -> each dialect's names (SQLite's json_type, PostgreSQL's json_typeof).
_TYPE_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "sqlite": {"null": ("null",), "number": ("integer", "real"), "string": ("text",), "true": ("true",),
               "false": ("false",), "object": ("object",), "array": ("array",)},
    "postgresql": {"null": ("null",), "number": ("number",), "string": ("string",), "true": ("boolean",),
                   "false": ("boolean",), "object": ("object",), "array": ("array",)},
}  # fmt: skip

# Sort order across types, as query/order.py orders Python values: null (or missing), numbers, strings,
# objects, arrays, false, true.
_RANKS = ("number", "string", "object", "array", "false", "true")

_CONSTANT = re.compile(r"^[A-Za-z0-9_\-$.{}]*$")


def _const(text: str) -> Expr:
    """Our own constant as SQL text (see the module docstring); never caller input that was not checked."""
    if not _CONSTANT.match(text):
        raise ValueError(f"unsafe SQL constant {text!r}")
    return literal_column(f"'{text}'", String)


def _int(number: int) -> Expr:
    return literal_column(str(number))


@dataclass(frozen=True)
class JsonValue:
    dialect: str
    type: Expr  # the dialect's name of the value's JSON type; null when the value is missing
    raw: Expr  # SQLite: the SQL value (text, number, 1/0, JSON text of a container); PostgreSQL: its text
    json: Expr  # the value as JSON (text on SQLite), to read paths or elements inside a container

    def is_(self, kind: str) -> BoolExpr:
        names = _TYPE_NAMES[self.dialect][kind]
        expr: BoolExpr = self.type.in_([_const(n) for n in names]) if len(names) > 1 else self.type == _const(names[0])
        if self.dialect == "postgresql" and kind in ("true", "false"):
            return and_(expr, self.raw == _const(kind))
        return expr

    def present(self) -> BoolExpr:
        """Neither missing nor JSON null; never SQL null, so that NOT of it is exact."""
        return and_(self.type.is_not(None), self.type != _const("null"))

    def string(self) -> Expr:
        return case((self.is_("string"), self.raw))

    def number(self) -> Expr:
        """The number, or null for any other type: the cast only runs on JSON numbers."""
        value = self.raw if self.dialect == "sqlite" else cast(self.raw, Numeric)
        return case((self.is_("number"), value))

    def canonical(self) -> Expr:
        """The value as JSON text, null for missing or JSON null: one SQL column that keeps the JSON type, for
        GROUP BY, DISTINCT and pipeline columns. Strings are re-quoted so that equal strings give equal text
        whatever escapes they were stored with; numbers and containers keep their JSON text."""
        if self.dialect == "postgresql":
            quoted = cast(func.to_json(self.raw), String)
            return case((self.is_("string"), quoted), (self.present(), cast(self.json, String)))
        return case(
            (self.is_("string"), func.json_quote(self.raw)),
            (self.is_("true"), _const("true")),
            (self.is_("false"), _const("false")),
            (self.present(), cast(self.raw, String)),
        )

    def order(self) -> list[Expr]:
        """Sort expressions: type rank (null lowest), then the number, then the string. Objects and arrays tie
        among themselves (the caller's tie-breaker orders them)."""
        whens: list[tuple[BoolExpr, Expr]] = [(or_(self.type.is_(None), self.type == _const("null")), _int(0))]
        whens += [(self.is_(kind), _int(rank)) for rank, kind in enumerate(_RANKS[:-1], start=1)]
        return [case(*whens, else_=_int(len(_RANKS))), self.number(), self.string()]


def at(dialect: str, doc: Expr, segments: tuple[str, ...]) -> JsonValue:
    """The value at `segments` under a JSON document (a column, or an element's JSON)."""
    if dialect == "postgresql":
        value = func.json_extract_path(doc, *(_const(s) for s in segments)) if segments else doc
        return JsonValue(dialect, func.json_typeof(value), value.op("#>>")(_const("{}")), value)
    path = _const("$" + "".join(f".{s}" for s in segments))
    extracted = func.json_extract(doc, path)
    return JsonValue(dialect, func.json_type(doc, path), extracted, extracted)


def text_document(dialect: str, text: Expr) -> Expr:
    """A canonical JSON text column (see `JsonValue.canonical`) as a JSON document to read with `at`."""
    return cast(text, JSON) if dialect == "postgresql" else text


def of_text(dialect: str, text: Expr) -> JsonValue:
    """The value a canonical JSON text column holds."""
    return at(dialect, text_document(dialect, text), ())


def elements(value: JsonValue) -> tuple[FromClause, JsonValue]:
    """A table of the value's elements, empty unless it is an array: json_array_elements fails on anything
    else, and SQLite's json_each would list an object's members."""
    array = case((value.is_("array"), value.json))
    if value.dialect == "postgresql":
        source = func.json_array_elements(array).table_valued("value").render_derived()
        item = source.c.value
        return source, JsonValue(value.dialect, func.json_typeof(item), item.op("#>>")(_const("{}")), item)
    source = func.json_each(array).table_valued("type", "value")
    return source, JsonValue(value.dialect, source.c.type, source.c.value, source.c.value)


def inside(value: JsonValue, segments: tuple[str, ...]) -> JsonValue:
    """A path inside a value that may not be an object: read as missing then (SQLite would fail to parse a
    plain string as a JSON document)."""
    return at(value.dialect, case((value.is_("object"), value.json)), segments)


def json_number(dialect: str, text: Expr) -> Expr:
    """The number in a canonical JSON text column, null when it holds anything else (for sum and average)."""
    return of_text(dialect, text).number()
