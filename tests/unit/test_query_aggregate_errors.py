"""analyze and stat requests that are the caller's fault: each is an INVALID_ARGUMENT error whose message names
the key at fault, raised while parsing or checking, before any SQL runs."""

from __future__ import annotations

from typing import Any

import pytest

from cloudinv.domain.errors import InvalidArgumentError
from cloudinv.query.analyze import AnalyzeCompiler
from cloudinv.query.stages import parse_analyze_query, parse_stat_query
from cloudinv.query.stat import StatCompiler
from cloudinv.store.jobs import JOB_FIELDS

COUNT = {"n": {"operator": "count"}}


def _group(*keys: dict[str, Any], fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "group": {"keys": list(keys), "fields": fields if fields is not None else [{"name": "n", "operator": "count"}]}
    }


ANALYZE: list[tuple[str, Any, str, str]] = [
    ("query not an object", [1], "ERROR_INVALID_PARAMETER_TYPE", "query"),
    ("fields missing", {"group_by": ["status"]}, "ERROR_REQUIRED_PARAMETER", "query.fields"),
    ("fields empty", {"fields": {}}, "ERROR_REQUIRED_PARAMETER", "query.fields"),
    ("field not an object", {"fields": {"n": "count"}}, "ERROR_INVALID_PARAMETER_TYPE", "query.fields.n"),
    ("operator missing", {"fields": {"n": {"key": "x"}}}, "ERROR_REQUIRED_PARAMETER", "query.fields.operator"),
    ("key missing", {"fields": {"n": {"operator": "max"}}}, "ERROR_REQUIRED_PARAMETER", "query.fields.key"),
    ("push with neither key nor fields", {"fields": {"n": {"operator": "push"}}}, "ERROR_REQUIRED_PARAMETER",
     "query.fields.fields"),
    ("fields on a non-push", {"fields": {"n": {"operator": "max", "key": "x", "fields": {"a": "b"}}}},
     "ERROR_INVALID_PARAMETER", "only 'push'"),
    ("unknown operator", {"fields": {"n": {"operator": "median", "key": "x"}}}, "ERROR_INVALID_PARAMETER",
     "'median'"),
    ("group_by dict without name", {"group_by": [{"key": "status"}], "fields": COUNT}, "ERROR_REQUIRED_PARAMETER",
     "query.group_by.name"),
    ("group_by dict without key", {"group_by": [{"name": "s"}], "fields": COUNT}, "ERROR_REQUIRED_PARAMETER",
     "query.group_by.key"),
    ("group_by of a number", {"group_by": [3], "fields": COUNT}, "ERROR_INVALID_PARAMETER_TYPE", "query.group_by"),
    ("field_group _total_", {"group_by": ["status"], "field_group": ["_total_n"], "fields": COUNT},
     "ERROR_INVALID_PARAMETER", "query.field_group"),
    ("select without operator", {"fields": COUNT, "select": {"r": {"fields": ["n"]}}}, "ERROR_REQUIRED_PARAMETER",
     "query.select.operator"),
    ("select unknown operator", {"fields": COUNT, "select": {"r": {"operator": "pow", "fields": ["n", 2]}}},
     "ERROR_INVALID_PARAMETER", "'pow'"),
    ("stat-only operator in select", {"fields": COUNT, "select": {"r": {"operator": "array_to_object", "key": "n"}}},
     "ERROR_INVALID_PARAMETER", "array_to_object"),
    ("divide of three", {"fields": COUNT, "select": {"r": {"operator": "divide", "fields": ["n", "n", "n"]}}},
     "ERROR_INVALID_PARAMETER", "exactly two fields, got 3"),
    ("subtract of one", {"fields": COUNT, "select": {"r": {"operator": "subtract", "fields": ["n"]}}},
     "ERROR_INVALID_PARAMETER", "exactly two fields, got 1"),
    ("nested divide of one", {"fields": COUNT, "select": {"r": {"operator": "add", "fields": [
        "n", {"operator": "divide", "fields": ["n"]}]}}}, "ERROR_INVALID_PARAMETER", "exactly two"),
    ("add without fields", {"fields": COUNT, "select": {"r": {"operator": "add"}}}, "ERROR_REQUIRED_PARAMETER",
     "query.select.fields"),
    ("size without key", {"fields": COUNT, "select": {"r": {"operator": "size"}}}, "ERROR_REQUIRED_PARAMETER",
     "query.select.key"),
    ("operand of a bad type", {"fields": COUNT, "select": {"r": {"operator": "add", "fields": ["n", True]}}},
     "ERROR_INVALID_PARAMETER", "True"),
    ("negative page limit", {"fields": COUNT, "page": {"limit": -1}}, "ERROR_INVALID_PARAMETER", "query.page.limit"),
]  # fmt: skip

