"""Secret tenancy matrix: each role x each verb x own workspace / other workspace / domain row / other domain."""

from __future__ import annotations

from typing import Any

import pytest

from cloudinv.domain.auth import Role, Scope
from tests.support.secrets import NEW_VALUE, SecretApi, create_body

OWN, OTHER_WS, DOMAIN_ROW, OTHER_DOMAIN = "own", "other_ws", "domain_row", "other_domain"
PLACES = (OWN, OTHER_WS, DOMAIN_ROW, OTHER_DOMAIN)
OK, DENIED, NOT_FOUND = "OK", "ERROR_PERMISSION_DENIED", "ERROR_NOT_FOUND"

ROLES = {
    "DOMAIN_ADMIN": dict(domain_id="domain-a", role=Role.DOMAIN_ADMIN),
    "WORKSPACE_OWNER": dict(domain_id="domain-a", role=Role.WORKSPACE_OWNER, workspace_id="ws-1"),
    "WORKSPACE_MEMBER": dict(domain_id="domain-a", role=Role.WORKSPACE_MEMBER, workspace_id="ws-1"),
}
READS = {
    "DOMAIN_ADMIN": {OWN, OTHER_WS, DOMAIN_ROW},
    "WORKSPACE_OWNER": {OWN, DOMAIN_ROW},
    "WORKSPACE_MEMBER": {OWN, DOMAIN_ROW},
}
# Every write verb answers alike: a member is refused before any lookup; an owner may not touch `*` rows.
WRITES = {
    "DOMAIN_ADMIN": {OWN: OK, OTHER_WS: OK, DOMAIN_ROW: OK, OTHER_DOMAIN: NOT_FOUND},
    "WORKSPACE_OWNER": {OWN: OK, OTHER_WS: NOT_FOUND, DOMAIN_ROW: DENIED, OTHER_DOMAIN: NOT_FOUND},
    "WORKSPACE_MEMBER": {place: DENIED for place in PLACES},
}
WRITE_VERBS = {
    "update": {"name": "changed"},
    "disable": {},
    "enable": {},
    "update_data": {"data": {"account": NEW_VALUE}},
    "delete": {},
}
# create: (resource_group, workspace_id) -> answer per role
CREATES = {
    ("DOMAIN", None): {"DOMAIN_ADMIN": OK, "WORKSPACE_OWNER": DENIED, "WORKSPACE_MEMBER": DENIED},
    ("WORKSPACE", "ws-1"): {"DOMAIN_ADMIN": OK, "WORKSPACE_OWNER": OK, "WORKSPACE_MEMBER": DENIED},
    ("WORKSPACE", "ws-2"): {"DOMAIN_ADMIN": OK, "WORKSPACE_OWNER": DENIED, "WORKSPACE_MEMBER": DENIED},
    ("PROJECT", "ws-1"): {"DOMAIN_ADMIN": OK, "WORKSPACE_OWNER": OK, "WORKSPACE_MEMBER": DENIED},
}


def _seed(application: Any, domain_id: str, group: str, workspace_id: str | None) -> str:
    scope = Scope(domain_id, Role.DOMAIN_ADMIN)
    body = create_body(name=f"{domain_id}/{workspace_id}", resource_group=group, workspace_id=workspace_id)
    return str(application.secrets.create(scope, body)["secret_id"])


@pytest.fixture
def placed(application: Any) -> dict[str, str]:
    return {
        OWN: _seed(application, "domain-a", "WORKSPACE", "ws-1"),
        OTHER_WS: _seed(application, "domain-a", "WORKSPACE", "ws-2"),
        DOMAIN_ROW: _seed(application, "domain-a", "DOMAIN", None),
        OTHER_DOMAIN: _seed(application, "domain-b", "WORKSPACE", "ws-1"),
    }


