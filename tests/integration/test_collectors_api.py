"""The Collector and JobTask APIs over REST and gRPC, and their bad input: clear errors, nothing created."""

from __future__ import annotations

from typing import Any

import pytest

from cloudinv.domain.auth import Role
from tests.support.collection import drain


def _create(api: Any, token: str, **overrides: Any) -> Any:
    body = {"name": "synthetic", "provider": "synthetic", "resource_group": "DOMAIN",
            "plugin_info": {"plugin_id": "synthetic", "options": {"resources_per_task": 3}}, **overrides}  # fmt: skip
    return api.call("create", body, token, resource="collector")


def _secret(api: Any, token: str, schema_id: str = "synthetic") -> str:
    body = {"name": "s", "schema_id": schema_id, "data": {"account": "acct-1"}, "resource_group": "DOMAIN"}
    reply = api.call("create", body, token, service="spaceone.api.secret.v1.Secret")
    assert reply.ok, reply
    return str(reply.data["secret_id"])


def test_collect_over_the_api_and_read_its_tasks(api: Any, application: Any, token: Any) -> None:
    admin = token()
    _secret(api, admin)
    collector = _create(api, admin, schedule={"state": "ENABLED", "hours": [3, 15]})
    assert collector.ok, collector
    assert collector.data["schedule"] == {"state": "ENABLED", "hours": [3, 15]}
    assert collector.data["plugin_info"]["metadata"]
    job = api.call("collect", {"collector_id": collector.data["collector_id"]}, admin, resource="collector")
    assert job.ok and job.data["status"] == "IN_PROGRESS", job
    drain(application)
    tasks = api.call("list", {"job_id": job.data["job_id"]}, admin, resource="job_task")
    [task] = tasks.data["results"]
    assert (task["status"], task["created_count"]) == ("SUCCESS", 3)
    detail = api.call("get_detail", {"job_task_id": task["job_task_id"]}, admin, resource="job_task")
    assert detail.ok, detail
    assert sum(detail.data["created_info"].values()) == 3
    listed = api.call("list", {}, admin, resource="collector")
    assert listed.data["total_count"] == 1
    stat = api.call("stat", {"query": {"distinct": "plugin_id"}}, admin, resource="collector")
    assert stat.data["results"] == ["synthetic"]
    assert api.call("delete", {"collector_id": collector.data["collector_id"]}, admin, resource="collector").ok
    assert api.call("get", {"job_id": job.data["job_id"]}, admin).code == "ERROR_NOT_FOUND"


def test_update_and_update_plugin(api: Any, token: Any) -> None:
    admin = token()
    created = _create(api, admin).data
    renamed = api.call("update", {"collector_id": created["collector_id"], "name": "renamed", "tags": {"a": "b"}},
                       admin, resource="collector")  # fmt: skip
    assert (renamed.data["name"], renamed.data["tags"]) == ("renamed", {"a": "b"})
    replug = api.call("update_plugin", {"collector_id": created["collector_id"], "options": {"resources_per_task": 9}},
                      admin, resource="collector")  # fmt: skip
    assert replug.data["plugin_info"]["options"] == {"resources_per_task": 9}


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"plugin_info": {"plugin_id": "no-such-plugin"}}, "ERROR_PLUGIN_NOT_FOUND"),
        ({"plugin_info": {"plugin_id": "grpc://127.0.0.1:9"}}, "ERROR_PLUGIN_UNREACHABLE"),
        ({"plugin_info": {"plugin_id": "synthetic", "options": {"sub_tasks": "many"}}}, "ERROR_COLLECTOR_PLUGIN"),
        ({"schedule": {"state": "ENABLED", "hours": [24]}}, "ERROR_INVALID_PARAMETER"),
        ({"schedule": {"state": "ENABLED", "hours": [-1]}}, "ERROR_INVALID_PARAMETER"),
        ({"name": ""}, "ERROR_REQUIRED_PARAMETER"),
        ({"plugin_info": {}}, "ERROR_REQUIRED_PARAMETER"),
    ],
)
def test_bad_collector_creates_nothing(api: Any, token: Any, overrides: dict[str, Any], code: str) -> None:
    reply = _create(api, token(), **overrides)
    assert reply.code == code, reply
    assert api.call("list", {}, token(), resource="collector").data.get("total_count", 0) == 0


def test_verify_plugin_with_a_secret(api: Any, token: Any) -> None:
    admin = token()
    _secret(api, admin)
    collector = _create(api, admin).data
    assert api.call("verify_plugin", {"collector_id": collector["collector_id"]}, admin, resource="collector").ok


def test_collect_with_a_secret_of_another_provider_is_refused(api: Any, token: Any) -> None:
    admin = token()
    foreign = _secret(api, admin, schema_id="aws_access_key")
    collector = _create(api, admin).data
    reply = api.call("collect", {"collector_id": collector["collector_id"], "secret_id": foreign}, admin,
                     resource="collector")  # fmt: skip
    assert reply.code == "ERROR_INVALID_PARAMETER", reply
    assert api.call("list", {}, admin).data.get("total_count", 0) == 0


def test_collectors_of_another_workspace_are_not_found(api: Any, token: Any) -> None:
    owner_1 = token(role=Role.WORKSPACE_OWNER, workspace_id="ws-1")
    owner_2 = token(role=Role.WORKSPACE_OWNER, workspace_id="ws-2")
    created = _create(api, owner_1, resource_group="WORKSPACE")
    assert created.ok, created
    collector_id = created.data["collector_id"]
    for verb in ("get", "collect", "delete"):
        assert api.call(verb, {"collector_id": collector_id}, owner_2, resource="collector").code == "ERROR_NOT_FOUND"
    member = token(role=Role.WORKSPACE_MEMBER, workspace_id="ws-1")
    assert api.call("collect", {"collector_id": collector_id}, member, resource="collector").ok
    assert api.call("delete", {"collector_id": collector_id}, member, resource="collector").code == (
        "ERROR_PERMISSION_DENIED"
    )
    domain_level = _create(api, owner_1, resource_group="DOMAIN")
    assert domain_level.code == "ERROR_PERMISSION_DENIED"