STAT: list[tuple[str, Any, str, str]] = [
    ("nothing asked", {}, "ERROR_REQUIRED_PARAMETER", "query.distinct"),
    ("aggregate not a list", {"aggregate": {"group": {}}}, "ERROR_INVALID_PARAMETER_TYPE", "query.aggregate"),
    ("stage not an object", {"aggregate": ["group"]}, "ERROR_INVALID_PARAMETER", "query.aggregate[0]"),
    ("stage with no key", {"aggregate": [{}]}, "ERROR_INVALID_PARAMETER", "query.aggregate[0]"),
    ("stage with two keys", {"aggregate": [{"limit": 1, "skip": 1}]}, "ERROR_INVALID_PARAMETER",
     "query.aggregate[0]"),
    ("unknown stage", {"aggregate": [{"match": {}}]}, "ERROR_INVALID_PARAMETER", "query.aggregate[0]"),
    ("negative limit", {"aggregate": [{"limit": -5}]}, "ERROR_INVALID_PARAMETER", "query.aggregate[0].limit"),
    ("zero limit", {"aggregate": [{"limit": 0}]}, "ERROR_INVALID_PARAMETER", "query.aggregate[0].limit"),
    ("fractional limit", {"aggregate": [{"limit": 1.5}]}, "ERROR_INVALID_PARAMETER_TYPE", "query.aggregate[0].limit"),
    ("negative skip", {"aggregate": [{"skip": -1}]}, "ERROR_INVALID_PARAMETER", "query.aggregate[0].skip"),
    ("group without keys or fields", {"aggregate": [{"group": {}}]}, "ERROR_REQUIRED_PARAMETER",
     "query.aggregate[0].group.keys"),
    ("group key without key", {"aggregate": [_group({"name": "s"})]}, "ERROR_REQUIRED_PARAMETER",
     "query.aggregate[0].group.keys.key"),
    ("group field without name", {"aggregate": [_group(fields=[{"operator": "count"}])]},
     "ERROR_REQUIRED_PARAMETER", "query.aggregate[0].group.fields.name"),
    ("group field without key", {"aggregate": [_group(fields=[{"name": "s", "operator": "sum"}])]},
     "ERROR_REQUIRED_PARAMETER", "query.aggregate[0].group.fields.key"),
    ("push sub-field without key", {"aggregate": [_group(fields=[{"name": "p", "operator": "push",
                                                                   "fields": [{"name": "a"}]}])]},
     "ERROR_REQUIRED_PARAMETER", "group.fields.fields.key"),
    ("conditions on push", {"aggregate": [_group(fields=[{"name": "p", "operator": "push", "key": "status",
        "conditions": [{"key": "status", "value": "x", "operator": "eq"}]}])]}, "ERROR_INVALID_PARAMETER",
     "group.fields.conditions"),
    ("condition operator regex", {"aggregate": [_group(fields=[{"name": "n", "operator": "count",
        "conditions": [{"key": "status", "value": "x", "operator": "regex"}]}])]}, "ERROR_INVALID_PARAMETER",
     "'regex'"),
    ("condition without key", {"aggregate": [_group(fields=[{"name": "n", "operator": "count",
        "conditions": [{"value": "x", "operator": "eq"}]}])]}, "ERROR_REQUIRED_PARAMETER", "conditions.key"),
    ("count without name", {"aggregate": [{"count": {}}]}, "ERROR_REQUIRED_PARAMETER", "query.aggregate[0].count.name"),
    ("sort without keys", {"aggregate": [{"sort": []}]}, "ERROR_REQUIRED_PARAMETER", "query.aggregate[0].sort.key"),
    ("sort key not a text", {"aggregate": [{"sort": [{"key": 3}]}]}, "ERROR_REQUIRED_PARAMETER", "sort.key"),
    ("project without fields", {"aggregate": [{"project": {"fields": []}}]}, "ERROR_REQUIRED_PARAMETER",
     "query.aggregate[0].project.fields"),
    ("project field without key", {"aggregate": [{"project": {"fields": [{"name": "a"}]}}]},
     "ERROR_REQUIRED_PARAMETER", "project.fields.key"),
    ("project exclude_keys not a bool", {"aggregate": [{"project": {"fields": [{"key": "a", "name": "a"}],
                                                                    "exclude_keys": "yes"}}]},
     "ERROR_INVALID_PARAMETER_TYPE", "exclude_keys"),
    ("project unknown operator", {"aggregate": [{"project": {"fields": [{"key": "a", "name": "a",
                                                                         "operator": "concat"}]}}]},
     "ERROR_INVALID_PARAMETER", "'concat'"),
    ("unwind without path", {"aggregate": [{"unwind": {}}]}, "ERROR_REQUIRED_PARAMETER", "unwind.path"),
    ("unwind filter operator", {"aggregate": [{"unwind": {"path": "a", "filter": [
        {"k": "a", "v": "x", "o": "regex"}]}}]}, "ERROR_INVALID_PARAMETER", "unwind.filter.operator"),
    ("distinct not a text", {"distinct": 3}, "ERROR_INVALID_PARAMETER_TYPE", "query.distinct"),
    ("too many stages", {"aggregate": [{"limit": 1}] * 21}, "ERROR_LIMIT_EXCEEDED", "stages"),
]  # fmt: skip


