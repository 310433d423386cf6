"""The assets repository and field table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, insert, update

from cloudinv.domain.auth import Scope
from cloudinv.domain.clock import utcnow
from cloudinv.query.ast import SortKey
from cloudinv.query.fields import FieldDef, FieldKind, FieldTable
from cloudinv.store.asset_changes import record_changes
from cloudinv.store.engine import Database
from cloudinv.store.repository import ScopedRepository
from cloudinv.store.schema import assets

_S, _I, _T, _J, _L = FieldKind.STRING, FieldKind.INTEGER, FieldKind.DATETIME, FieldKind.JSON, FieldKind.LIST

ASSET_FIELDS = FieldTable(
    resource="asset",
    table=assets,
    fields={
        f.name: f
        for f in (
            FieldDef("asset_id", _S, nullable=False),
            FieldDef("name", _S, nullable=False),
            FieldDef("state", _S, nullable=False),
            FieldDef("provider", _S),
            FieldDef("account", _S),
            FieldDef("asset_type_id", _S),
            FieldDef("region_code", _S),
            # JSON: `data.vm.vm_id` and `tags.env` are query keys; `ip_addresses` matches on any element.
            FieldDef("ip_addresses", _L, nullable=False),
            FieldDef("data", _J, nullable=False),
            FieldDef("tags", _J, nullable=False),
            FieldDef("domain_id", _S, nullable=False),
            FieldDef("workspace_id", _S, nullable=False),
            FieldDef("project_id", _S),
            FieldDef("collector_id", _S),
            FieldDef("service_account_id", _S),
            FieldDef("secret_id", _S),
            FieldDef("job_id", _S),
            FieldDef("disconnected_count", _I, nullable=False),
            FieldDef("created_at", _T, nullable=False),
            FieldDef("updated_at", _T, nullable=False),
            FieldDef("deleted_at", _T),
        )
    },
    id_field="asset_id",
    keyword_fields=("asset_id", "name"),
    default_sort=(SortKey("created_at", desc=True),),
    minimal_fields=("asset_id", "name", "state", "provider", "asset_type_id", "account", "created_at"),
)


class AssetRepository(ScopedRepository):
    def __init__(self, database: Database) -> None:
        super().__init__(database, ASSET_FIELDS)

    def create(self, row: Mapping[str, Any]) -> None:
        with self.db.begin() as conn:
            conn.execute(insert(assets).values(**row))
            self._record(conn, row["asset_id"], "CREATE", row)

    def change(self, scope: Scope, asset_id: str, values: Mapping[str, Any], action: str) -> RowMapping | None:
        """Apply `values` (an API update or delete) and record it; the row before, None when out of scope."""
        with self.db.begin() as conn:
            where: list[ColumnElement[bool]] = [assets.c.asset_id == asset_id, *self.scoped(scope)]
            row = conn.execute(assets.select().where(*where)).mappings().first()
            if row is None:
                return None
            conn.execute(update(assets).where(*where).values(**values, updated_at=utcnow()))
            self._record(conn, asset_id, action, row)
        return row

    @staticmethod
    def _record(conn: Connection, asset_id: str, action: str, row: Mapping[Any, Any]) -> None:
        record_changes(conn, action, [(asset_id, row.get("asset_type_id"))], row["domain_id"])
