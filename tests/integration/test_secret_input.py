"""Bad Secret input: the precise error, never the data in it, never a partial write."""

from __future__ import annotations

from typing import Any

import pytest

from cloudinv.domain.auth import Role
from tests.support.secrets import VALUE, SecretApi, assert_no_secret, create_body

OWNER = {"role": Role.WORKSPACE_OWNER, "workspace_id": "ws-1"}

# (case, request body, token overrides, error code, text the message names)
CREATE_CASES = [
    ("missing data", create_body(data=None), {}, "ERROR_REQUIRED_PARAMETER", "data"),
    ("empty data", create_body(data={}), {}, "ERROR_INVALID_PARAMETER", "data"),
    ("missing schema", create_body(schema_id=None), {}, "ERROR_REQUIRED_PARAMETER", "schema_id"),
    ("unknown schema", create_body(schema_id="oci_api_key"), {}, "ERROR_INVALID_PARAMETER", "oci_api_key"),
    ("missing name", create_body(name=None), {}, "ERROR_REQUIRED_PARAMETER", "name"),
    ("missing group", create_body(resource_group=None), {}, "ERROR_REQUIRED_PARAMETER", "resource_group"),
    ("workspace group without workspace", create_body(resource_group="WORKSPACE"), {}, "ERROR_REQUIRED_PARAMETER",
     "workspace_id"),
    ("workspace group in '*'", create_body(resource_group="WORKSPACE", workspace_id="*"), {},
     "ERROR_INVALID_PARAMETER", "workspace_id"),
    ("domain group in a workspace", create_body(workspace_id="ws-1"), {}, "ERROR_INVALID_PARAMETER", "workspace_id"),
    ("domain group in a project", create_body(project_id="project-1"), {}, "ERROR_INVALID_PARAMETER", "project_id"),
    ("project group without project", create_body(resource_group="PROJECT", workspace_id="ws-1"), {},
     "ERROR_REQUIRED_PARAMETER", "project_id"),
    ("owner in another workspace", create_body(resource_group="WORKSPACE", workspace_id="ws-2"), OWNER,
     "ERROR_PERMISSION_DENIED", ""),
    ("owner at domain level", create_body(), OWNER, "ERROR_PERMISSION_DENIED", ""),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "who", "code", "names"), CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
def test_bad_create_creates_nothing(
    api: Any, token: Any, case: str, body: dict[str, Any], who: dict[str, Any], code: str, names: str
) -> None:
    call = SecretApi(api)
    reply = call("create", body, token(**who))
    assert reply.code == code, reply
    assert names in reply.message
    assert call("list", {}, token()).data.get("total_count", 0) == 0


@pytest.fixture
def secret_id(api: Any, token: Any) -> str:
    return str(SecretApi(api)("create", create_body(), token()).data["secret_id"])


@pytest.mark.parametrize(
    ("verb", "body", "code", "names"),
    [
        ("get", {}, "ERROR_REQUIRED_PARAMETER", "secret_id"),
        ("get", {"secret_id": "secret-000000000000"}, "ERROR_NOT_FOUND", "secret-000000000000"),
        ("update_data", {"secret_id": "{id}"}, "ERROR_REQUIRED_PARAMETER", "data"),
        ("update_data", {"secret_id": "{id}", "data": {}}, "ERROR_INVALID_PARAMETER", "data"),
        ("update_data", {"secret_id": "{id}", "data": {"k": "v"}, "schema_id": "nope"}, "ERROR_INVALID_PARAMETER",
         "nope"),
        ("list", {"query": {"filter": [{"k": "encrypted_data", "v": "x", "o": "eq"}]}}, "ERROR_INVALID_PARAMETER",
         "encrypted_data"),
        ("list", {"query": {"filter": [{"k": "data", "v": "x", "o": "eq"}]}}, "ERROR_INVALID_PARAMETER", "data"),
        ("list", {"query": {"only": ["secret_id", "encrypted_data"]}}, "ERROR_INVALID_PARAMETER", "encrypted_data"),
        ("stat", {"query": {"distinct": "encrypted_data"}}, "ERROR_INVALID_PARAMETER", "encrypted_data"),
    ],
)  # fmt: skip
def test_bad_requests_name_the_problem(
    api: Any, token: Any, secret_id: str, verb: str, body: dict[str, Any], code: str, names: str
) -> None:
    body = {k: (secret_id if v == "{id}" else v) for k, v in body.items()}
    reply = SecretApi(api)(verb, body, token())
    assert reply.code == code, reply
    assert names in reply.message


# Over REST the body is any JSON: data of the wrong type is refused by its type, never quoted back.
@pytest.mark.parametrize(
    ("data", "code"),
    [
        (VALUE, "ERROR_INVALID_PARAMETER_TYPE"),
        ([VALUE], "ERROR_INVALID_PARAMETER_TYPE"),
        (1234567, "ERROR_INVALID_PARAMETER_TYPE"),
        ({"k": VALUE, "big": 10**400}, "ERROR_INVALID_PARAMETER"),
    ],
    ids=["string", "list", "number", "unrepresentable"],
)
def test_rest_non_object_data_is_refused_without_echo(rest: Any, token: Any, data: Any, code: str) -> None:
    for path, body in (
        ("/secret/v1/secret/create", create_body(data=data)),
        ("/secret/v1/secret/update-data", {"secret_id": "secret-000000000000", "data": data}),
    ):
        response = rest.post(path, body, token())
        assert_no_secret(response.text)
        assert response.status_code == 400, response.text
        assert response.json()["detail"]["code"] == code
        assert "data" in response.json()["detail"]["message"]
    assert SecretApi(rest)("list", {}, token()).data["total_count"] == 0
