"""Assets with varied JSON (numbers, strings, bools, nulls, nested objects, arrays, missing keys, one key of
different types across rows), and a plain-Python oracle of the query language's JSON semantics, written from
the spec, not from the SQL, to compute expected results independently."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cloudinv.domain.auth import Role, Scope

ADMIN = Scope("domain-a", Role.DOMAIN_ADMIN, subject="tester")

ROWS: dict[str, dict[str, Any]] = {
    "a": {"data": {"size": 100, "type": "vm", "vm": {"vm_id": "i-1"}, "flag": True, "labels": ["web", "prod"],
                   "disks": [{"key": "size", "value": 100}, {"key": "type", "value": "ssd"}],
                   "seen": "2024-01-02T00:00:00Z"},
          "tags": {"env": "prod", "cost-center": "cc-1"}, "ip_addresses": ["10.0.0.1", "10.0.0.2"],
          "region_code": "us-east-1"},
    "b": {"data": {"size": 20.5, "type": "VM", "vm": {"vm_id": "i-2"}, "flag": False, "labels": ["db"],
                   "disks": [{"key": "size", "value": 20}], "seen": "2023-06-01T00:00:00Z"},
          "tags": {"env": "dev"}, "ip_addresses": ["192.168.0.1"], "region_code": "eu-west-1"},
    "c": {"data": {"size": "100", "type": "db", "labels": "web", "disks": []},
          "tags": {"env": "prod", "team": "x"}, "ip_addresses": []},
    "d": {"data": {"size": None, "type": None, "flag": "true", "vm": {"vm_id": None}},
          "tags": {}, "ip_addresses": ["10.0.0.3"]},
    "e": {"data": {"size": 7, "vm": "not-an-object", "disks": "none", "labels": [1, "web_1"], "flag": 1},
          "tags": {"env": "stage"}},
    "f": {"data": {}, "tags": {"env": 1}},
    "g": {"data": {"size": [5, 300], "type": "vm%", "nested": {"deep": {"x": 1}}, "labels": [],
                   "disks": [{"key": "size", "value": "100"}, "size"]},
          "tags": {"env": "Prod", "cost-center": None}},
}  # fmt: skip

MISSING = object()


def create_assets(application: Any) -> dict[str, str]:
    """Create ROWS through the Asset service; name -> asset_id."""
    ids = {}
    for name, row in ROWS.items():
        created = application.assets.create(ADMIN, {"name": name, "provider": "test", **row})
        ids[name] = created["asset_id"]
    return ids


# ---- the oracle ----


def get(row: dict[str, Any], key: str) -> Any:
    """The value at a dotted key, MISSING when absent; `ip_addresses` and roots are the row's own."""
    root, _, rest = key.partition(".")
    value: Any = row.get(root, [] if root == "ip_addresses" else {})
    for part in rest.split(".") if rest else []:
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def typed_eq(value: Any, target: Any) -> bool:
    """Equality that follows the target's type: a string equals only strings, 1 equals 1.0 but not true."""
    if isinstance(target, bool):
        return isinstance(value, bool) and value is target
    if is_number(target):
        return is_number(value) and value == target
    return isinstance(value, str) and value == target


def candidates(value: Any, whole: bool = True) -> list[Any]:
    """What "any element" looks at: the value itself and, if it is a list, its elements."""
    items = [value] if whole else []
    return items + (value if isinstance(value, list) else [])


def present(value: Any) -> bool:
    return value is not MISSING and value is not None


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(value: Any, target: Any) -> bool:
        if is_number(target):
            return is_number(value) and op(value, target)
        return isinstance(value, str) and op(value, target)

    return check


def _contains(value: Any, text: str) -> bool:
    return isinstance(value, str) and text.lower() in value.lower()


_POSITIVE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": typed_eq,
    "in": lambda v, t: any(typed_eq(v, x) for x in t if x is not None),
    "contain": _contains,
    "contain_in": lambda v, t: any(_contains(v, x) for x in t),
    "regex": lambda v, t: isinstance(v, str) and re.search(t, v, re.IGNORECASE) is not None,
    "regex_in": lambda v, t: isinstance(v, str) and any(re.search(x, v, re.IGNORECASE) for x in t),
    "lt": _compare(lambda a, b: a < b),
    "lte": _compare(lambda a, b: a <= b),
    "gt": _compare(lambda a, b: a > b),
    "gte": _compare(lambda a, b: a >= b),
}
_NEGATIVE = {"not": "eq", "not_in": "in", "not_contain": "contain", "not_contain_in": "contain_in"}


def matches(row: dict[str, Any], key: str, operator: str, target: Any) -> bool:
    value = get(row, key)
    if operator in _NEGATIVE:
        return not matches(row, key, _NEGATIVE[operator], target)
    if operator == "exists":
        return present(value) is target
    if operator == "eq" and target is None:
        return not present(value)
    if operator == "in" and None in target and not present(value):
        return True
    whole = key != "ip_addresses"  # a list column is only its elements
    return any(_POSITIVE[operator](item, target) for item in candidates(value, whole))


def expected(key: str, operator: str, target: Any) -> set[str]:
    return {name for name, row in ROWS.items() if matches(row, key, operator, target)}


def sort_rank(value: Any) -> tuple[int, Any, Any]:
    """Null or missing lowest, then numbers, strings, objects, arrays, false, true."""
    if not present(value):
        return (0, 0, "")
    if isinstance(value, bool):
        return (6 if value else 5, 0, "")
    if is_number(value):
        return (1, value, "")
    if isinstance(value, str):
        return (2, 0, value)
    return (3 if isinstance(value, dict) else 4, 0, "")
