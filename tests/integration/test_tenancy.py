"""Role and tenancy matrix: each role x each verb x own workspace / other workspace / domain rows / other domain."""

from __future__ import annotations

from typing import Any

import pytest

from cloudinv.domain.auth import Role

OWN, OTHER_WS, DOMAIN_ROW, OTHER_DOMAIN = "own", "other_ws", "domain_row", "other_domain"
PLACES = (OWN, OTHER_WS, DOMAIN_ROW, OTHER_DOMAIN)

ROLES = {
    "DOMAIN_ADMIN": dict(domain_id="domain-a", role=Role.DOMAIN_ADMIN),
    "WORKSPACE_OWNER": dict(domain_id="domain-a", role=Role.WORKSPACE_OWNER, workspace_id="ws-1"),
    "WORKSPACE_MEMBER": dict(domain_id="domain-a", role=Role.WORKSPACE_MEMBER, workspace_id="ws-1"),
}

# What each role reads, and what `delete` answers, per place.
READS = {
    "DOMAIN_ADMIN": {OWN, OTHER_WS, DOMAIN_ROW},
    "WORKSPACE_OWNER": {OWN, DOMAIN_ROW},
    "WORKSPACE_MEMBER": {OWN, DOMAIN_ROW},
}
DELETES = {
    "DOMAIN_ADMIN": {OWN: "OK", OTHER_WS: "OK", DOMAIN_ROW: "OK", OTHER_DOMAIN: "ERROR_NOT_FOUND"},
    "WORKSPACE_OWNER": {
        OWN: "OK", OTHER_WS: "ERROR_NOT_FOUND", DOMAIN_ROW: "ERROR_PERMISSION_DENIED", OTHER_DOMAIN: "ERROR_NOT_FOUND",
    },
    "WORKSPACE_MEMBER": {place: "ERROR_PERMISSION_DENIED" for place in PLACES},
}  # fmt: skip


@pytest.fixture
def placed(load_jobs: Any) -> dict[str, str]:
    rows = load_jobs(
        {"domain_id": "domain-a", "workspace_id": "ws-1"},
        {"domain_id": "domain-a", "workspace_id": "ws-2"},
        {"domain_id": "domain-a", "workspace_id": "*", "resource_group": "DOMAIN"},
        {"domain_id": "domain-b", "workspace_id": "ws-1"},
    )
    return dict(zip(PLACES, (r["job_id"] for r in rows), strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_get_sees_only_the_scope(api: Any, token: Any, placed: dict[str, str], role: str) -> None:
    for place, job_id in placed.items():
        reply = api.call("get", {"job_id": job_id}, token(**ROLES[role]))
        expected = "OK" if place in READS[role] else "ERROR_NOT_FOUND"
        assert reply.code == expected, (role, place, reply)


@pytest.mark.parametrize("role", ROLES)
def test_list_stat_analyze_count_only_the_scope(api: Any, token: Any, placed: dict[str, str], role: str) -> None:
    visible = {placed[p] for p in READS[role]}
    auth = token(**ROLES[role])
    listed = api.call("list", {}, auth)
    assert {r["job_id"] for r in listed.data["results"]} == visible
    assert listed.data["total_count"] == len(visible)
    stat = api.call("stat", {"query": {"distinct": "job_id"}}, auth)
    assert set(stat.data["results"]) == visible
    analyze = api.call("analyze", {"query": {"fields": {"n": {"operator": "count"}}}}, auth)
    assert analyze.data["results"] == [{"n": len(visible)}]
    by_workspace = api.call(
        "analyze", {"query": {"group_by": ["domain_id"], "fields": {"n": {"operator": "count"}}}}, auth
    )
    assert by_workspace.data["results"] == [{"domain_id": "domain-a", "n": len(visible)}]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("place", PLACES)
def test_delete_by_role_and_place(api: Any, token: Any, placed: dict[str, str], role: str, place: str) -> None:
    reply = api.call("delete", {"job_id": placed[place]}, token(**ROLES[role]))
    assert reply.code == DELETES[role][place], reply
    admin_of_row = token(domain_id="domain-b" if place == OTHER_DOMAIN else "domain-a")
    still_there = api.call("get", {"job_id": placed[place]}, admin_of_row).ok
    assert still_there == (reply.code != "OK")


def test_client_filters_only_narrow_the_scope(api: Any, token: Any, placed: dict[str, str]) -> None:
    owner = token(**ROLES["WORKSPACE_OWNER"])
    assert api.call("list", {"workspace_id": "ws-2"}, owner).data.get("total_count", 0) == 0
    other_domain = {"query": {"filter": [{"k": "domain_id", "v": "domain-b", "o": "eq"}]}}
    assert api.call("list", other_domain, owner).data.get("total_count", 0) == 0
    keyword = {"query": {"keyword": placed[OTHER_DOMAIN]}}
    assert api.call("list", keyword, token()).data.get("total_count", 0) == 0


def test_system_token_acts_in_the_domain_it_names(application: Any, placed: dict[str, str]) -> None:
    system = application.tokens.issue("domain-root", Role.SYSTEM)
    scope = application.tokens.scope(system, x_domain_id="domain-b")
    result = application.jobs.list(scope, {})
    assert [r["job_id"] for r in result.rows] == [placed[OTHER_DOMAIN]]
