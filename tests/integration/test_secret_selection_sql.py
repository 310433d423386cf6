"""The selection rule in SQL agrees with `SecretSelection.matches` on both dialects; no data in what it returns."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest

from cloudinv.domain.auth import Role, Scope
from cloudinv.domain.secret import secret_selection
from cloudinv.store.secrets import SecretRepository

BASE = datetime(2024, 1, 1)


def _rows() -> list[dict[str, Any]]:
    """Every combination of the columns the rule reads, in two domains."""
    combos = itertools.product(
        ("domain-a", "domain-b"),
        ("ENABLED", "DISABLED"),
        (("aws", "aws_access_key"), ("aws", "aws_assume_role"), ("synthetic", "synthetic")),
        ("ws-1", "ws-2", "*"),
        ("sa-1", "sa-2", None),
    )
    rows = []
    for n, (domain_id, state, (provider, schema_id), workspace_id, account) in enumerate(combos):
        rows.append({
            "secret_id": f"secret-{n:012x}", "name": f"s{n}", "state": state, "schema_id": schema_id,
            "provider": provider, "encrypted_data": "not-a-token", "tags": {},
            "resource_group": "DOMAIN" if workspace_id == "*" else "WORKSPACE", "domain_id": domain_id,
            "workspace_id": workspace_id, "project_id": None, "service_account_id": account,
            "trusted_secret_id": None, "created_at": BASE + timedelta(seconds=n),
        })  # fmt: skip
    return rows


@pytest.fixture
def stored(application: Any) -> list[dict[str, Any]]:
    repository = SecretRepository(application.database)
    rows = _rows()
    for row in rows:
        repository.insert(row)
    return rows


FILTERS = [
    None,
    {"state": "DISABLED", "secrets": ["secret-000000000000"]},
    {"state": "ENABLED", "service_accounts": ["sa-1"]},
    {"state": "ENABLED", "exclude_service_accounts": ["sa-1"]},
    {"state": "ENABLED", "schemas": ["aws_assume_role"], "exclude_secrets": ["secret-000000000001"]},
    {"state": "ENABLED", "exclude_schemas": ["aws_access_key"], "service_accounts": ["sa-1", "sa-2"]},
    {"state": "ENABLED", "secrets": ["secret-000000000000", "secret-000000000003"]},
]
COLLECTORS = [("DOMAIN", "*"), ("DOMAIN", "ws-2"), ("WORKSPACE", "ws-1")]


@pytest.mark.parametrize("secret_filter", FILTERS)
@pytest.mark.parametrize(("resource_group", "workspace_id"), COLLECTORS)
def test_sql_agrees_with_the_rule(
    application: Any, stored: list[dict[str, Any]], secret_filter: Any, resource_group: str, workspace_id: str
) -> None:
    selection = secret_selection("aws", secret_filter, workspace_id, resource_group)
    expected = [r["secret_id"] for r in stored if r["domain_id"] == "domain-a" and selection.matches(r)]
    selected = application.secrets.select_for_collector("domain-a", "aws", secret_filter, workspace_id, resource_group)
    assert [r["secret_id"] for r in selected] == expected  # oldest first
    assert expected or secret_filter, "the default filter must select something"
    for row in selected:
        assert "encrypted_data" not in row and "data" not in row


def test_secret_id_and_a_user_scope(application: Any, stored: list[dict[str, Any]]) -> None:
    [first] = [r for r in stored if r["domain_id"] == "domain-a" and r["state"] == "ENABLED"][:1]
    one = application.secrets.select_for_collector("domain-a", "aws", None, "*", "DOMAIN", first["secret_id"])
    assert [r["secret_id"] for r in one] == [first["secret_id"]]
    member = Scope("domain-a", Role.WORKSPACE_MEMBER, "ws-1")
    seen = application.secrets.select_for_collector(member, "aws", None, "*", "DOMAIN")
    assert seen and {r["workspace_id"] for r in seen} == {"ws-1", "*"}
