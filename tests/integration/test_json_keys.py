"""JSON paths (`data.size`, `tags.env`) and list fields (`ip_addresses`) in filters and sort, on both dialects.

Each case has a hand-written answer that tells the operator apart from its neighbours (type-following
equality, any-element, null semantics); the answers are also checked against a plain-Python oracle of the
spec (tests/support/json_assets.py), and the database against both.
"""

from __future__ import annotations

from typing import Any

import pytest

from cloudinv.domain.errors import InvalidArgumentError
from tests.support.json_assets import ADMIN, ROWS, create_assets, expected, get, sort_rank

ALL = frozenset(ROWS)


def _but(*names: str) -> set[str]:
    return set(ALL - set(names))


CASES: list[tuple[str, str, Any, set[str]]] = [
    # eq follows the value's type; on an array it matches any element.
    ("data.type", "eq", "vm", {"a"}),
    ("data.size", "eq", 100, {"a"}),
    ("data.size", "eq", 100.0, {"a"}),
    ("data.size", "eq", "100", {"c"}),
    ("data.size", "eq", 5, {"g"}),
    ("data.flag", "eq", True, {"a"}),
    ("data.flag", "eq", False, {"b"}),
    ("data.flag", "eq", 1, {"e"}),
    ("data.size", "eq", None, {"d", "f"}),
    # Negations are exact complements: they match missing and null, and "no element" for arrays.
    ("data.size", "not", 100, _but("a")),
    ("data.size", "not", None, {"a", "b", "c", "e", "g"}),
    ("data.labels", "not", "web", {"b", "d", "e", "f", "g"}),
    ("data.size", "in", [7, "100"], {"c", "e"}),
    ("data.size", "in", [7, None], {"d", "e", "f"}),
    ("data.size", "not_in", [7, "100"], {"a", "b", "d", "f", "g"}),
    ("data.size", "not_in", [7, None], {"a", "b", "c", "g"}),
    # Comparisons: numbers against JSON numbers only, strings against strings (code point order).
    ("data.size", "gt", 50, {"a", "g"}),
    ("data.size", "lt", 10, {"e", "g"}),
    ("data.size", "gte", 20.5, {"a", "b", "g"}),
    ("data.size", "lte", 7, {"e", "g"}),
    ("data.type", "lt", "m", {"b", "c"}),
    ("data.type", "gte", "vm", {"a", "g"}),
    ("data.seen", "gte", "2024-01-01", {"a"}),
    ("data.size", "exists", True, {"a", "b", "c", "e", "g"}),
    ("data.size", "exists", False, {"d", "f"}),
    ("data.vm.vm_id", "exists", False, {"c", "d", "e", "f", "g"}),
    ("data", "exists", True, set(ALL)),
    # contain and regex: case-insensitive, strings only, literal wildcards for contain.
    ("data.type", "contain", "VM", {"a", "b", "g"}),
    ("data.type", "contain", "%", {"g"}),
    ("data.size", "contain", "10", {"c"}),
    ("data.labels", "contain", "web", {"a", "c", "e"}),
    ("data.type", "not_contain", "vm", {"c", "d", "e", "f"}),
    ("data.type", "contain_in", ["db", "%"], {"c", "g"}),
    ("data.type", "not_contain_in", ["db", "%"], {"a", "b", "d", "e", "f"}),
    ("data.type", "regex", "^vm$", {"a", "b"}),
    ("data.labels", "regex", "^web", {"a", "c", "e"}),
    ("data.type", "regex_in", ["^db", "%$"], {"c", "g"}),
    # Nested paths; a path through a non-object is missing, not an error.
    ("data.vm.vm_id", "eq", "i-1", {"a"}),
    ("data.nested.deep.x", "eq", 1, {"g"}),
    ("tags.env", "eq", "prod", {"a", "c"}),
    ("tags.env", "in", ["prod", 1], {"a", "c", "f"}),
    ("tags.cost-center", "eq", None, {"b", "c", "d", "e", "f", "g"}),
    # A list column: any element; negations mean no element (an empty list has none).
    ("ip_addresses", "eq", "10.0.0.1", {"a"}),
    ("ip_addresses", "not", "10.0.0.1", _but("a")),
    ("ip_addresses", "contain", "10.0.0", {"a", "d"}),
    ("ip_addresses", "not_contain", "10.0.0", {"b", "c", "e", "f", "g"}),
    ("ip_addresses", "in", ["192.168.0.1", "10.0.0.3"], {"b", "d"}),
    ("ip_addresses", "not_in", ["192.168.0.1", "10.0.0.3"], {"a", "c", "e", "f", "g"}),
    ("ip_addresses", "regex", "^192\\.", {"b"}),
    ("ip_addresses", "regex_in", ["^192", "\\.3$"], {"b", "d"}),
    ("ip_addresses", "contain_in", ["168", ".2"], {"a", "b"}),
    ("ip_addresses", "not_contain_in", ["168", ".2"], {"c", "d", "e", "f", "g"}),
    ("ip_addresses", "gt", "11", {"b"}),
    ("ip_addresses", "exists", True, set(ALL)),
]

# `match`: MongoDB's $elemMatch of equalities; the oracle does not model it, so hand answers only.
MATCH_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({"key": "size", "value": 100}, {"a"}),
    ({"key": "size"}, {"a", "b", "g"}),
    ({"value": "100"}, {"g"}),
    ({"key": "size", "unit": None}, {"a", "b", "g"}),
    ({"key": "type", "value": "SSD"}, set()),
]


@pytest.fixture
def ids(application: Any) -> dict[str, str]:
    return create_assets(application)


