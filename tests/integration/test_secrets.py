"""The Secret API over REST and gRPC: every verb, data never shown, data encrypted at rest, get_data not served."""

from __future__ import annotations

import logging
import re
import stat
from typing import Any

import pytest
from sqlalchemy import select

from cloudinv.domain.auth import Role
from cloudinv.domain.errors import ERROR_NOT_FOUND
from cloudinv.services.secret_crypto import SECRET_KEY_FILE
from cloudinv.store.schema import secrets
from tests.support.secrets import (
    DATA,
    NEW_VALUE,
    VALUE,
    SecretApi,
    assert_no_secret,
    create_body,
    shown,
)

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
INFO_FIELDS = {
    "secret_id", "name", "state", "schema_id", "provider", "tags", "resource_group", "domain_id", "workspace_id",
    "project_id", "service_account_id", "trusted_secret_id", "created_at",
}  # fmt: skip


@pytest.fixture
def call(api: Any) -> SecretApi:
    return SecretApi(api)


def test_create_returns_the_secret_without_its_data(call: SecretApi, token: Any) -> None:
    reply = call("create", create_body(service_account_id="sa-1"), token())
    assert reply.ok, reply
    info = reply.data
    assert set(info) <= INFO_FIELDS
    assert re.match(r"^secret-[0-9a-f]{12}$", info["secret_id"])
    assert TIMESTAMP.match(info["created_at"])
    assert shown(info) == {
        "secret_id": info["secret_id"], "name": "aws prod", "state": "ENABLED", "schema_id": "aws_access_key",
        "provider": "aws", "tags": {"env": "prod"}, "resource_group": "DOMAIN", "domain_id": "domain-a",
        "workspace_id": "*", "service_account_id": "sa-1", "created_at": info["created_at"],
    }  # fmt: skip
    assert call("get", {"secret_id": info["secret_id"]}, token()).data == info


def test_rest_shows_every_field_with_null_for_unset(rest: Any, token: Any) -> None:
    info = SecretApi(rest)("create", create_body(), token()).data
    assert set(info) == INFO_FIELDS
    assert info["project_id"] is None and info["trusted_secret_id"] is None


def test_workspace_and_project_secrets(call: SecretApi, token: Any) -> None:
    admin, owner = token(), token(role=Role.WORKSPACE_OWNER, workspace_id="ws-1")
    by_admin = call("create", create_body(resource_group="WORKSPACE", workspace_id="ws-2"), admin).data
    assert (by_admin["resource_group"], by_admin["workspace_id"]) == ("WORKSPACE", "ws-2")
    own = call("create", create_body(resource_group="WORKSPACE"), owner).data
    assert own["workspace_id"] == "ws-1"
    project = call("create", create_body(resource_group="PROJECT", project_id="project-1"), owner).data
    placement = (project["resource_group"], project["workspace_id"], project["project_id"])
    assert placement == ("PROJECT", "ws-1", "project-1")


def test_update_name_tags_and_project(call: SecretApi, token: Any) -> None:
    secret_id = call("create", create_body(resource_group="WORKSPACE", workspace_id="ws-1"), token()).data["secret_id"]
    body = {"secret_id": secret_id, "name": "renamed", "tags": {"team": "a"}, "project_id": "project-9"}
    reply = call("update", body, token())
    assert reply.ok, reply
    assert (reply.data["name"], reply.data["tags"], reply.data["project_id"]) == ("renamed", {"team": "a"}, "project-9")
    assert call("get", {"secret_id": secret_id}, token()).data == reply.data
    untouched = call("update", {"secret_id": secret_id}, token()).data
    assert untouched == reply.data


def test_a_domain_secret_takes_no_project(call: SecretApi, token: Any) -> None:
    secret_id = call("create", create_body(), token()).data["secret_id"]
    reply = call("update", {"secret_id": secret_id, "project_id": "project-1"}, token())
    assert (reply.code, "project_id" in reply.message) == ("ERROR_INVALID_PARAMETER", True)


def test_disable_and_enable(call: SecretApi, token: Any) -> None:
    secret_id = call("create", create_body(), token()).data["secret_id"]
    assert call("disable", {"secret_id": secret_id}, token()).data["state"] == "DISABLED"
    assert call("list", {"state": "DISABLED"}, token()).data["total_count"] == 1
    assert call("list", {"state": "ENABLED"}, token()).data.get("total_count", 0) == 0
    assert call("enable", {"secret_id": secret_id}, token()).data["state"] == "ENABLED"
    assert call("get", {"secret_id": secret_id}, token()).data["state"] == "ENABLED"


