"""The Asset API over REST and gRPC: what collection stored, queryable; deleted assets hidden from list."""

from __future__ import annotations

from typing import Any

from tests.support.collection import ADMIN, drain, synthetic_collector, synthetic_secret


def _collected(application: Any, count: int = 12) -> str:
    synthetic_secret(application)
    collector_id = synthetic_collector(application, resources_per_task=count, seed=5)
    application.collectors.collect(ADMIN, {"collector_id": collector_id})
    drain(application)
    return collector_id


def test_list_get_and_counts(api: Any, application: Any, token: Any) -> None:
    _collected(application)
    listed = api.call("list", {"query": {"sort": [{"key": "name"}]}}, token(), resource="asset")
    assert listed.ok, listed
    assert listed.data["total_count"] == 12
    first = listed.data["results"][0]
    assert first["state"] == "ACTIVE"
    assert first["provider"] == "synthetic"
    assert "resource_id" in first["data"]
    got = api.call("get", {"asset_id": first["asset_id"]}, token(), resource="asset")
    assert got.data["asset_id"] == first["asset_id"]
    stat = api.call("stat", {"query": {"distinct": "provider"}}, token(), resource="asset")
    assert stat.data["results"] == ["synthetic"]
    analyze = api.call("analyze", {"query": {"group_by": ["state"], "fields": {"n": {"operator": "count"}}}},
                       token(), resource="asset")  # fmt: skip
    assert analyze.data["results"] == [{"state": "ACTIVE", "n": 12}]


def test_deleted_assets_are_hidden_unless_state_is_named(api: Any, application: Any, token: Any) -> None:
    _collected(application, count=3)
    [victim, *_] = api.call("list", {}, token(), resource="asset").data["results"]
    assert api.call("delete", {"asset_id": victim["asset_id"]}, token(), resource="asset").ok
    assert api.call("list", {}, token(), resource="asset").data["total_count"] == 2
    named = {"query": {"filter": [{"k": "state", "v": "DELETED", "o": "eq"}]}}
    deleted = api.call("list", named, token(), resource="asset").data
    assert [a["asset_id"] for a in deleted["results"]] == [victim["asset_id"]]
    assert api.call("list", {"state": "DELETED"}, token(), resource="asset").data["total_count"] == 1


def test_create_and_update_by_hand(api: Any, token: Any) -> None:
    created = api.call("create", {"name": "manual", "provider": "onprem", "data": {"rack": 4}, "tags": {"env": "prod"}},
                       token(), resource="asset")  # fmt: skip
    assert created.ok, created
    asset_id = created.data["asset_id"]
    updated = api.call("update", {"cloud_service_id": asset_id, "name": "renamed"}, token(), resource="asset")
    assert updated.data["name"] == "renamed"
    assert updated.data["data"] == {"rack": 4}
    other_domain = token(domain_id="domain-b")
    assert api.call("get", {"asset_id": asset_id}, other_domain, resource="asset").code == "ERROR_NOT_FOUND"
