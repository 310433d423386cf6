"""Per-resource field tables: which query keys exist, of what kind, and the SQL expression each reads.

Keys never reach SQL as text: a key either resolves here or the query is refused.
"""

from __future__ import annotations

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


NUMERIC_KINDS = frozenset({FieldKind.INTEGER, FieldKind.FLOAT})


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
    # Columns a full row shows that queries cannot name (JSON documents).
    output_only: tuple[str, ...] = ()

    @property
    def output_columns(self) -> tuple[str, ...]:
        return (*(definition.name for definition in self.fields.values()), *self.output_only)

    def lookup(self, key: str) -> ResolvedField | None:
        definition = self.fields.get(key)
        if definition is None:
            return None
        return ResolvedField(
            key=key, kind=definition.kind, expr=self.table.c[definition.name], nullable=definition.nullable
        )

    def resolve(self, key: str, where: str) -> ResolvedField:
        """The field, or ERROR_INVALID_PARAMETER naming the key: an unknown key is never an empty result."""
        resolved = self.lookup(key)
        if resolved is None:
            raise ERROR_INVALID_PARAMETER(key=where, reason=f"unknown key '{key}' for {self.resource}")
        return resolved

    def check_names(self, names: tuple[str, ...], where: str) -> None:
        for name in names:
            self.resolve(name, where)
