"""Asset types and regions streamed by plugins, kept for lookup (one row per domain and key, last wins)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from cloudinv.domain.clock import utcnow
from cloudinv.plugins.protocol import REGION
from cloudinv.store.schema import asset_lookups


def _key(item: Mapping[str, Any]) -> tuple[str, str]:
    resource = item.get("resource") or {}
    if item.get("resource_type") == REGION:
        return "region", f"{resource.get('provider')}.{resource.get('region_code') or resource.get('name')}"
    return "asset_type", f"{resource.get('provider')}.{resource.get('group')}.{resource.get('name')}"


def upsert_lookups(conn: Connection, domain_id: str, items: Sequence[Mapping[str, Any]]) -> None:
    now = utcnow()
    rows = {}
    for item in items:
        kind, key = _key(item)
        lookup_id = f"{kind}:{domain_id}:{key}"[:400]
        rows[lookup_id] = {"lookup_id": lookup_id, "kind": kind, "domain_id": domain_id,
                           "data": dict(item.get("resource") or {}), "updated_at": now}  # fmt: skip
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(asset_lookups)
    statement = statement.on_conflict_do_update(
        index_elements=["lookup_id"],
        set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
    )
    conn.execute(statement, list(rows.values()))
