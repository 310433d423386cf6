"""What a pipeline column holds, known before the query runs: it decides what SQL can compute and which
misuses are errors (a sum over a status, a date_format on a number)."""

from __future__ import annotations

from dataclasses import dataclass

from cloudinv.query.fields import FieldKind


@dataclass(frozen=True)
class Kind:
    name: str
    item: Kind | None = None  # the kind of an array's elements, when known

    @property
    def numeric(self) -> bool:
        return self.name in ("integer", "float", "number")

    @property
    def scalar(self) -> bool:
        """A value SQL can compare, sort and aggregate; the rest are JSON values, handled in Python."""
        return self.name not in ("array", "object", "any")

    def describe(self) -> str:
        return _DESCRIPTIONS.get(self.name, self.name)


INT = Kind("integer")
FLOAT = Kind("float")
NUMBER = Kind("number")  # integer or float
STRING = Kind("string")
BOOLEAN = Kind("boolean")
DATETIME = Kind("datetime")
NULL = Kind("null")  # a missing key: always null
OBJECT = Kind("object")
ANY = Kind("any")  # decided by the data, in Python stages
# A value read from a JSON path in SQL, held as canonical JSON text (query/jsonsql.py) so that one column
# keeps its type; SQL groups, counts, sorts and sums it; Python decodes it.
JSON = Kind("json")


def array_of(item: Kind) -> Kind:
    return Kind("array", item)


_DESCRIPTIONS = {
    "integer": "an integer", "float": "a number", "number": "a number", "string": "a string",
    "boolean": "a boolean", "datetime": "a timestamp", "null": "missing", "object": "an object",
    "array": "a list", "any": "any value", "json": "a JSON value",
}  # fmt: skip

FIELD_KINDS = {
    FieldKind.STRING: STRING,
    FieldKind.INTEGER: INT,
    FieldKind.FLOAT: FLOAT,
    FieldKind.BOOLEAN: BOOLEAN,
    FieldKind.DATETIME: DATETIME,
    FieldKind.JSON: OBJECT,
    FieldKind.LIST: array_of(STRING),
    FieldKind.JSON_VALUE: JSON,
}

_FIELD_KIND_OF = {"integer": FieldKind.INTEGER, "float": FieldKind.FLOAT, "number": FieldKind.FLOAT,
                  "boolean": FieldKind.BOOLEAN, "datetime": FieldKind.DATETIME,
                  "json": FieldKind.JSON_VALUE}  # fmt: skip


def field_kind(kind: Kind) -> FieldKind:
    """The filter-operator kind of a column, so that conditions check and convert values as in `filter`."""
    return _FIELD_KIND_OF.get(kind.name, FieldKind.STRING)


def sum_kind(kinds: list[Kind]) -> Kind:
    """The kind of a sum or product: integer when every part is."""
    if all(k == INT for k in kinds):
        return INT
    return FLOAT if all(k == FLOAT for k in kinds) else NUMBER


@dataclass(frozen=True)
class Schema:
    """The columns a stage outputs, in order, and which of them are the current group keys."""

    columns: tuple[tuple[str, Kind], ...]
    keys: tuple[str, ...] = ()

    def kind(self, name: str) -> Kind | None:
        """The kind of a column, or of a dotted path into a JSON column (decided by the data)."""
        for column, kind in self.columns:
            if column == name:
                return kind
        head = name.split(".", 1)[0]
        if head != name:
            for column, kind in self.columns:
                if column == head and not kind.scalar:
                    return ANY
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)