def _admin_view(application: Any, place: str, secret_id: str) -> dict[str, Any] | None:
    scope = Scope("domain-b" if place == OTHER_DOMAIN else "domain-a", Role.DOMAIN_ADMIN)
    rows = application.secrets.list(scope, {"secret_id": secret_id}).rows
    return rows[0] if rows else None


@pytest.mark.parametrize("role", ROLES)
def test_reads_see_only_the_scope(api: Any, token: Any, placed: dict[str, str], role: str) -> None:
    call, auth = SecretApi(api), token(**ROLES[role])
    visible = {placed[p] for p in READS[role]}
    for place, secret_id in placed.items():
        expected = OK if place in READS[role] else NOT_FOUND
        assert call("get", {"secret_id": secret_id}, auth).code == expected, (role, place)
    listed = call("list", {}, auth).data
    assert {r["secret_id"] for r in listed["results"]} == visible
    assert listed["total_count"] == len(visible)
    assert set(call("stat", {"query": {"distinct": "secret_id"}}, auth).data["results"]) == visible


@pytest.mark.parametrize("verb", WRITE_VERBS)
@pytest.mark.parametrize("role", ROLES)
def test_writes_by_role_and_place(
    api: Any, token: Any, application: Any, placed: dict[str, str], role: str, verb: str
) -> None:
    call, auth = SecretApi(api), token(**ROLES[role])
    if verb == "enable":  # so that an allowed enable changes something
        for place, secret_id in placed.items():
            application.secrets.disable(Scope("domain-b" if place == OTHER_DOMAIN else "domain-a",
                                              Role.DOMAIN_ADMIN), {"secret_id": secret_id})  # fmt: skip
    for place, secret_id in placed.items():
        before = _admin_view(application, place, secret_id)
        assert before is not None
        data_before = application.secrets.get_data_for_worker(before["domain_id"], secret_id)
        reply = call(verb, {"secret_id": secret_id, **WRITE_VERBS[verb]}, auth)
        assert reply.code == WRITES[role][place], (role, verb, place, reply)
        after = _admin_view(application, place, secret_id)
        changed = after != before or (
            after is not None and application.secrets.get_data_for_worker(after["domain_id"], secret_id) != data_before
        )
        assert changed == (reply.code == OK), (role, verb, place)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("group", "workspace_id"), CREATES)
def test_create_by_role_and_place(
    api: Any, token: Any, application: Any, role: str, group: str, workspace_id: str | None
) -> None:
    body = create_body(resource_group=group, workspace_id=workspace_id)
    if group == "PROJECT":
        body["project_id"] = "project-1"
    reply = SecretApi(api)("create", body, token(**ROLES[role]))
    assert reply.code == CREATES[(group, workspace_id)][role], reply
    stored = application.secrets.list(Scope("domain-a", Role.DOMAIN_ADMIN), {}).total_count
    assert stored == (1 if reply.ok else 0)


def test_client_filters_only_narrow_the_scope(api: Any, token: Any, placed: dict[str, str]) -> None:
    call, owner = SecretApi(api), token(**ROLES["WORKSPACE_OWNER"])
    assert call("list", {"workspace_id": "ws-2"}, owner).data.get("total_count", 0) == 0
    other_domain = {"query": {"filter": [{"k": "domain_id", "v": "domain-b", "o": "eq"}]}}
    assert call("list", other_domain, owner).data.get("total_count", 0) == 0
    assert call("list", {"query": {"keyword": placed[OTHER_DOMAIN]}}, token()).data.get("total_count", 0) == 0


def test_system_token_acts_in_the_domain_it_names(application: Any, placed: dict[str, str]) -> None:
    system = application.tokens.issue("domain-root", Role.SYSTEM)
    scope = application.tokens.scope(system, x_domain_id="domain-b")
    assert [r["secret_id"] for r in application.secrets.list(scope, {}).rows] == [placed[OTHER_DOMAIN]]
    created = application.secrets.create(scope, create_body())
    assert created["domain_id"] == "domain-b"
