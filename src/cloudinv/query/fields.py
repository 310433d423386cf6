"""Per-resource field tables: which query keys exist, of what kind, and the SQL expression each reads.

Keys never reach SQL as text: a key either resolves here or the query is refused. The one exception is a
JSON path under a declared JSON column (`data.vm.vm_id`, `tags.env`): its segments become SQL text in a path
literal, so they are held to a plain charset here; values are still bound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Table

from cloudinv.domain.errors import ERROR_INVALID_PARAMETER
from cloudinv.query.ast import SortKey


class FieldKind(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    # A JSON object column (`data`, `tags`): keys under it are JSON paths; the column itself takes only `exists`.
    JSON = "json"
    # A JSON array of scalars (`ip_addresses`): operators look at its elements.
    LIST = "list"
    # What a JSON path resolves to; never declared.
    JSON_VALUE = "json_value"


NUMERIC_KINDS = frozenset({FieldKind.INTEGER, FieldKind.FLOAT})
JSON_KINDS = frozenset({FieldKind.JSON, FieldKind.LIST, FieldKind.JSON_VALUE})

# Letters, digits, `_` and `-`: safe inside a quoted SQL literal and the same path on both dialects. A
# segment of digits only is refused: PostgreSQL would read it as an array index, SQLite as an object key.
_SEGMENT = re.compile(r"^(?![0-9]+$)[A-Za-z0-9_\-]{1,128}$")
MAX_PATH_DEPTH = 16


def parse_path(path: str, key: str, where: str) -> tuple[str, ...]:
    """`vm.vm_id` -> ("vm", "vm_id"), or ERROR_INVALID_PARAMETER naming the bad segment."""
    segments = tuple(path.split("."))
    if len(segments) > MAX_PATH_DEPTH:
        raise ERROR_INVALID_PARAMETER(key=where, reason=f"'{key}' is deeper than {MAX_PATH_DEPTH} levels")
    for segment in segments:
        if not _SEGMENT.match(segment):
            reason = f"'{key}': path segment '{segment}' must be letters, digits, '_' or '-' (and not only digits)"
            raise ERROR_INVALID_PARAMETER(key=where, reason=reason)
    return segments


@dataclass(frozen=True)
class FieldDef:
    name: str
    kind: FieldKind
    nullable: bool = True


@dataclass(frozen=True)
class ResolvedField:
    key: str
    kind: FieldKind
    expr: ColumnElement[object]
    nullable: bool
    path: tuple[str, ...] = ()  # JSON_VALUE: the segments under `expr`, a JSON document


@dataclass(frozen=True)
class FieldTable:
    """What one resource exposes to the query language."""

    resource: str
    table: Table
    fields: Mapping[str, FieldDef]
    id_field: str
    keyword_fields: tuple[str, ...]
    default_sort: tuple[SortKey, ...]
    minimal_fields: tuple[str, ...]
    # Columns a full row shows that queries cannot name.
    output_only: tuple[str, ...] = ()

    @property
    def output_columns(self) -> tuple[str, ...]:
        return (*(definition.name for definition in self.fields.values()), *self.output_only)

    def _column(self, key: str, definition: FieldDef) -> ResolvedField:
        return ResolvedField(
            key=key, kind=definition.kind, expr=self.table.c[definition.name], nullable=definition.nullable
        )

    def json_root(self, key: str) -> FieldDef | None:
        """The JSON column a dotted key is under, if any."""
        root, dot, _ = key.partition(".")
        definition = self.fields.get(root)
        return definition if dot and definition is not None and definition.kind == FieldKind.JSON else None

    def resolve(self, key: str, where: str) -> ResolvedField:
        """The field, or ERROR_INVALID_PARAMETER naming the key: an unknown key is never an empty result."""
        definition = self.fields.get(key)
        if definition is not None:
            return self._column(key, definition)
        root = self.json_root(key)
        if root is None:
            raise ERROR_INVALID_PARAMETER(key=where, reason=f"unknown key '{key}' for {self.resource}")
        path = parse_path(key.partition(".")[2], key, where)
        return ResolvedField(key=key, kind=FieldKind.JSON_VALUE, expr=self.table.c[root.name], nullable=True, path=path)

    def check_names(self, names: tuple[str, ...], where: str) -> None:
        """Names of whole columns (`only`): a JSON path is not one."""
        for name in names:
            if self.resolve(name, where).kind == FieldKind.JSON_VALUE:
                reason = f"'{name}' is a path inside a JSON column; name the column ('{name.partition('.')[0]}')"
                raise ERROR_INVALID_PARAMETER(key=where, reason=reason)
