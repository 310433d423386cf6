"""The secrets repository. `encrypted_data` is read by one method only, for workers: no other read selects it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, delete, insert, or_, select, update

from cloudinv.domain.auth import Scope
from cloudinv.domain.secret import Narrowing, SecretSelection
from cloudinv.query.ast import SortKey
from cloudinv.query.fields import FieldDef, FieldKind, FieldTable
from cloudinv.store.engine import Database
from cloudinv.store.repository import ScopedRepository
from cloudinv.store.schema import secrets

_S, _T = FieldKind.STRING, FieldKind.DATETIME

SECRET_FIELDS = FieldTable(
    resource="secret",
    table=secrets,
    fields={
        f.name: f
        for f in (
            FieldDef("secret_id", _S, nullable=False),
            FieldDef("name", _S, nullable=False),
            FieldDef("state", _S, nullable=False),
            FieldDef("schema_id", _S, nullable=False),
            FieldDef("provider", _S),
            FieldDef("resource_group", _S, nullable=False),
            FieldDef("domain_id", _S, nullable=False),
            FieldDef("workspace_id", _S, nullable=False),
            FieldDef("project_id", _S),
            FieldDef("service_account_id", _S),
            FieldDef("trusted_secret_id", _S),
            FieldDef("created_at", _T, nullable=False),
        )
    },
    id_field="secret_id",
    keyword_fields=("secret_id", "name"),
    default_sort=(SortKey("created_at", desc=True),),
    minimal_fields=("secret_id", "name", "state", "schema_id", "provider", "workspace_id", "created_at"),
    output_only=("tags",),
)

# Every column a caller may see: all but the ciphertext.
PUBLIC_COLUMNS = tuple(c for c in secrets.c if c.name != "encrypted_data")


class SecretRepository(ScopedRepository):
    def __init__(self, database: Database) -> None:
        super().__init__(database, SECRET_FIELDS)

    def get(self, scope: Scope, resource_id: str) -> RowMapping | None:
        query = select(*PUBLIC_COLUMNS).where(secrets.c.secret_id == resource_id, *self.scoped(scope))
        with self.db.begin() as conn:
            return conn.execute(query).mappings().first()

    def insert(self, row: Mapping[str, Any]) -> None:
        with self.db.begin() as conn:
            conn.execute(insert(secrets).values(**row))

    def update(self, scope: Scope, secret_id: str, values: Mapping[str, Any]) -> bool:
        """Change columns of a secret the scope can read; False when there is none."""
        statement = update(secrets).where(secrets.c.secret_id == secret_id, *self.scoped(scope)).values(**values)
        with self.db.begin() as conn:
            return bool(conn.execute(statement).rowcount)

    def delete(self, scope: Scope, secret_id: str) -> bool:
        statement = delete(secrets).where(secrets.c.secret_id == secret_id, *self.scoped(scope))
        with self.db.begin() as conn:
            return bool(conn.execute(statement).rowcount)

    def encrypted_data(self, domain_id: str, secret_id: str) -> str | None:
        """The ciphertext, for a worker; the only read of that column."""
        query = select(secrets.c.encrypted_data).where(
            secrets.c.secret_id == secret_id, secrets.c.domain_id == domain_id
        )
        with self.db.begin() as conn:
            value = conn.execute(query).scalar_one_or_none()
        return None if value is None else str(value)

    def select(self, scope: Scope, selection: SecretSelection) -> list[RowMapping]:
        """The secrets a collect runs on, oldest first (a stable order for the tasks)."""
        query = (
            select(*PUBLIC_COLUMNS)
            .where(*self.scoped(scope), *selection_clauses(selection))
            .order_by(secrets.c.created_at, secrets.c.secret_id)
        )
        with self.db.begin() as conn:
            return list(conn.execute(query).mappings())


def selection_clauses(selection: SecretSelection) -> list[ColumnElement[bool]]:
    """`SecretSelection.matches` as SQL; the integration tests check that both agree."""
    clauses = [secrets.c[column] == value for column, value in selection.equals]
    clauses.extend(_narrowing_clause(n) for n in selection.narrowings)
    return clauses


def _narrowing_clause(narrowing: Narrowing) -> ColumnElement[bool]:
    column = secrets.c[narrowing.column]
    values = sorted(narrowing.values)
    if narrowing.exclude:
        # SQL's NOT IN drops nulls; the rule keeps them.
        return or_(column.is_(None), column.not_in(values))
    return column.in_(values)
