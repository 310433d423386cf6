"""Bad input is the caller's fault: the precise error, never a 500, never a partial write."""

from __future__ import annotations

from typing import Any

import pytest


def _filter(key: str, operator: str, value: Any) -> dict[str, Any]:
    return {"query": {"filter": [{"key": key, "operator": operator, "value": value}]}}


CASES = [
    ("unknown key", "list", _filter("nope", "eq", "x"), "ERROR_INVALID_PARAMETER", "nope"),
    ("unknown operator", "list", _filter("status", "like", "x"), "ERROR_DB_QUERY_OPERATOR", "like"),
    ("list operator, scalar", "list", _filter("status", "in", "SUCCESS"), "ERROR_OPERATOR_LIST_VALUE_TYPE", "in"),
    ("scalar operator, list", "list", _filter("status", "eq", ["SUCCESS"]), "ERROR_OPERATOR_VALUE_TYPE", "eq"),
    ("exists non-bool", "list", _filter("status", "exists", "yes"), "ERROR_OPERATOR_VALUE_TYPE", "exists"),
    ("int field, text", "list", _filter("total_tasks", "gt", "many"), "ERROR_INVALID_PARAMETER_TYPE", "total_tasks"),
    ("bad timestamp", "list", _filter("created_at", "gt", "yesterday"), "ERROR_INVALID_PARAMETER", "yesterday"),
    ("bad datetime op", "list", _filter("created_at", "datetime_gt", "2024-13-45"), "ERROR_INVALID_PARAMETER",
     "2024-13-45"),
    ("bad timediff", "list", _filter("created_at", "timediff_gt", "now - 5 days"), "ERROR_INVALID_PARAMETER",
     "now - 5 days"),
    ("timediff case", "list", _filter("created_at", "timediff_gt", "NOW-5d"), "ERROR_INVALID_PARAMETER", "NOW-5d"),
    ("timediff on text", "list", _filter("status", "timediff_gt", "now-5d"), "ERROR_INVALID_PARAMETER", "status"),
    ("bad regex", "list", _filter("status", "regex", "("), "ERROR_INVALID_PARAMETER", "regex"),
    ("long regex", "list", _filter("status", "regex", "a" * 300), "ERROR_INVALID_PARAMETER", "regex"),
    ("match on scalar field", "list", _filter("status", "match", {"k": "v"}), "ERROR_INVALID_PARAMETER", "match"),
    ("unknown sort key", "list", {"query": {"sort": [{"key": "nope"}]}}, "ERROR_INVALID_PARAMETER", "nope"),
    ("unknown only key", "list", {"query": {"only": ["job_id", "nope"]}}, "ERROR_INVALID_PARAMETER", "nope"),
    ("missing job_id", "get", {}, "ERROR_REQUIRED_PARAMETER", "job_id"),
    ("analyze without fields", "analyze", {"query": {"group_by": ["status"]}}, "ERROR_REQUIRED_PARAMETER",
     "query.fields"),
    ("analyze field without operator", "analyze", {"query": {"fields": {"n": {"key": "total_tasks"}}}},
     "ERROR_REQUIRED_PARAMETER", "operator"),
    ("stat without distinct or aggregate", "stat", {"query": {}}, "ERROR_REQUIRED_PARAMETER", "distinct"),
    ("stat distinct unknown key", "stat", {"query": {"distinct": "nope"}}, "ERROR_INVALID_PARAMETER", "nope"),
    ("too many conditions", "list", {"query": {"filter": [{"k": "status", "v": "x"}] * 101}},
     "ERROR_LIMIT_EXCEEDED", "conditions"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "verb", "body", "code", "mentions"), CASES, ids=[c[0] for c in CASES])
def test_bad_query_is_a_precise_client_error(
    api: Any, token: Any, load_jobs: Any, name: str, verb: str, body: dict[str, Any], code: str, mentions: str
) -> None:
    load_jobs({})
    reply = api.call(verb, body, token())
    assert reply.code == code, reply
    assert mentions in reply.message


REST_ONLY = [
    ("not JSON", b"{bad", "ERROR_INVALID_ARGUMENT"),
    ("JSON array", b"[1, 2]", "ERROR_INVALID_ARGUMENT"),
    ("unknown field", b'{"job_idd": "job-123456789012"}', "ERROR_INVALID_ARGUMENT"),
    ("wrong type", b'{"query": {"page": {"limit": "ten"}}}', "ERROR_INVALID_ARGUMENT"),
    ("wrong status enum", b'{"status": "DONE"}', "ERROR_INVALID_ARGUMENT"),
    (
        "huge number",
        b'{"query": {"filter": [{"k": "total_tasks", "v": 1' + b"0" * 400 + b"}]}}",
        "ERROR_INVALID_ARGUMENT",
    ),
]


@pytest.mark.parametrize(("name", "raw", "code"), REST_ONLY, ids=[c[0] for c in REST_ONLY])
def test_malformed_rest_body_is_400(rest: Any, token: Any, name: str, raw: bytes, code: str) -> None:
    response = rest.post("/inventory-v2/v1/job/list", raw, token())
    assert response.status_code == 400
    assert response.json()["detail"]["code"] == code


def test_oversized_body_is_400_naming_the_limit(rest: Any, token: Any) -> None:
    response = rest.post("/inventory-v2/v1/job/list", b" " * (1024 * 1024 + 1), token())
    assert response.status_code == 400
    assert "request body bytes" in response.json()["detail"]["message"]


def test_empty_body_and_no_content_type_are_accepted(rest: Any, token: Any, load_jobs: Any) -> None:
    load_jobs({})
    response = rest.post("/inventory-v2/v1/job/list", b"", token())
    assert response.status_code == 200
    assert response.json()["total_count"] == 1


def test_unknown_route_is_404_not_500(rest: Any, token: Any) -> None:
    response = rest.post("/inventory-v2/v1/job/explode", {}, token())
    assert response.status_code == 404


def test_http_status_per_error(rest: Any, token: Any) -> None:
    assert rest.post("/inventory-v2/v1/job/get", {"job_id": "job-000000000000"}, token()).status_code == 404
    assert rest.post("/inventory-v2/v1/job/get", {"job_id": "job-000000000000"}, None).status_code == 401
    member = token(role="WORKSPACE_MEMBER", workspace_id="ws-1")
    assert rest.post("/inventory-v2/v1/job/delete", {"job_id": "job-000000000000"}, member).status_code == 403
