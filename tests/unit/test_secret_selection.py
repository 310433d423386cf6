"""The collector's secret selection rule (collection.md, "Secrets"), and schema -> provider."""

from __future__ import annotations

from typing import Any

import pytest
from spaceone.api.secret.v1 import secret_pb2

from cloudinv.domain.secret import SecretResourceGroup, SecretState, provider_of, secret_selection


def secret(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "secret_id": "secret-000000000001",
        "state": "ENABLED",
        "provider": "aws",
        "schema_id": "aws_access_key",
        "workspace_id": "ws-1",
        "service_account_id": "sa-1",
    }
    row.update(overrides)
    return row


def selects(row: dict[str, Any], secret_filter: dict[str, Any] | None = None, **kwargs: Any) -> bool:
    arguments: dict[str, Any] = {"workspace_id": "*", "resource_group": "DOMAIN", **kwargs}
    return secret_selection("aws", secret_filter, **arguments).matches(row)


def enabled(**lists: Any) -> dict[str, Any]:
    return {"state": "ENABLED", **lists}


def test_enabled_secret_of_the_provider_is_selected() -> None:
    assert selects(secret())


@pytest.mark.parametrize(
    "overrides", [{"state": "DISABLED"}, {"provider": "azure"}, {"provider": None}], ids=["disabled", "other", "none"]
)
def test_disabled_or_other_provider_is_not(overrides: dict[str, Any]) -> None:
    assert not selects(secret(**overrides))


@pytest.mark.parametrize("state", ["DISABLED", "NONE", None])
def test_a_filter_that_is_not_enabled_does_not_narrow(state: str | None) -> None:
    secret_filter = {"state": state, "secrets": ["secret-other"], "exclude_schemas": ["aws_access_key"]}
    assert selects(secret(), secret_filter)


@pytest.mark.parametrize(
    ("lists", "expected"),
    [
        ({"secrets": ["secret-000000000001", "secret-x"]}, True),
        ({"secrets": ["secret-x"]}, False),
        ({"service_accounts": ["sa-1"]}, True),
        ({"service_accounts": ["sa-2"]}, False),
        ({"schemas": ["aws_access_key"]}, True),
        ({"schemas": ["aws_assume_role"]}, False),
        ({"exclude_secrets": ["secret-000000000001"]}, False),
        ({"exclude_secrets": ["secret-x"]}, True),
        ({"exclude_service_accounts": ["sa-1"]}, False),
        ({"exclude_schemas": ["aws_access_key"]}, False),
        ({"secrets": [], "service_accounts": [], "exclude_schemas": []}, True),  # empty lists narrow nothing
        ({"secrets": ["secret-000000000001"], "exclude_secrets": ["secret-000000000001"]}, False),
        ({"schemas": ["aws_access_key"], "exclude_service_accounts": ["sa-9"]}, True),
    ],
)
def test_an_enabled_filter_narrows(lists: dict[str, Any], expected: bool) -> None:
    assert selects(secret(), enabled(**lists)) is expected


def test_a_secret_without_service_account_is_kept_by_exclusions_and_dropped_by_inclusions() -> None:
    lone = secret(service_account_id=None)
    assert selects(lone, enabled(exclude_service_accounts=["sa-1"]))
    assert not selects(lone, enabled(service_accounts=["sa-1"]))


def test_one_id_given_as_a_string_is_one_id_not_its_characters() -> None:
    assert selects(secret(), enabled(secrets="secret-000000000001"))
    assert not selects(secret(secret_id="s"), enabled(secrets="secret-000000000001"))


def test_a_workspace_collector_gets_its_workspace_only_not_the_domain_secrets() -> None:
    as_workspace = {"workspace_id": "ws-1", "resource_group": "WORKSPACE"}
    assert selects(secret(workspace_id="ws-1"), **as_workspace)
    assert not selects(secret(workspace_id="ws-2"), **as_workspace)
    assert not selects(secret(workspace_id="*"), **as_workspace)


@pytest.mark.parametrize("workspace_id", ["*", None])
def test_a_domain_collector_gets_every_workspace(workspace_id: str | None) -> None:
    for where in ("ws-1", "ws-2", "*"):
        assert selects(secret(workspace_id=where), workspace_id=workspace_id)


def test_a_domain_collector_narrowed_to_a_named_workspace() -> None:
    assert selects(secret(workspace_id="ws-2"), workspace_id="ws-2")
    assert not selects(secret(workspace_id="ws-1"), workspace_id="ws-2")


@pytest.mark.parametrize("workspace_id", ["*", None, ""])
def test_a_workspace_collector_without_a_workspace_is_a_defect(workspace_id: str | None) -> None:
    with pytest.raises(ValueError, match="workspace_id"):
        secret_selection("aws", None, workspace_id, "WORKSPACE")


def test_secret_id_runs_that_one_secret_only_and_only_if_it_qualifies() -> None:
    assert selects(secret(), secret_id="secret-000000000001")
    assert not selects(secret(secret_id="secret-000000000002"), secret_id="secret-000000000001")
    assert not selects(secret(state="DISABLED"), secret_id="secret-000000000001")
    excluded = enabled(exclude_secrets=["secret-000000000001"])
    assert not selects(secret(), excluded, secret_id="secret-000000000001")


@pytest.mark.parametrize(
    ("schema_id", "provider"),
    [
        ("synthetic", "synthetic"),
        ("aws_access_key", "aws"),
        ("aws_assume_role", "aws"),
        ("azure_client_secret", "azure"),
        ("google_oauth2_credentials", "google_cloud"),
        ("oci_api_key", None),
        ("", None),
    ],
)
def test_provider_of_schema(schema_id: str, provider: str | None) -> None:
    assert provider_of(schema_id) == provider


def test_states_and_resource_groups_equal_the_proto() -> None:
    def names(enum: Any, unset: str) -> set[str]:
        return {value.name for value in enum.DESCRIPTOR.values} - {unset}

    assert {s.value for s in SecretState} == names(secret_pb2.SecretInfo.State, "STATE_NONE")
    expected = names(secret_pb2.SecretInfo.ResourceGroup, "RESOURCE_GROUP_NONE")
    assert {g.value for g in SecretResourceGroup} == expected
