"""JSON paths in analyze and stat (group keys, distinct, numeric aggregates), and JSON keys over REST and gRPC.

Expected results are computed in plain Python over the fixture rows (tests/support/json_assets.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cloudinv.domain.errors import InvalidArgumentError
from tests.support.json_assets import ADMIN, ROWS, create_assets, get, is_number, matches, present, sort_rank


@pytest.fixture
def ids(application: Any) -> dict[str, str]:
    return create_assets(application)


def _value(row: dict[str, Any], key: str) -> Any:
    value = get(row, key)
    return value if present(value) else None


def groups(key: str) -> list[tuple[Any, list[str]]]:
    """Rows grouped by a key's value (missing and null together), in the query language's order."""
    found: dict[str, tuple[Any, list[str]]] = {}
    for name, row in ROWS.items():
        value = _value(row, key)
        found.setdefault(json.dumps([type(value).__name__, value]), (value, []))[1].append(name)
    return sorted(found.values(), key=lambda entry: sort_rank(entry[0]))


def numbers(names: list[str], key: str) -> list[Any]:
    return [v for v in (_value(ROWS[n], key) for n in names) if is_number(v)]


def analyze(application: Any, query: dict[str, Any]) -> list[dict[str, Any]]:
    return list(application.assets.analyze(ADMIN, {"query": query})["results"])


def stat(application: Any, query: dict[str, Any]) -> dict[str, Any]:
    return dict(application.assets.stat(ADMIN, {"query": query}))


def test_group_by_tag_counts(application: Any, ids: Any) -> None:
    got = analyze(application, {"group_by": ["tags.env"], "fields": {"n": {"operator": "count"}}})
    assert got == [{"env": value, "n": len(names)} for value, names in groups("tags.env")]
    assert [row["env"] for row in got] == [None, 1, "Prod", "dev", "prod", "stage"]  # null, numbers, strings


def test_sum_and_average_take_numbers_only(application: Any, ids: Any) -> None:
    fields = {"s": {"operator": "sum", "key": "data.size"}, "avg": {"operator": "average", "key": "data.size"}}
    got = analyze(application, {"group_by": ["tags.env"], "fields": fields})
    want = []
    for value, names in groups("tags.env"):
        found = numbers(names, "data.size")
        want.append({"env": value, "s": sum(found), "avg": sum(found) / len(found) if found else None})
    assert got == want
    assert {"env": "prod", "s": 100, "avg": 100.0} in got  # "100" (a string) is not added


def test_group_keys_keep_their_json_type(application: Any, ids: Any) -> None:
    """true, false, "true" and 1 are four groups, ordered null, numbers, strings, false, true."""
    got = analyze(
        application, {"group_by": [{"key": "data.flag", "name": "flag"}], "fields": {"n": {"operator": "count"}}}
    )
    assert got == [{"flag": value, "n": len(names)} for value, names in groups("data.flag")]
    assert [row["flag"] for row in got] == [None, 1, "true", False, True]


def test_add_to_set_and_max_over_json_paths(application: Any, ids: Any) -> None:
    """add_to_set runs in SQL, max (an order across types) in Python: both give JSON values back."""
    fields = {"types": {"operator": "add_to_set", "key": "data.type"}, "m": {"operator": "max", "key": "data.size"}}
    got = analyze(application, {"group_by": ["tags.env"], "fields": fields})
    want = []
    for value, names in groups("tags.env"):
        types = {json.dumps(t): t for t in (_value(ROWS[n], "data.type") for n in names) if t is not None}
        sizes = [s for s in (_value(ROWS[n], "data.size") for n in names) if s is not None]
        want.append({"env": value, "types": sorted(types.values(), key=sort_rank),
                     "m": max(sizes, key=sort_rank) if sizes else None})  # fmt: skip
    assert got == want


def test_group_conditions_on_json_paths(application: Any, ids: Any) -> None:
    gt50 = [{"key": "data.size", "operator": "gt", "value": 50}]
    prod = [{"key": "tags.env", "operator": "eq", "value": "prod"}]
    group = {"keys": [{"key": "data.type", "name": "type"}], "fields": [
        {"name": "n", "operator": "count", "conditions": gt50},
        {"name": "s", "operator": "sum", "key": "data.size", "conditions": prod},
    ]}  # fmt: skip
    got = stat(application, {"aggregate": [{"group": group}]})["results"]

    def passing(names: list[str], conditions: list[dict[str, Any]]) -> list[str]:
        return [n for n in names if all(matches(ROWS[n], c["key"], c["operator"], c["value"]) for c in conditions)]

    want = [{"type": value, "n": len(passing(names, gt50)), "s": sum(numbers(passing(names, prod), "data.size"))}
            for value, names in groups("data.type")]  # fmt: skip
    assert got == want


def _distinct(key: str, elements: bool = False) -> list[Any]:
    values: dict[str, Any] = {}
    for row in ROWS.values():
        value = _value(row, key)
        for item in (value or []) if elements else [value]:
            if item is not None:
                values[json.dumps([type(item).__name__, item])] = item
    return sorted(values.values(), key=sort_rank)


@pytest.mark.parametrize("key", ["data.size", "data.type", "tags.env", "data.flag", "data.vm.vm_id"])
def test_distinct_json_path(application: Any, ids: Any, key: str) -> None:
    assert stat(application, {"distinct": key}) == {"results": _distinct(key)}


def test_distinct_list_column_lists_elements_and_pages(application: Any, ids: Any) -> None:
    assert stat(application, {"distinct": "ip_addresses"}) == {"results": _distinct("ip_addresses", elements=True)}
    everything = _distinct("data.size")
    paged = stat(application, {"distinct": "data.size", "page": {"start": 2, "limit": 2}})
    assert paged == {"results": everything[1:3], "total_count": len(everything)}


def test_unwind_of_a_json_array_then_group(application: Any, ids: Any) -> None:
    """Unwinding looks inside the JSON, so it runs in Python; a scalar is a list of one."""
    group = {"keys": [{"key": "data.labels", "name": "label"}], "fields": [{"name": "n", "operator": "count"}]}
    stages = [{"unwind": {"path": "data.labels"}}, {"group": group}]
    counts: dict[str, tuple[Any, int]] = {}
    for row in ROWS.values():
        value = _value(row, "data.labels")
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            entry = counts.get(json.dumps(item), (item, 0))
            counts[json.dumps(item)] = (item, entry[1] + 1)
    want = [{"label": v, "n": n} for v, n in sorted(counts.values(), key=lambda e: sort_rank(e[0]))]
    assert stat(application, {"aggregate": stages})["results"] == want


BAD: list[tuple[str, dict[str, Any]]] = [
    ("analyze", {"group_by": ["data.a b"], "fields": {"n": {"operator": "count"}}}),
    ("analyze", {"group_by": ["nope.x"], "fields": {"n": {"operator": "count"}}}),
    ("analyze", {"group_by": ["tags.env"], "fields": {"s": {"operator": "sum", "key": "data.0"}}}),
    ("stat", {"distinct": "data"}),
    ("stat", {"distinct": "data.0"}),
    ("stat", {"distinct": "nope.x"}),
    ("stat", {"aggregate": [{"group": {"keys": [{"key": "tags.x'y", "name": "k"}], "fields": []}}]}),
]


@pytest.mark.parametrize(("verb", "query"), BAD, ids=lambda v: str(v)[:60])
def test_bad_keys_are_invalid_argument(application: Any, verb: str, query: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        getattr(application.assets, verb)(ADMIN, {"query": query})


# ---- over both transports ----


def _call(api: Any, token: Callable[..., str], verb: str, body: dict[str, Any]) -> Any:
    reply = api.call(verb, body, token(), resource="asset")
    assert reply.ok, reply
    return reply.data


def test_json_keys_over_rest_and_grpc(api: Any, application: Any, token: Any) -> None:
    ids = create_assets(application)
    query = {"filter": [{"k": "data.size", "v": 50, "o": "gt"}, {"k": "tags.env", "v": "prod", "o": "eq"}],
             "sort": [{"key": "data.size"}]}  # fmt: skip
    listed = _call(api, token, "list", {"query": query})
    assert [row["asset_id"] for row in listed["results"]] == [ids["a"]]
    assert listed["results"][0]["data"]["disks"] == ROWS["a"]["data"]["disks"]
    by_ip = _call(api, token, "list", {"ip_address": "192.168.0.1"})
    assert [row["asset_id"] for row in by_ip["results"]] == [ids["b"]]
    analyzed = _call(
        api, token, "analyze", {"query": {"group_by": ["tags.env"], "fields": {"n": {"operator": "count"}}}}
    )
    assert analyzed["results"] == [{"env": value, "n": len(names)} for value, names in groups("tags.env")]
    assert _call(api, token, "stat", {"query": {"distinct": "data.type"}})["results"] == _distinct("data.type")


@pytest.mark.parametrize(
    ("verb", "body"),
    [("list", {"query": {"filter": [{"k": "data.a b", "v": 1, "o": "eq"}]}}),
     ("list", {"query": {"filter": [{"k": "data.size", "v": None, "o": "lt"}]}}),
     ("list", {"query": {"filter": [{"k": "name", "v": None, "o": "gte"}]}}),
     ("analyze", {"query": {"group_by": ["nope.x"], "fields": {"n": {"operator": "count"}}}})],
    ids=["unsafe segment", "lt null on JSON", "gte null on a column", "unknown root"],
)  # fmt: skip
def test_bad_keys_over_rest_and_grpc(api: Any, token: Any, verb: str, body: dict[str, Any]) -> None:
    reply = api.call(verb, body, token(), resource="asset")
    assert reply.code == "ERROR_INVALID_PARAMETER", reply
