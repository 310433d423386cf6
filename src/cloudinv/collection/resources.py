"""A plugin's resource item checked and turned into an asset row (what collection.md "Assets" stores).

This runs for every streamed resource, tens of thousands a second, so it is written for speed: what a task's
rows share (its ids) is built once by `CandidateBuilder`, each JSON column is
serialised exactly once here, into the text the bulk writer stores, and each match rule's values are taken
once, for the lookups, the new-row index and the PostgreSQL locks alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, TypeGuard, cast

from cloudinv.domain.task import TaskContext
from cloudinv.store.asset_match import key_value
from cloudinv.store.jsontext import json_text


class ResourceRejected(ValueError):
    """The item is counted as a failure with this reason; the rest of the stream goes on."""


RuleKeys = tuple[str, ...]
RuleValues = tuple[str, ...]


class Candidate:
    """An asset row to create or update, and the rules to find it by, in ascending order.

    `row` is as the bulk writer takes it (JSON columns as text); `asset_id` is filled in when it is created.
    `values[i]` are the values of `rules[i]`'s keys, or None when the resource lacks one of them."""

    __slots__ = ("row", "rules", "values")

    def __init__(self, row: dict[str, Any], rules: tuple[RuleKeys, ...], values: tuple[RuleValues | None, ...]):
        self.row = row
        self.rules = rules
        self.values = values

    @property
    def name(self) -> str:
        return str(self.row["name"])

    @property
    def usable(self) -> bool:
        """Whether any rule names only keys the resource has: otherwise it can be neither matched nor created."""
        return any(v is not None for v in self.values)


_OPTIONAL_TEXT = ("account", "provider", "region_code", "project_id")


def _text(resource: Mapping[str, Any], name: str) -> str | None:
    value = resource.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ResourceRejected(f"'{name}' must be a string, not {type(value).__name__}")
    return value


def _object(resource: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = resource.get(name)
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ResourceRejected(f"'{name}' must be an object, not {type(value).__name__}")
    return value


def _json(value: dict[str, Any] | list[Any]) -> str:
    if value:
        return json_text(value)
    return "{}" if isinstance(value, dict) else "[]"


def _rule_order(number: Any) -> int:
    return int(number) if str(number).isdigit() else 1 << 30


def _rules(match_rules: Any) -> tuple[RuleKeys, ...]:
    if not _is_mapping(match_rules) or not match_rules:
        raise ResourceRejected("the item has no match_rules")
    numbers = match_rules if len(match_rules) == 1 else sorted(match_rules, key=_rule_order)
    ordered = []
    for number in numbers:
        keys = match_rules[number]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise ResourceRejected(f"match rule {number!r} must be a non-empty list of keys")
        ordered.append(tuple(keys))
    return tuple(ordered)


@lru_cache(maxsize=4096)
def _path(key: str) -> tuple[str, tuple[str, ...]]:
    root, _, rest = key.partition(".")
    return root, tuple(rest.split(".")) if rest else ()


def _is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    return type(value) is dict or isinstance(value, Mapping)  # the exact check first: it is nearly always a dict


def _key(row: Mapping[str, Any], objects: Mapping[str, Any], key: str) -> str | None:
    """The value a rule key names, in key_value form: a column, or a path into data/tags."""
    root, segments = _path(key)
    current: Any = objects[root] if root in objects else row.get(root)
    for segment in segments:
        current = current.get(segment) if _is_mapping(current) else None
    return key_value(current)


def _rule_values(
    rules: tuple[RuleKeys, ...], row: Mapping[str, Any], objects: Mapping[str, Any]
) -> tuple[RuleValues | None, ...]:
    found: list[RuleValues | None] = []
    for rule in rules:
        values = tuple(_key(row, objects, k) for k in rule)
        found.append(None if None in values else cast("RuleValues", values))
    return tuple(found)


class CandidateBuilder:
    """Candidates for one sub-task. Their rows' `created_at`/`updated_at` are left for the batch that stores them
    to set (one time for a batch), so building may run ahead of storing, on another thread."""

    def __init__(self, context: TaskContext, max_bytes: int) -> None:
        self.context = context
        self.max_bytes = max_bytes
        self.base = {
            "asset_id": None, "state": "ACTIVE", "service_account_id": context.service_account_id,
            "secret_id": context.secret_id, "collector_id": context.collector_id, "domain_id": context.domain_id,
            "workspace_id": context.workspace_id, "job_id": context.job_id, "job_task_id": context.job_task_id,
            "disconnected_count": 0, "created_at": None, "updated_at": None, "deleted_at": None,
        }  # fmt: skip

    def build(self, item: Mapping[str, Any]) -> Candidate:
        resource = item.get("resource")
        if not _is_mapping(resource):
            raise ResourceRejected("the item has no resource object")
        name = _text(resource, "name")
        if not name:
            raise ResourceRejected("the resource has no name")
        data = _object(resource, "data")
        data_text = _json(data)
        if len(data_text) > self.max_bytes:
            raise ResourceRejected(f"the resource's data is {len(data_text)} bytes, over the limit of {self.max_bytes}")
        ips = resource.get("ip_addresses") or []
        if not isinstance(ips, list) or not all(isinstance(ip, str) for ip in ips):
            raise ResourceRejected("'ip_addresses' must be a list of strings")
        account, provider, region_code, project_id = (_text(resource, n) for n in _OPTIONAL_TEXT)
        provider = provider or self.context.provider
        group, kind = resource.get("cloud_service_group"), resource.get("cloud_service_type")
        tags, metadata = _object(resource, "tags"), _object(resource, "metadata")
        row = self.base.copy()
        row.update(
            name=name, account=account, provider=provider, region_code=region_code,
            project_id=project_id or self.context.project_id,
            asset_type_id=f"{provider}.{group}.{kind}" if group and kind else _text(resource, "asset_type_id"),
            ip_addresses=_json(ips), data=data_text, metadata=_json(metadata), tags=_json(tags),
        )  # fmt: skip
        rules = _rules(item.get("match_rules"))
        objects = {"data": data, "tags": tags, "metadata": metadata, "ip_addresses": ips}
        return Candidate(row, rules, _rule_values(rules, row, objects))
