"""The match-rule indexes: the lookups use them, and an upgrade drops those of former expressions."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import text

from cloudinv.collection.asset_ingest import AssetIngestor
from cloudinv.domain.task import TaskContext
from cloudinv.store.asset_match import index_name, lookup_params, lookup_sql
from cloudinv.store.engine import Database
from cloudinv.store.migrate import upgrade

CONTEXT = TaskContext("job-1", "job-task-1", "s", "domain-a", "*", "collector-1", None, "test", None, None)
ITEM = {"resource_type": "inventory.CloudService", "match_rules": {"1": ["data.vm_id"]},
        "resource": {"name": "vm", "data": {"vm_id": 42}}}  # fmt: skip


def _indexes(database: Database) -> set[str]:
    with database.begin() as conn:
        return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())


def test_an_upgrade_drops_indexes_of_a_former_expression_and_ingestion_builds_the_new_one(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(database, "0003")
    former = "ix_assets_match_" + hashlib.sha1(b"data.vm_id").hexdigest()[:12]
    with database.begin() as conn:
        conn.execute(text(f"CREATE INDEX {former} ON assets (domain_id, json_extract(data, '$.vm_id'))"))
    upgrade(database)
    assert former not in _indexes(database)
    ingestor = AssetIngestor(database)
    assert ingestor.ingest(CONTEXT, [ITEM]).created == 1
    assert index_name("data.vm_id", "sqlite") in _indexes(database)
    with database.begin() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + lookup_sql(("data.vm_id",), "sqlite"), ("domain-a", "*", '["42"]')
        ))  # fmt: skip
    assert index_name("data.vm_id", "sqlite") in plan
    assert ingestor.ingest(CONTEXT, [ITEM]).updated == 1
    database.dispose()


def test_a_batch_lookup_probes_the_match_index_whatever_the_table_size(application: Any) -> None:
    """Thousands of wanted values against a table of thousands: a planner left to itself scans the domain."""
    database = application.database
    items = [{**ITEM, "resource": {"name": f"vm-{i}", "data": {"vm_id": f"id-{i}"}}} for i in range(3000)]
    assert AssetIngestor(database).ingest(CONTEXT, items).created == 3000
    dialect = database.dialect
    wanted = [(f"id-{i}",) for i in range(0, 10_000, 2)]
    params = lookup_params("domain-a", "*", wanted, 1, dialect)
    explain = "EXPLAIN " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    sql = lookup_sql(("data.vm_id",), dialect)
    with database.begin() as conn:
        if dialect == "postgresql":
            conn.exec_driver_sql("ANALYZE assets")  # with statistics too
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(explain + sql, params))
        found = conn.exec_driver_sql(sql, params).all()
    assert index_name("data.vm_id", dialect) in plan
    assert len(found) == 1500