def _raises(call: Any, code: str, mentions: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert mentions in caught.value.message


@pytest.mark.parametrize(("query", "code", "mentions"), [c[1:] for c in ANALYZE], ids=[c[0] for c in ANALYZE])
def test_analyze_parse_errors(query: Any, code: str, mentions: str) -> None:
    _raises(lambda: parse_analyze_query(query), code, mentions)


@pytest.mark.parametrize(("query", "code", "mentions"), [c[1:] for c in STAT], ids=[c[0] for c in STAT])
def test_stat_parse_errors(query: Any, code: str, mentions: str) -> None:
    _raises(lambda: parse_stat_query(query), code, mentions)


# Well-formed, but wrong for the job fields or for what an earlier stage outputs: found while compiling.
ANALYZE_CHECKS: list[tuple[str, Any, str, str]] = [
    ("unknown group key", {"group_by": ["nope"], "fields": COUNT}, "ERROR_INVALID_PARAMETER", "'nope'"),
    ("group and field share a name", {"group_by": ["status"], "fields": {"status": {"operator": "count"}}},
     "ERROR_INVALID_PARAMETER", "query.fields"),
    ("field_group not a group key", {"group_by": ["status"], "field_group": ["n"], "fields": COUNT},
     "ERROR_INVALID_PARAMETER", "'n' is not a group_by name"),
    ("sort by a field without total", {"group_by": ["status", "plugin_id"], "field_group": ["plugin_id"],
        "fields": {"ids": {"operator": "push", "key": "job_id"}}, "sort": [{"key": "ids"}]},
     "ERROR_INVALID_PARAMETER", "no total"),
    ("sort by an unknown name", {"group_by": ["status"], "fields": COUNT, "sort": [{"key": "total_tasks"}]},
     "ERROR_INVALID_PARAMETER", "query.sort.key"),
    ("select of an unknown name", {"fields": COUNT, "select": {"a": "nope"}}, "ERROR_INVALID_PARAMETER", "'nope'"),
    ("arithmetic on a timestamp", {"group_by": ["status"], "fields": {"t": {"operator": "max", "key": "created_at"}},
        "select": {"r": {"operator": "multiply", "fields": ["t", 2]}}}, "ERROR_INVALID_PARAMETER", "timestamp"),
    ("size of a number", {"fields": COUNT, "select": {"r": {"operator": "size", "key": "n"}}},
     "ERROR_INVALID_PARAMETER", "'size' needs a list"),
    ("date_format on a number", {"group_by": [{"key": "total_tasks", "name": "t", "date_format": "year"}],
        "fields": COUNT}, "ERROR_INVALID_PARAMETER", "query.group_by.date_format"),
    ("merge_objects of a timestamp", {"fields": {"m": {"operator": "merge_objects", "key": "created_at"}}},
     "ERROR_INVALID_PARAMETER", "'created_at' is a timestamp"),
    ("unknown filter key", {"fields": COUNT, "filter": [{"k": "nope", "v": 1}]}, "ERROR_INVALID_PARAMETER", "nope"),
]  # fmt: skip

STAT_CHECKS: list[tuple[str, Any, str, str]] = [
    ("unknown group key", {"aggregate": [_group({"key": "nope", "name": "n"})]}, "ERROR_INVALID_PARAMETER",
     "query.aggregate[0].group.keys.key"),
    ("a later stage cannot see stored fields", {"aggregate": [_group({"key": "status", "name": "s"}),
        _group({"key": "status", "name": "s"})]}, "ERROR_INVALID_PARAMETER", "query.aggregate[1].group.keys.key"),
    ("unknown sort key", {"aggregate": [{"sort": [{"key": "nope"}]}]}, "ERROR_INVALID_PARAMETER", "'nope'"),
    ("unknown unwind path", {"aggregate": [{"unwind": {"path": "nope"}}]}, "ERROR_INVALID_PARAMETER",
     "unwind.path"),
    ("unknown condition key", {"aggregate": [_group(fields=[{"name": "n", "operator": "count",
        "conditions": [{"key": "nope", "value": 1, "operator": "eq"}]}])]}, "ERROR_INVALID_PARAMETER",
     "conditions.key"),
    ("condition value of the wrong type", {"aggregate": [_group(fields=[{"name": "n", "operator": "count",
        "conditions": [{"key": "created_at", "value": "yesterday", "operator": "gt"}]}])]},
     "ERROR_INVALID_PARAMETER", "yesterday"),
    ("unsupported date directive", {"aggregate": [_group({"key": "created_at", "name": "d", "date_format": "%B"})]},
     "ERROR_INVALID_PARAMETER", "'%B'"),
    ("a dangling %", {"aggregate": [_group({"key": "created_at", "name": "d", "date_format": "%Y-%"})]},
     "ERROR_INVALID_PARAMETER", "date_format"),
    ("duplicate output names", {"aggregate": [_group({"key": "status", "name": "n"})]}, "ERROR_INVALID_PARAMETER",
     "'n' is used twice"),
    ("project name used twice", {"aggregate": [{"project": {"fields": [{"key": "status", "name": "a"},
                                                                       {"key": "job_id", "name": "a"}]}}]},
     "ERROR_INVALID_PARAMETER", "'a' is used twice"),
    ("subtract of a text", {"aggregate": [{"project": {"fields": [{"name": "d", "operator": "subtract",
                                                                   "fields": ["total_tasks", "status"]}]}}]},
     "ERROR_INVALID_PARAMETER", "'status' is a string"),
    ("object_to_array of a number", {"aggregate": [{"project": {"fields": [
        {"name": "d", "operator": "object_to_array", "key": "total_tasks"}]}}]}, "ERROR_INVALID_PARAMETER",
     "'object_to_array' needs an object"),
    ("unwind filter with a bad value", {"aggregate": [_group({"key": "status", "name": "s"}, fields=[
        {"name": "ids", "operator": "push", "key": "job_id"}]), {"unwind": {"path": "ids", "filter": [
            {"k": "ids", "v": "x", "o": "in"}]}}]}, "ERROR_OPERATOR_LIST_VALUE_TYPE", "in"),
]  # fmt: skip


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    ("query", "code", "mentions"), [c[1:] for c in ANALYZE_CHECKS], ids=[c[0] for c in ANALYZE_CHECKS]
)
def test_analyze_compile_errors(dialect: str, query: Any, code: str, mentions: str) -> None:
    _raises(lambda: AnalyzeCompiler(JOB_FIELDS, dialect).compile(parse_analyze_query(query)), code, mentions)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize(("query", "code", "mentions"), [c[1:] for c in STAT_CHECKS], ids=[c[0] for c in STAT_CHECKS])
def test_stat_compile_errors(dialect: str, query: Any, code: str, mentions: str) -> None:
    _raises(lambda: StatCompiler(JOB_FIELDS, dialect).compile(parse_stat_query(query)), code, mentions)