def test_update_data_replaces_the_data_and_may_change_the_schema(call: SecretApi, token: Any, application: Any) -> None:
    secret_id = call("create", create_body(), token()).data["secret_id"]
    new_data = {"account": NEW_VALUE}
    reply = call("update_data", {"secret_id": secret_id, "data": new_data}, token())
    assert (reply.ok, reply.data) == (True, {}), reply
    assert application.secrets.get_data_for_worker("domain-a", secret_id) == new_data
    assert call("get", {"secret_id": secret_id}, token()).data["provider"] == "aws"
    call("update_data", {"secret_id": secret_id, "data": new_data, "schema_id": "synthetic"}, token())
    info = call("get", {"secret_id": secret_id}, token()).data
    assert (info["schema_id"], info["provider"]) == ("synthetic", "synthetic")


def test_delete(call: SecretApi, token: Any) -> None:
    secret_id = call("create", create_body(), token()).data["secret_id"]
    assert call("delete", {"secret_id": secret_id}, token()).ok
    assert call("get", {"secret_id": secret_id}, token()).code == "ERROR_NOT_FOUND"
    assert call("delete", {"secret_id": secret_id}, token()).code == "ERROR_NOT_FOUND"


def test_list_filters_query_and_stat(call: SecretApi, token: Any) -> None:
    aws = call("create", create_body(name="aws-1"), token()).data["secret_id"]
    call("create", create_body(name="synthetic-1", schema_id="synthetic", data={"account": "a"}), token())
    azure = call("create", create_body(name="azure-1", schema_id="azure_client_secret"), token()).data["secret_id"]
    call("disable", {"secret_id": azure}, token())

    def ids(body: dict[str, Any]) -> set[str]:
        reply = call("list", body, token())
        assert reply.ok, reply
        return {r["secret_id"] for r in reply.data.get("results", [])}

    assert len(ids({"state": "STATE_NONE"})) == 3
    assert ids({"provider": "aws"}) == {aws}
    assert ids({"schema_id": "azure_client_secret", "state": "DISABLED"}) == {azure}
    in_filter = {"query": {"filter": [{"k": "provider", "v": ["aws", "azure"], "o": "in"}]}}
    assert ids(in_filter) == {aws, azure}
    assert ids({"query": {"keyword": "azure-"}}) == {azure}
    full = call("list", {"query": {"sort": [{"key": "name"}]}}, token()).data["results"]
    assert [r["name"] for r in full] == ["aws-1", "azure-1", "synthetic-1"]
    assert full[0]["tags"] == {"env": "prod"}
    only = call("list", {"query": {"only": ["secret_id", "name"]}}, token()).data["results"]
    assert all(set(shown(r)) == {"secret_id", "name"} for r in only)
    stat = call("stat", {"query": {"distinct": "provider"}}, token())
    assert stat.data == {"results": ["aws", "azure", "synthetic"]}


def test_data_is_encrypted_at_rest_and_the_key_file_is_0600(call: SecretApi, token: Any, application: Any) -> None:
    secret_id = call("create", create_body(), token()).data["secret_id"]
    with application.database.begin() as conn:
        row = conn.execute(select(secrets).where(secrets.c.secret_id == secret_id)).mappings().one()
    assert_no_secret(repr(dict(row)))
    assert row["encrypted_data"].startswith("gAAAAA")  # a Fernet token
    key_file = application.settings.data_dir / SECRET_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    if application.database.dialect == "sqlite":  # nothing in the database files either (WAL included)
        for path in application.settings.data_dir.glob("*.db*"):
            assert VALUE.encode() not in path.read_bytes(), path


def test_worker_reads_the_data_of_its_domain_only(call: SecretApi, token: Any, application: Any) -> None:
    secret_id = call("create", create_body(), token()).data["secret_id"]
    assert application.secrets.get_data_for_worker("domain-a", secret_id) == DATA  # 5432 stays an integer
    with pytest.raises(ERROR_NOT_FOUND):
        application.secrets.get_data_for_worker("domain-b", secret_id)


def test_get_data_is_not_served(api: Any, token: Any) -> None:
    secret_id = SecretApi(api)("create", create_body(), token()).data["secret_id"]
    if api.transport == "rest":
        for path in ("/secret/v1/secret/get-data", "/secret/v1/secret/get_data"):
            response = api.post(path, {"secret_id": secret_id}, token())
            assert response.status_code == 404
            assert_no_secret(response.text)
    else:
        reply = api.call("get_data", {"secret_id": secret_id}, token(), service="spaceone.api.secret.v1.Secret")
        assert reply.code == "GRPC_UNIMPLEMENTED"


def test_nothing_about_the_data_is_logged(call: SecretApi, token: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_id = call("create", create_body(), token()).data["secret_id"]
    call("update_data", {"secret_id": secret_id, "data": {"x": NEW_VALUE}}, token())
    call("update_data", {"secret_id": secret_id, "data": {"x": NEW_VALUE}}, token(role=Role.WORKSPACE_MEMBER,
         workspace_id="ws-1"))  # fmt: skip
    call("create", create_body(schema_id="nope"), token())
    call("list", {}, token())
    assert_no_secret(caplog.text)
