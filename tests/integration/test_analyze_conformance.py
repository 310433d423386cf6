"""analyze conformance: each query's answer, over REST (and for some over gRPC as well), against the oracle's
computed in plain Python over the same stored rows (tests/support/oracle.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from cloudinv.domain.auth import Role
from cloudinv.domain.clock import utcnow
from tests.support import oracle
from tests.support.analytics import Row, conformance_jobs
from tests.support.compare import assert_same
from tests.support.conformance import check_against_oracle


def _f(key: str, value: Any, operator: str = "eq") -> dict[str, Any]:
    return {"k": key, "v": value, "o": operator}


COUNT = {"n": {"operator": "count"}}
TASKS = {"n": {"operator": "count"}, "tasks": {"operator": "sum", "key": "total_tasks"}}

# The console's collector-status query, as it sends it.
COLLECTOR_STATUS = {
    "group_by": ["collector_id"],
    "fields": {
        "job_status": {
            "operator": "push",
            "fields": {"status": "status", "job_id": "job_id", "total_tasks": "total_tasks",
                       "remained_tasks": "remained_tasks", "finished_at": "finished_at"},
        }
    },
    "filter": [_f("created_at", "now - 5d", "timediff_gte")],
}  # fmt: skip

# The seed document's example (with its unknown key `remain_tasks`).
SEED_EXAMPLE = {
    "group_by": ["job_id", "status"],
    "page": {"start": 1, "limit": 5},
    "fields": {
        "total_tasks_sum": {"key": "total_tasks", "operator": "sum"},
        "remain_tasks_sum": {"key": "remain_tasks", "operator": "sum"},
        "failure_tasks_sum": {"key": "failure_tasks", "operator": "sum"},
    },
}

# Checked over REST and gRPC.
WIRE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("collector status (console)", COLLECTOR_STATUS),
    ("seed example", SEED_EXAMPLE),
    ("count by status", {"group_by": ["status"], "fields": COUNT}),
    ("every numeric operator, no group", {"fields": {
        "n": {"operator": "count"}, "sum": {"operator": "sum", "key": "total_tasks"},
        "avg": {"operator": "average", "key": "total_tasks"}, "max": {"operator": "max", "key": "total_tasks"},
        "min": {"operator": "min", "key": "failure_tasks"}}}),
    ("timestamps: max, min, first, last", {"group_by": ["status"], "fields": {
        "newest": {"operator": "max", "key": "created_at"}, "oldest": {"operator": "min", "key": "finished_at"},
        "first": {"operator": "first", "key": "finished_at"}, "last": {"operator": "last", "key": "created_at"}}}),
    ("field_group pivot", {"group_by": ["collector_id", "status"], "field_group": ["status"], "fields": TASKS}),
    ("select arithmetic", {"group_by": ["collector_id"], "fields": TASKS, "select": {
        "collector": "collector_id", "per_job": {"operator": "divide", "fields": ["tasks", "n"]},
        "spare": {"operator": "subtract", "fields": ["tasks", "n"]}}}),
    ("a page from the third group", {"group_by": ["status", "collector_id"], "fields": COUNT,
                               "page": {"start": 3, "limit": 2}}),
]  # fmt: skip

REST_CASES: list[tuple[str, dict[str, Any]]] = [
    ("count by collector, null group first", {"group_by": ["collector_id"], "fields": COUNT}),
    ("two keys, count and sum", {"group_by": ["status", "collector_id"], "fields": TASKS}),
    ("group_by as {key, name}", {"group_by": [{"key": "collector_id", "name": "collector"}], "fields": TASKS}),
    ("group by workspace and plugin", {"group_by": ["workspace_id", "plugin_id"], "fields": COUNT}),
    ("average per status", {"group_by": ["status"], "fields": {"avg": {"operator": "average", "key": "total_tasks"}}}),
    ("max and min per collector", {"group_by": ["collector_id"], "fields": {
        "max": {"operator": "max", "key": "total_tasks"}, "min": {"operator": "min", "key": "total_tasks"},
        "top_status": {"operator": "max", "key": "status"}}}),
    ("first and last job per collector", {"group_by": ["collector_id"], "fields": {
        "first": {"operator": "first", "key": "job_id"}, "last": {"operator": "last", "key": "job_id"}}}),
    ("first and last of a nullable field", {"group_by": ["plugin_id"], "fields": {
        "first": {"operator": "first", "key": "request_secret_id"},
        "last": {"operator": "last", "key": "finished_at"}}}),
    ("add_to_set of statuses", {"group_by": ["collector_id"], "fields": {
        "statuses": {"operator": "add_to_set", "key": "status"}}}),
    ("add_to_set leaves nulls out", {"group_by": ["status"], "fields": {
        "collectors": {"operator": "add_to_set", "key": "collector_id"}}}),
    ("add_to_set of numbers and timestamps", {"group_by": ["status"], "fields": {
        "totals": {"operator": "add_to_set", "key": "total_tasks"},
        "finished": {"operator": "add_to_set", "key": "finished_at"}}}),
    ("push by key, in creation order", {"group_by": ["collector_id"], "fields": {
        "totals": {"operator": "push", "key": "total_tasks"}, "ids": {"operator": "push", "key": "job_id"}}}),
    ("push of timestamps", {"group_by": ["status"], "fields": {"done": {"operator": "push", "key": "finished_at"}}}),
    ("push fields without a filter", {"group_by": ["status"], "fields": {"jobs": {"operator": "push", "fields": {
        "id": "job_id", "collector": "collector_id", "created": "created_at"}}}}),
    ("unknown keys read as missing", {"group_by": ["status"], "fields": {
        "sum": {"operator": "sum", "key": "nope"}, "max": {"operator": "max", "key": "nope"},
        "set": {"operator": "add_to_set", "key": "nope"}, "push": {"operator": "push", "key": "nope"},
        "n": {"operator": "count"}}}),
    ("filter eq", {"group_by": ["collector_id"], "fields": COUNT, "filter": [_f("status", "FAILURE")]}),
    ("filter in and not_in", {"group_by": ["status"], "fields": TASKS, "filter": [
        _f("collector_id", ["collector-a", "collector-b"], "in"), _f("plugin_id", ["plugin-gcp"], "not_in")]}),
    ("filter_or", {"group_by": ["status"], "fields": COUNT, "filter_or": [
        _f("collector_id", None), _f("total_tasks", 8, "gte")]}),
    ("filter and filter_or together", {"group_by": ["collector_id"], "fields": COUNT,
        "filter": [_f("status", "SUCCESS", "not")],
        "filter_or": [_f("workspace_id", "*"), _f("total_tasks", 3, "lt")]}),
    ("keyword", {"group_by": ["status"], "fields": COUNT, "keyword": "5 E"}),
    ("datetime_gte", {"group_by": ["status"], "fields": COUNT, "filter": [
        _f("created_at", "2000-01-01T00:00:00Z", "datetime_gte")]}),
    ("timediff_lt", {"group_by": ["collector_id"], "fields": TASKS, "filter": [
        _f("created_at", "now - 3d", "timediff_lt")]}),
    ("contain and exists", {"group_by": ["plugin_id"], "fields": COUNT, "filter": [
        _f("plugin_id", "AWS", "contain"), _f("finished_at", True, "exists")]}),
    ("nothing matches", {"group_by": ["status"], "fields": COUNT, "filter": [_f("status", "TIMEOUT")]}),
    ("nothing matches, no group: one row", {"fields": TASKS, "filter": [_f("status", "TIMEOUT")]}),
    ("sort by a field, descending", {"group_by": ["collector_id"], "fields": TASKS,
                                     "sort": [{"key": "tasks", "desc": True}]}),
    ("sort by a group key, descending", {"group_by": ["status"], "fields": COUNT,
                                         "sort": [{"key": "status", "desc": True}]}),
    ("sort by two keys", {"group_by": ["status", "collector_id"], "fields": TASKS,
                          "sort": [{"key": "n", "desc": True}, {"key": "collector_id", "desc": True}]}),
    ("sort ties keep the key order", {"group_by": ["collector_id", "status"], "fields": COUNT,
                                      "sort": [{"key": "n"}]}),
    ("page beyond the groups", {"group_by": ["status"], "fields": COUNT, "page": {"start": 9, "limit": 5}}),
    ("page exactly the groups", {"group_by": ["status"], "fields": COUNT, "page": {"limit": 4}}),
    ("group by day", {"group_by": [{"key": "created_at", "name": "day", "date_format": "%Y-%m-%d"}],
                      "fields": COUNT}),
    ("field_group with totals of every kind", {"group_by": ["collector_id", "status"], "field_group": ["status"],
        "fields": {"n": {"operator": "count"}, "avg": {"operator": "average", "key": "total_tasks"},
                   "max": {"operator": "max", "key": "total_tasks"}, "min": {"operator": "min", "key": "created_at"}}}),
    ("field_group sorted by a field's total", {"group_by": ["collector_id", "status"], "field_group": ["status"],
        "fields": TASKS, "sort": [{"key": "tasks", "desc": True}]}),
    ("field_group of two keys", {"group_by": ["status", "workspace_id", "plugin_id"],
                                 "field_group": ["workspace_id", "plugin_id"], "fields": COUNT}),
    ("field_group of a pushed list", {"group_by": ["collector_id", "status"], "field_group": ["status"],
        "fields": {"n": {"operator": "count"}, "ids": {"operator": "push", "key": "job_id"}}}),
    ("field_group pivoting everything", {"group_by": ["status"], "field_group": ["status"], "fields": TASKS}),
    ("select with numbers and nesting", {"group_by": ["status"], "fields": TASKS, "select": {
        "status": "status", "score": {"operator": "add", "fields": [
            "tasks", 10, {"operator": "multiply", "fields": ["n", 2]}]}}}),
    ("select divide by zero is null", {"group_by": ["status"], "fields": {
        "failed": {"operator": "sum", "key": "failure_tasks"}, "tasks": {"operator": "sum", "key": "total_tasks"}},
        "select": {"status": "status", "rate": {"operator": "divide", "fields": ["tasks", "failed"]}}}),
    ("select size and sum of lists", {"group_by": ["collector_id"], "fields": {
        "statuses": {"operator": "add_to_set", "key": "status"}, "totals": {"operator": "push", "key": "total_tasks"}},
        "select": {"collector": "collector_id", "kinds": {"operator": "size", "key": "statuses"},
                   "all": {"operator": "sum", "key": "totals"}}}),
    ("select, sorted by a selected name", {"group_by": ["collector_id"], "fields": TASKS,
        "select": {"collector_id": "collector_id", "ratio": {"operator": "divide", "fields": ["tasks", "n"]}},
        "sort": [{"key": "ratio", "desc": True}]}),
    ("select, Python path, paged", {"group_by": ["collector_id", "status"], "fields": {
        "ids": {"operator": "push", "key": "job_id"}}, "select": {"status": "status",
        "jobs": {"operator": "size", "key": "ids"}}, "sort": [{"key": "jobs", "desc": True}],
        "page": {"start": 2, "limit": 3}}),
]  # fmt: skip


@pytest.fixture
def stored(load_jobs: Any) -> tuple[list[Row], datetime]:
    now = utcnow()
    return load_jobs(*conformance_jobs(now)), now


def _check(client: Any, token: Any, stored: tuple[list[Row], datetime], query: dict[str, Any]) -> None:
    check_against_oracle(client, token, stored, "analyze", query)


@pytest.mark.parametrize("query", [c[1] for c in WIRE_CASES], ids=[c[0] for c in WIRE_CASES])
def test_analyze_over_both_transports(api: Any, token: Any, stored: Any, query: dict[str, Any]) -> None:
    _check(api, token, stored, query)


@pytest.mark.parametrize("query", [c[1] for c in REST_CASES], ids=[c[0] for c in REST_CASES])
def test_analyze(rest: Any, token: Any, stored: Any, query: dict[str, Any]) -> None:
    _check(rest, token, stored, query)


def test_collector_status_rows_are_as_the_console_reads_them(rest: Any, token: Any, stored: Any) -> None:
    """Beyond agreeing with the oracle: the console reads these exact keys, and ISO timestamps."""
    reply = rest.call("analyze", {"query": COLLECTOR_STATUS}, token())
    assert reply.ok, reply
    assert reply.data["more"] is False
    for result in reply.data["results"]:
        assert set(result) == {"collector_id", "job_status"}
        for job in result["job_status"]:
            assert set(job) == {"status", "job_id", "total_tasks", "remained_tasks", "finished_at"}
            assert job["finished_at"] is None or job["finished_at"].endswith("Z")


def test_a_workspace_member_analyzes_only_its_workspace(rest: Any, token: Any, stored: Any) -> None:
    rows, now = stored
    member = token(role=Role.WORKSPACE_MEMBER, workspace_id="ws-1")
    reply = rest.call("analyze", {"query": {"group_by": ["workspace_id"], "fields": TASKS}}, member)
    assert reply.ok, reply
    visible = [r for r in rows if r["workspace_id"] in ("ws-1", "*")]
    expected = oracle.analyze(visible, {"group_by": ["workspace_id"], "fields": TASKS}, now)
    assert_same(reply.data, expected, exact_ints=True)


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("fields missing", {"group_by": ["status"]}, "ERROR_REQUIRED_PARAMETER", "query.fields"),
    ("operator missing", {"fields": {"n": {"key": "total_tasks"}}}, "ERROR_REQUIRED_PARAMETER",
     "query.fields.operator"),
    ("key missing", {"fields": {"n": {"operator": "sum"}}}, "ERROR_REQUIRED_PARAMETER", "query.fields.key"),
    ("push without key or fields", {"fields": {"n": {"operator": "push"}}}, "ERROR_REQUIRED_PARAMETER",
     "query.fields.fields"),
    ("unknown operator", {"fields": {"n": {"operator": "median", "key": "total_tasks"}}},
     "ERROR_INVALID_PARAMETER", "median"),
    ("divide of three fields", {"group_by": ["status"], "fields": TASKS,
        "select": {"r": {"operator": "divide", "fields": ["tasks", "n", "n"]}}}, "ERROR_INVALID_PARAMETER",
     "query.select.fields"),
    ("subtract of one field", {"fields": TASKS, "select": {"r": {"operator": "subtract", "fields": ["n"]}}},
     "ERROR_INVALID_PARAMETER", "exactly two"),
    ("unknown select operator", {"fields": TASKS, "select": {"r": {"operator": "concat", "fields": ["n"]}}},
     "ERROR_INVALID_PARAMETER", "concat"),
    ("field_group named _total_", {"group_by": ["status"], "field_group": ["_total_n"], "fields": COUNT},
     "ERROR_INVALID_PARAMETER", "_total_"),
    ("field_group not a group key", {"group_by": ["status"], "field_group": ["collector_id"], "fields": COUNT},
     "ERROR_INVALID_PARAMETER", "collector_id"),
    ("unknown group_by key", {"group_by": ["nope"], "fields": COUNT}, "ERROR_INVALID_PARAMETER", "nope"),
    ("unknown sort name", {"group_by": ["status"], "fields": COUNT, "sort": [{"key": "nope"}]},
     "ERROR_INVALID_PARAMETER", "nope"),
    ("name used twice", {"group_by": ["status"], "fields": {"status": {"operator": "count"}}},
     "ERROR_INVALID_PARAMETER", "status"),
    ("sum in a select of a text", {"group_by": ["status"], "fields": COUNT,
        "select": {"r": {"operator": "add", "fields": ["status", 1]}}}, "ERROR_INVALID_PARAMETER", "status"),
    ("bad date_format", {"group_by": [{"key": "created_at", "name": "d", "date_format": "%s"}], "fields": COUNT},
     "ERROR_INVALID_PARAMETER", "date_format"),
    ("merge_objects of a text", {"fields": {"m": {"operator": "merge_objects", "key": "status"}}},
     "ERROR_INVALID_PARAMETER", "merge_objects"),
    ("bad filter operator", {"fields": COUNT, "filter": [_f("status", "x", "like")]}, "ERROR_DB_QUERY_OPERATOR",
     "like"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "code", "mentions"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_analyze_is_a_precise_client_error(
    api: Any, token: Any, load_jobs: Any, query: dict[str, Any], code: str, mentions: str
) -> None:
    load_jobs({})
    reply = api.call("analyze", {"query": query}, token())
    assert reply.code == code, reply
    assert mentions in reply.message
