"""The change record: which job and task (or, for API calls, nobody) created, updated, disconnected or
deleted which assets, one row per action and asset type of a batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert

from cloudinv.domain.clock import utcnow
from cloudinv.store.schema import asset_changes


def record_changes(
    conn: Connection,
    action: str,
    assets: Iterable[tuple[str, str | None]],
    domain_id: str,
    collector_id: str | None = None,
    job_id: str | None = None,
    job_task_id: str | None = None,
) -> None:
    """`assets`: (asset_id, asset_type_id) pairs."""
    by_type: dict[str | None, list[str]] = defaultdict(list)
    for asset_id, asset_type_id in assets:
        by_type[asset_type_id].append(asset_id)
    if not by_type:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {"action": action, "asset_type_id": asset_type_id, "asset_count": len(ids), "asset_ids": ids,
         "domain_id": domain_id, "collector_id": collector_id, "job_id": job_id, "job_task_id": job_task_id,
         "created_at": now}
        for asset_type_id, ids in by_type.items()
    ]  # fmt: skip
    conn.execute(insert(asset_changes), rows)