def names(application: Any, ids: dict[str, str], *conditions: dict[str, Any], **request: Any) -> set[str]:
    by_id = {v: k for k, v in ids.items()}
    body = {"query": {"filter": list(conditions)}, **request}
    return {by_id[row["asset_id"]] for row in application.assets.list(ADMIN, body).rows}


def cond(key: str, operator: str, value: Any) -> dict[str, Any]:
    return {"key": key, "operator": operator, "value": value}


@pytest.mark.parametrize(("key", "operator", "value", "answer"), CASES)
def test_oracle_agrees_with_the_hand_written_answers(key: str, operator: str, value: Any, answer: set[str]) -> None:
    assert expected(key, operator, value) == answer


def test_each_operator(application: Any, ids: dict[str, str]) -> None:
    """One application per dialect for all cases: each is a filter over the same rows."""
    for key, operator, value, answer in CASES:
        assert names(application, ids, cond(key, operator, value)) == answer, (key, operator, value)


def test_match_is_an_element_match_of_equalities(application: Any, ids: dict[str, str]) -> None:
    for value, answer in MATCH_CASES:
        assert names(application, ids, cond("data.disks", "match", value)) == answer, value
    # Not an array: nothing matches (tags.env is a string, data.vm an object).
    assert names(application, ids, cond("data.vm", "match", {"vm_id": "i-1"})) == set()


def test_filter_or_and_conditions_combine(application: Any, ids: dict[str, str]) -> None:
    either = [cond("tags.env", "eq", "dev"), cond("data.size", "gt", 99)]
    query = {"filter": [cond("data.type", "exists", True)], "filter_or": either}
    by_id = {v: k for k, v in ids.items()}
    rows = application.assets.list(ADMIN, {"query": query}).rows
    assert {by_id[r["asset_id"]] for r in rows} == {"a", "b", "g"}


def test_keyword_stays_on_declared_columns(application: Any, ids: dict[str, str]) -> None:
    """`prod` is a tag value, not a name or id: keyword does not search JSON."""
    assert application.assets.list(ADMIN, {"query": {"keyword": "prod"}}).rows == []


@pytest.mark.parametrize("key", ["data.size", "tags.env", "data.flag"])
@pytest.mark.parametrize("desc", [False, True])
def test_sort_by_json_key(application: Any, ids: dict[str, str], key: str, desc: bool) -> None:
    """Null lowest, then numbers, strings, objects, arrays, false, true; ties by asset_id."""
    rows = application.assets.list(ADMIN, {"query": {"sort": [{"key": key, "desc": desc}]}}).rows
    order = sorted(ROWS, key=lambda n: (sort_rank(get(ROWS[n], key)), ids[n]), reverse=desc)
    assert [r["asset_id"] for r in rows] == [ids[n] for n in order]


def test_top_level_ip_address_and_region_id(application: Any, ids: dict[str, str]) -> None:
    assert names(application, ids, ip_address="10.0.0.2") == {"a"}
    assert names(application, ids, region_id="eu-west-1") == {"b"}
    assert names(application, ids, cond("data.size", "exists", True), ip_address="10.0.0.3") == set()
    assert names(application, ids, ip_address="") == set(ALL)


BAD_FILTERS = [
    cond("data.a b", "eq", 1),  # unsafe segment
    cond("data.x'--", "eq", 1),
    cond("data.0", "eq", 1),  # an array index on one dialect, a key on the other
    cond("data.", "eq", 1),
    cond("data..x", "eq", 1),
    cond("nope.x", "eq", 1),  # unknown root
    cond("ip_addresses.x", "eq", 1),  # a list column is not a JSON object
    cond("name.x", "eq", 1),
    cond("data", "eq", "x"),  # the whole object: only exists
    cond("data.seen", "datetime_gt", "2024-01-01"),
    cond("data.seen", "timediff_gt", "now - 1d"),
    cond("data.size", "lt", None),
    cond("data.flag", "gt", True),
    cond("name", "lt", None),  # was a 500: SQLAlchemy cannot compare with null
    cond("created_at", "gte", None),
    cond("data.disks", "match", {"key": ["size"]}),
    cond("data.disks", "match", {}),
    cond("data.disks", "match", {"a b": 1}),
    cond("data.disks", "match", "size"),
    cond("ip_addresses", "match", {"key": "x"}),
    cond("data.size", "in", 5),
]


@pytest.mark.parametrize("condition", BAD_FILTERS, ids=lambda c: f"{c['key']} {c['operator']} {c['value']!r}")
def test_bad_filters_are_invalid_argument(application: Any, condition: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        application.assets.list(ADMIN, {"query": {"filter": [condition]}})


@pytest.mark.parametrize(
    "query",
    [{"sort": [{"key": "data"}]}, {"sort": [{"key": "ip_addresses"}]}, {"sort": [{"key": "data.a b"}]},
     {"only": ["data.size"]}, {"only": ["nope"]}],
    ids=str,
)  # fmt: skip
def test_bad_sort_and_only_are_invalid_argument(application: Any, query: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        application.assets.list(ADMIN, {"query": query})


def test_only_takes_whole_json_columns(application: Any, ids: dict[str, str]) -> None:
    rows = application.assets.list(ADMIN, {"query": {"only": ["asset_id", "data", "ip_addresses"]}}).rows
    by_id = {row["asset_id"]: row for row in rows}
    assert by_id[ids["a"]]["data"] == ROWS["a"]["data"]
    assert by_id[ids["a"]]["ip_addresses"] == ROWS["a"]["ip_addresses"]
