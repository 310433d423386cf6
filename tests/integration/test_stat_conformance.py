"""stat conformance: `distinct` and `aggregate` pipelines, over REST (and for some over gRPC as well), against
the oracle's answer computed in plain Python over the same stored rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from cloudinv.domain.clock import utcnow
from tests.support.analytics import Row, conformance_jobs
from tests.support.conformance import check_against_oracle


def _f(key: str, value: Any, operator: str = "eq") -> dict[str, Any]:
    return {"k": key, "v": value, "o": operator}


def _key(key: str, name: str | None = None, date_format: str | None = None) -> dict[str, Any]:
    spec = {"key": key, "name": name or key}
    return {**spec, "date_format": date_format} if date_format else spec


def _field(name: str, operator: str, key: str | None = None, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "operator": operator, **extra}
    return {**spec, "key": key} if key else spec


def _group(keys: list[dict[str, Any]], fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {"group": {"keys": keys, "fields": fields}}


N = _field("n", "count")
BY_STATUS = _group([_key("status")], [N])

# The console's "failed jobs per collector per day".
DAILY_FAILURES = {
    "filter": [_f("status", "FAILURE")],
    "aggregate": [
        _group([_key("collector_id"), _key("created_at", "date", "%Y-%m-%d")], [_field("failures", "count")]),
        {"sort": [{"key": "date"}, {"key": "collector_id"}]},
    ],
}
# The seed's example.
SEED_DISTINCT = {"distinct": "status"}

WIRE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("seed distinct", SEED_DISTINCT),
    ("daily failures per collector", DAILY_FAILURES),
    ("distinct, paged", {"distinct": "collector_id", "page": {"start": 2, "limit": 2}}),
    ("group, sort, limit", {"aggregate": [BY_STATUS, {"sort": [{"key": "n", "desc": True}]}, {"limit": 2}]}),
    ("conditions", {"aggregate": [_group([_key("collector_id")], [
        _field("failed", "count", conditions=[{"key": "status", "value": "FAILURE", "operator": "eq"}]),
        _field("not_ok", "sum", "total_tasks", conditions=[{"key": "status", "value": "SUCCESS", "operator": "not"}]),
        _field("avg_big", "average", "total_tasks", conditions=[{"key": "total_tasks", "value": 4, "operator": "gt"}]),
    ])]}),
    ("push fields, then unwind and re-sort (Python)", {"aggregate": [
        _group([_key("status")], [_field("jobs", "push", fields=[{"key": "job_id", "name": "id"},
                                                                   {"key": "total_tasks", "name": "tasks"}])]),
        {"unwind": {"path": "jobs"}}, {"sort": [{"key": "jobs.tasks", "desc": True}]}, {"limit": 7}]}),
    ("page counts before paging", {"aggregate": [_group([_key("collector_id"), _key("status")], [N])],
                                   "page": {"start": 3, "limit": 4}}),
    ("timestamps in results", {"aggregate": [_group([_key("status")], [
        _field("newest", "max", "created_at"), _field("first_done", "first", "finished_at"),
        _field("done", "push", "finished_at")])]}),
]  # fmt: skip

REST_CASES: list[tuple[str, dict[str, Any]]] = [
    ("distinct collector, nulls left out", {"distinct": "collector_id"}),
    ("distinct with a filter", {"distinct": "plugin_id", "filter": [_f("status", "SUCCESS")]}),
    ("distinct timestamps", {"distinct": "finished_at", "filter": [_f("collector_id", "collector-c")]}),
    ("distinct numbers", {"distinct": "total_tasks"}),
    ("distinct page beyond the end", {"distinct": "status", "page": {"start": 9, "limit": 3}}),
    ("group by status", {"aggregate": [BY_STATUS]}),
    ("numeric operators", {"aggregate": [_group([_key("collector_id")], [
        N, _field("sum", "sum", "total_tasks"), _field("avg", "average", "failure_tasks"),
        _field("max", "max", "total_tasks"), _field("min", "min", "remained_tasks")])]}),
    ("first, last, add_to_set", {"aggregate": [_group([_key("status")], [
        _field("first", "first", "job_id"), _field("last", "last", "collector_id"),
        _field("collectors", "add_to_set", "collector_id")])]}),
    ("push by key", {"aggregate": [_group([_key("collector_id")], [_field("tasks", "push", "total_tasks")])]}),
    ("group renames keys", {"aggregate": [_group([_key("collector_id", "c"), _key("workspace_id", "w")], [N])]}),
    ("group without keys", {"aggregate": [_group([], [N, _field("tasks", "sum", "total_tasks")])]}),
    ("conditions gte and lte", {"aggregate": [_group([_key("status")], [
        _field("mid", "count", conditions=[{"key": "total_tasks", "value": 3, "operator": "gte"},
                                           {"key": "total_tasks", "value": 7, "operator": "lte"}])])]}),
    ("conditions on timestamps", {"aggregate": [_group([_key("status")], [
        _field("recent", "count", conditions=[
            {"key": "created_at", "value": "2000-01-01T00:00:00Z", "operator": "gt"}])])]}),
    ("year, month, day", {"aggregate": [_group([_key("created_at", "y", "year"), _key("created_at", "m", "month"),
                                                _key("created_at", "d", "day")], [N])]}),
    ("date pattern with literal text", {"aggregate": [
        _group([_key("created_at", "when", "day %d, %H:00")], [N]), {"sort": [{"key": "n", "desc": True}]}]}),
    ("month pattern", {"aggregate": [_group([_key("finished_at", "month", "%Y-%m")], [N])]}),
    ("date key of a later stage", {"aggregate": [
        _group([_key("collector_id")], [_field("last_run", "max", "created_at")]),
        _group([_key("last_run", "day", "%Y-%m-%d")], [_field("collectors", "count")])]}),
    ("group of a group", {"aggregate": [
        _group([_key("collector_id"), _key("status")], [N, _field("tasks", "sum", "total_tasks")]),
        _group([_key("status")], [_field("collectors", "count"), _field("jobs", "sum", "n"),
                                  _field("busiest", "max", "n"), _field("tasks", "average", "tasks")])]}),
    ("a later group pushes earlier keys", {"aggregate": [
        _group([_key("status"), _key("collector_id")], [N]),
        _group([_key("status")], [_field("per_collector", "push", fields=[
            {"key": "collector_id", "name": "collector"}, {"key": "n", "name": "jobs"}])])]}),
    ("count", {"aggregate": [{"count": {"name": "total"}}]}),
    ("count of groups", {"aggregate": [_group([_key("collector_id"), _key("status")], [N]),
                                       {"count": {"name": "groups"}}]}),
    ("count over nothing", {"aggregate": [{"count": {"name": "total"}}], "filter": [_f("status", "TIMEOUT")]}),
    ("sort by two keys", {"aggregate": [_group([_key("collector_id"), _key("status")], [N]),
                                        {"sort": [{"key": "n", "desc": True}, {"key": "status"}]}]}),
    ("skip then limit", {"aggregate": [_group([_key("collector_id"), _key("status")], [N]), {"skip": 3},
                                       {"limit": 4}]}),
    ("limit then sort", {"aggregate": [_group([_key("collector_id"), _key("status")], [N]), {"limit": 5},
                                       {"sort": [{"key": "n", "desc": True}]}]}),
    ("limit beyond the rows", {"aggregate": [BY_STATUS, {"limit": 100}]}),
    ("raw rows: sort, limit, project", {"aggregate": [{"sort": [{"key": "total_tasks", "desc": True}]}, {"limit": 5},
        {"project": {"fields": [{"key": "job_id", "name": "id"}, {"key": "created_at", "name": "at"}]}}]}),
    ("project keeps the keys", {"aggregate": [_group([_key("status")], [N, _field("t", "sum", "total_tasks")]),
        {"project": {"fields": [{"key": "t", "name": "tasks"}]}}]}),
    ("project exclude_keys", {"aggregate": [_group([_key("status")], [N]),
        {"project": {"fields": [{"key": "n", "name": "jobs"}, {"key": "status", "name": "s"}],
                     "exclude_keys": True}}]}),
    ("project size and sum of lists", {"aggregate": [
        _group([_key("collector_id")], [_field("set", "add_to_set", "status"), _field("tasks", "push", "total_tasks")]),
        {"project": {"fields": [{"key": "set", "name": "kinds", "operator": "size"},
                                {"key": "tasks", "name": "all", "operator": "sum"}]}}]}),
    ("project sum of a number", {"aggregate": [_group([_key("status")], [_field("t", "max", "total_tasks")]),
        {"project": {"fields": [{"key": "t", "name": "t", "operator": "sum"}]}}]}),
    ("array_to_object, object_to_array", {"aggregate": [
        _group([_key("collector_id")], [_field("pairs", "push", fields=[{"key": "job_id", "name": "k"},
                                                                          {"key": "total_tasks", "name": "v"}])]),
        {"project": {"fields": [{"key": "pairs", "name": "by_id", "operator": "array_to_object"}]}},
        {"project": {"fields": [{"key": "by_id", "name": "back", "operator": "object_to_array"}]}}]}),
    ("merge_objects of objects", {"aggregate": [
        _group([_key("status"), _key("collector_id")], [_field("pairs", "push", fields=[
            {"key": "job_id", "name": "k"}, {"key": "total_tasks", "name": "v"}])]),
        {"project": {"fields": [{"key": "pairs", "name": "o", "operator": "array_to_object"}]}},
        _group([_key("status")], [_field("all", "merge_objects", "o")])]}),
    ("unwind a set, group again (Python)", {"aggregate": [
        _group([_key("status")], [_field("collectors", "add_to_set", "collector_id")]),
        {"unwind": {"path": "collectors"}},
        _group([_key("collectors", "collector")], [_field("statuses", "count"), _field("s", "push", "status")]),
        {"sort": [{"key": "statuses", "desc": True}]}]}),
    ("unwind with a filter (Python)", {"aggregate": [
        _group([_key("collector_id")], [_field("jobs", "push", fields=[{"key": "status", "name": "status"},
                                                                         {"key": "job_id", "name": "id"}])]),
        {"unwind": {"path": "jobs", "filter": [_f("jobs.status", "FAILURE")]}}]}),
    ("Python skip and count", {"aggregate": [_group([_key("status")], [_field("ids", "push", "job_id")]),
                                             {"unwind": {"path": "ids"}}, {"skip": 5}, {"count": {"name": "n"}}]}),
    ("Python group by day of unwound timestamps", {"aggregate": [
        _group([_key("status")], [_field("at", "push", "created_at")]), {"unwind": {"path": "at"}},
        _group([_key("at", "day", "%Y-%m-%d")], [N, _field("statuses", "add_to_set", "status")]),
        {"sort": [{"key": "n", "desc": True}]}]}),
    ("Python group with conditions over paths", {"aggregate": [
        _group([_key("collector_id")], [_field("jobs", "push", fields=[{"key": "status", "name": "status"},
                                                                         {"key": "total_tasks", "name": "t"}])]),
        {"unwind": {"path": "jobs"}},
        _group([_key("jobs.status", "status")], [
            _field("big", "count", conditions=[{"key": "jobs.t", "value": 3, "operator": "gte"}]),
            _field("sum_small", "sum", "jobs.t", conditions=[{"key": "jobs.t", "value": 5, "operator": "lt"}]),
            _field("avg", "average", "jobs.t"), _field("first", "first", "collector_id"),
            _field("last", "last", "jobs.t"), _field("top", "max", "jobs.t")])]}),
    ("unwind a stored field drops nulls", {"aggregate": [{"unwind": {"path": "collector_id"}},
                                                         {"count": {"name": "with_collector"}}]}),
    ("unwind a stored field with a filter", {"aggregate": [
        {"unwind": {"path": "plugin_id", "filter": [_f("status", "SUCCESS")]}}, _group([_key("plugin_id")], [N])]}),
    ("page on a Python pipeline", {"aggregate": [
        _group([_key("status")], [_field("ids", "push", "job_id")]), {"unwind": {"path": "ids"}}],
        "page": {"start": 4, "limit": 5}}),
    ("page with a filter", {"aggregate": [_group([_key("plugin_id")], [N])], "filter": [_f("total_tasks", 2, "gt")],
                            "page": {"limit": 2}}),
    ("filter_or and keyword", {"aggregate": [BY_STATUS], "filter_or": [_f("collector_id", "collector-a"),
                                                                      _f("workspace_id", "*")], "keyword": "3 c"}),
    ("unknown aggregate keys read as missing", {"aggregate": [_group([_key("status")], [
        _field("s", "sum", "nope"), _field("m", "min", "nope"), _field("set", "add_to_set", "nope")])]}),
]  # fmt: skip


@pytest.fixture
def stored(load_jobs: Any) -> tuple[list[Row], datetime]:
    now = utcnow()
    return load_jobs(*conformance_jobs(now)), now


def _check(client: Any, token: Any, stored: tuple[list[Row], datetime], query: dict[str, Any]) -> None:
    check_against_oracle(client, token, stored, "stat", query)


@pytest.mark.parametrize("query", [c[1] for c in WIRE_CASES], ids=[c[0] for c in WIRE_CASES])
def test_stat_over_both_transports(api: Any, token: Any, stored: Any, query: dict[str, Any]) -> None:
    _check(api, token, stored, query)


@pytest.mark.parametrize("query", [c[1] for c in REST_CASES], ids=[c[0] for c in REST_CASES])
def test_stat(rest: Any, token: Any, stored: Any, query: dict[str, Any]) -> None:
    _check(rest, token, stored, query)


def test_daily_failures_are_dated_by_day(rest: Any, token: Any, stored: Any) -> None:
    """Beyond agreeing with the oracle: every row is one collector's failures on one YYYY-MM-DD day."""
    reply = rest.call("stat", {"query": DAILY_FAILURES}, token())
    assert reply.ok, reply
    results = reply.data["results"]
    assert results and sum(r["failures"] for r in results) == sum(
        1 for r in stored[0] if r["status"] == "FAILURE" and r["domain_id"] == "domain-a"
    )
    assert all(len(r["date"]) == 10 and r["date"][4] == "-" for r in results)


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("neither distinct nor aggregate", {}, "ERROR_REQUIRED_PARAMETER", "query.distinct"),
    ("stage with no key", {"aggregate": [BY_STATUS, {}]}, "ERROR_INVALID_PARAMETER", "query.aggregate[1]"),
    ("negative limit", {"aggregate": [BY_STATUS, {"limit": -1}]}, "ERROR_INVALID_PARAMETER", "limit"),
    ("negative skip", {"aggregate": [BY_STATUS, {"skip": -2}]}, "ERROR_INVALID_PARAMETER", "skip"),
    ("group without keys or fields", {"aggregate": [{"group": {"keys": []}}]}, "ERROR_REQUIRED_PARAMETER",
     "group.keys"),
    ("group key without name", {"aggregate": [{"group": {"keys": [{"key": "status"}]}}]},
     "ERROR_REQUIRED_PARAMETER", "name"),
    ("group field without operator", {"aggregate": [{"group": {"keys": [_key("status")], "fields": [
        {"name": "n", "key": "total_tasks"}]}}]}, "ERROR_REQUIRED_PARAMETER", "operator"),
    ("unknown group operator", {"aggregate": [_group([_key("status")], [_field("n", "median", "total_tasks")])]},
     "ERROR_INVALID_PARAMETER", "median"),
    ("unknown group key", {"aggregate": [_group([_key("nope")], [N])]}, "ERROR_INVALID_PARAMETER", "nope"),
    ("later stage names an unknown key", {"aggregate": [BY_STATUS, {"sort": [{"key": "collector_id"}]}]},
     "ERROR_INVALID_PARAMETER", "collector_id"),
    ("conditions on max", {"aggregate": [_group([_key("status")], [_field("m", "max", "total_tasks", conditions=[
        {"key": "status", "value": "x", "operator": "eq"}])])]}, "ERROR_INVALID_PARAMETER", "conditions"),
    ("condition operator not allowed", {"aggregate": [_group([_key("status")], [_field("n", "count", conditions=[
        {"key": "status", "value": "x", "operator": "contain"}])])]}, "ERROR_INVALID_PARAMETER", "contain"),
    ("condition of the wrong type", {"aggregate": [_group([_key("status")], [_field("n", "count", conditions=[
        {"key": "total_tasks", "value": "many", "operator": "gt"}])])]}, "ERROR_INVALID_PARAMETER_TYPE",
     "total_tasks"),
    ("date_format on a text", {"aggregate": [_group([_key("status", "s", "%Y")], [N])]},
     "ERROR_INVALID_PARAMETER", "date_format"),
    ("unsupported date directive", {"aggregate": [_group([_key("created_at", "d", "%A")], [N])]},
     "ERROR_INVALID_PARAMETER", "%A"),
    ("size of a number", {"aggregate": [BY_STATUS, {"project": {"fields": [
        {"key": "n", "name": "s", "operator": "size"}]}}]}, "ERROR_INVALID_PARAMETER", "size"),
    ("project without fields", {"aggregate": [BY_STATUS, {"project": {"exclude_keys": True}}]},
     "ERROR_REQUIRED_PARAMETER", "project.fields"),
    ("count without name", {"aggregate": [{"count": {}}]}, "ERROR_REQUIRED_PARAMETER", "count.name"),
    ("unwind without path", {"aggregate": [{"unwind": {"filter": [_f("status", "x")]}}]},
     "ERROR_REQUIRED_PARAMETER", "unwind.path"),
    ("sort without keys", {"aggregate": [BY_STATUS, {"sort": []}]}, "ERROR_REQUIRED_PARAMETER", "sort.key"),
    ("unknown distinct key", {"distinct": "nope"}, "ERROR_INVALID_PARAMETER", "nope"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "code", "mentions"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_stat_is_a_precise_client_error(
    api: Any, token: Any, load_jobs: Any, query: dict[str, Any], code: str, mentions: str
) -> None:
    load_jobs({})
    reply = api.call("stat", {"query": query}, token())
    assert reply.code == code, reply
    assert mentions in reply.message
