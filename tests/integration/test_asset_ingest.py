"""Assets from collection: create then update, disconnection and deletion, match rules, bad resources."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from cloudinv.collection.asset_ingest import AssetIngestor
from cloudinv.domain.task import TaskContext
from cloudinv.store.schema import asset_changes, assets
from tests.support.collection import ADMIN, drain, synthetic_collector, synthetic_secret, tasks


def _collect(application: Any, collector_id: str) -> dict[str, Any]:
    started = application.collectors.collect(ADMIN, {"collector_id": collector_id})
    drain(application)
    [task] = tasks(application, started["job_id"])
    return task


def _count(application: Any, *where: Any) -> int:
    with application.database.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(assets).where(*where)).scalar_one())


def test_recollect_updates_instead_of_duplicating(application: Any) -> None:
    synthetic_secret(application)
    collector_id = synthetic_collector(application, resources_per_task=40, sub_tasks=3, seed=9)
    first = _collect(application, collector_id)
    second = _collect(application, collector_id)
    assert (first["created_count"], first["updated_count"]) == (40, 0)
    assert (second["created_count"], second["updated_count"]) == (0, 40)
    assert _count(application) == 40
    with application.database.begin() as conn:
        per_action = select(asset_changes.c.action, func.sum(asset_changes.c.asset_count)).group_by(
            asset_changes.c.action
        )
        actions = dict(conn.execute(per_action).all())
    assert {action: int(count) for action, count in actions.items()} == {"CREATE": 40, "UPDATE": 40}


def test_resources_that_vanish_are_deleted_at_the_third_miss(application: Any) -> None:
    synthetic_secret(application)
    collector_id = synthetic_collector(application, resources_per_task=50, seed=3)
    _collect(application, collector_id)
    application.collectors.update_plugin(
        ADMIN, {"collector_id": collector_id, "options": {"resources_per_task": 50, "seed": 3, "drop_share": 0.1}}
    )
    runs = [_collect(application, collector_id) for _ in range(3)]
    assert [r["disconnected_count"] for r in runs] == [5, 5, 5]
    assert [r["deleted_count"] for r in runs] == [0, 0, 5]
    assert _count(application, assets.c.state == "DELETED") == 5
    assert _count(application, assets.c.state == "ACTIVE") == 45
    assert _count(application, assets.c.deleted_at.is_not(None)) == 5
    detail = application.job_tasks.get_detail(ADMIN, {"job_task_id": runs[2]["job_task_id"]})
    assert sum(detail["deleted_info"].values()) == 5
    assert detail["disconnected_info"] == detail["deleted_info"]
    assert sum(detail["updated_info"].values()) == 45
    assert all(asset_type.startswith("synthetic.") for asset_type in detail["updated_info"])


def test_a_failed_task_disconnects_nothing(application: Any) -> None:
    synthetic_secret(application)
    collector_id = synthetic_collector(application, resources_per_task=10, seed=1)
    _collect(application, collector_id)
    application.collectors.update_plugin(
        ADMIN, {"collector_id": collector_id, "options": {"resources_per_task": 10, "seed": 1, "crash_after": 3}}
    )
    failed = _collect(application, collector_id)
    assert failed["status"] == "FAILURE"
    assert (failed["disconnected_count"], failed["deleted_count"]) == (0, 0)


def _context(**overrides: Any) -> TaskContext:
    values = {"job_id": "job-000000000001", "job_task_id": "job-task-000000000001", "sub_task_id": "s",
              "domain_id": "domain-a", "workspace_id": "*", "collector_id": "collector-1", "secret_id": None,
              "provider": "test", "project_id": None, "service_account_id": None}  # fmt: skip
    return TaskContext(**{**values, **overrides})


def _item(name: str, rules: dict[str, list[str]], **resource: Any) -> dict[str, Any]:
    body = {"name": name, "account": "acct", "data": {"resource_id": f"id-{name}"}, **resource}
    return {"state": "SUCCESS", "resource_type": "inventory.CloudService", "match_rules": rules, "resource": body}


def test_two_collectors_with_different_rules_share_one_asset(application: Any) -> None:
    ingestor = AssetIngestor(application.database)
    by_id = ingestor.ingest(_context(collector_id="collector-1"), [_item("vm-1", {"1": ["data.resource_id"]})])
    by_name = ingestor.ingest(_context(collector_id="collector-2"), [_item("vm-1", {"1": ["name", "account"]})])
    assert (by_id.created, by_name.created, by_name.updated, by_name.failure) == (1, 0, 1, 0)
    assert _count(application) == 1


def test_rules_are_tried_in_order(application: Any) -> None:
    ingestor = AssetIngestor(application.database)
    ingestor.ingest(_context(), [_item("vm-1", {"1": ["data.resource_id"]})])
    renamed = _item("vm-1-renamed", {"2": ["data.resource_id"], "1": ["name"]}, data={"resource_id": "id-vm-1"})
    outcome = ingestor.ingest(_context(), [renamed])
    assert (outcome.created, outcome.updated) == (0, 1)
    assert _count(application, assets.c.name == "vm-1-renamed") == 1


def test_several_matches_are_an_error_not_a_guess(application: Any) -> None:
    ingestor = AssetIngestor(application.database)
    ingestor.ingest(_context(), [_item("twin", {"1": ["data.resource_id"]}, data={"resource_id": "a"}),
                                 _item("twin", {"1": ["data.resource_id"]}, data={"resource_id": "b"})])  # fmt: skip
    outcome = ingestor.ingest(_context(), [_item("twin", {"1": ["name"]})])
    assert outcome.failure == 1
    assert outcome.errors[0].error_code == "ERROR_TOO_MANY_MATCH"


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (
            {"resource_type": "inventory.CloudService", "match_rules": {"1": ["name"]}, "resource": {"data": {}}},
            "no name",
        ),
        (_item("x", {"1": ["name"]}, data="text"), "must be an object"),
        (_item("x", {"1": ["data.missing"]}), "names keys it has"),
        (_item("x", {}), "no match_rules"),
        (_item("x", {"1": ["name"]}, account=5), "'account' must be a string"),
        (_item("x", {"1": ["name"]}, data={"blob": "y" * 3000}), "over the limit"),
        ({"resource_type": "inventory.Nonsense"}, "unsupported resource type"),
        ("not a dict", "malformed item"),
    ],
)
def test_a_bad_resource_is_a_counted_failure_and_the_rest_goes_in(application: Any, item: Any, reason: str) -> None:
    ingestor = AssetIngestor(application.database, max_resource_bytes=2000)
    outcome = ingestor.ingest(_context(), [item, _item("good", {"1": ["data.resource_id"]})])
    assert (outcome.created, outcome.failure) == (1, 1)
    assert reason in outcome.errors[0].message


@pytest.mark.parametrize("value", [8080, 2.5, True, "8080"], ids=["int", "float", "bool", "str"])
def test_rules_on_json_values_of_any_scalar_type_match_on_recollect(application: Any, value: Any) -> None:
    ingestor = AssetIngestor(application.database)
    item = _item("lb-1", {"1": ["data.port", "tags.zone"]}, data={"port": value}, tags={"zone": "z1"})
    first = ingestor.ingest(_context(), [item])
    second = ingestor.ingest(_context(), [item])
    assert (first.created, second.created, second.updated, second.failure) == (1, 0, 1, 0)
    assert _count(application) == 1


def test_rule_values_compare_as_text_on_both_dialects(application: Any) -> None:
    """As PostgreSQL's `#>>` reads them: the number 8080 and the string "8080" are one rule value."""
    ingestor = AssetIngestor(application.database)
    ingestor.ingest(_context(), [_item("a", {"1": ["data.port"]}, data={"port": 8080})])
    outcome = ingestor.ingest(_context(), [_item("b", {"1": ["data.port"]}, data={"port": "8080"})])
    assert (outcome.created, outcome.updated) == (0, 1)


def test_the_same_resource_twice_in_a_batch_is_one_asset_with_the_later_values(application: Any) -> None:
    ingestor = AssetIngestor(application.database)
    rules = {"1": ["data.resource_id"]}
    outcome = ingestor.ingest(_context(), [_item("old", rules, data={"resource_id": "x"}),
                                           _item("new", rules, data={"resource_id": "x"})])  # fmt: skip
    assert (outcome.created, outcome.updated) == (1, 0)
    assert _count(application) == 1
    assert _count(application, assets.c.name == "new") == 1
