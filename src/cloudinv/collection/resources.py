"""A plugin's resource item checked and turned into an asset row (what collection.md "Assets" stores)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudinv.domain.clock import utcnow
from cloudinv.domain.ids import new_id
from cloudinv.domain.task import TaskContext


class ResourceRejected(ValueError):
    """The item is counted as a failure with this reason; the rest of the stream goes on."""


@dataclass(frozen=True)
class Candidate:
    """An asset row to create or update, and the rules to find it by, in ascending order."""

    values: dict[str, Any]
    rules: list[list[str]]
    data_text: str  # `data` serialised once: for the size limit, then as stored

    def row(self) -> dict[str, Any]:
        """The values as written: `data` as its JSON text."""
        return {**self.values, "data": self.data_text}


_TEXT_FIELDS = ("name", "account", "provider", "region_code", "project_id")


def _text(resource: Mapping[str, Any], name: str) -> str | None:
    value = resource.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ResourceRejected(f"'{name}' must be a string, not {type(value).__name__}")
    return value


def _object(resource: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = resource.get(name) or {}
    if not isinstance(value, dict):
        raise ResourceRejected(f"'{name}' must be an object, not {type(value).__name__}")
    return value


def _rules(match_rules: Any) -> list[list[str]]:
    if not isinstance(match_rules, Mapping) or not match_rules:
        raise ResourceRejected("the item has no match_rules")
    ordered = []
    for number in sorted(match_rules, key=lambda n: int(n) if str(n).isdigit() else 1 << 30):
        keys = match_rules[number]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise ResourceRejected(f"match rule {number!r} must be a non-empty list of keys")
        ordered.append(list(keys))
    return ordered


def candidate(item: Mapping[str, Any], context: TaskContext, max_bytes: int) -> Candidate:
    resource = item.get("resource")
    if not isinstance(resource, Mapping):
        raise ResourceRejected("the item has no resource object")
    if not _text(resource, "name"):
        raise ResourceRejected("the resource has no name")
    data = _object(resource, "data")
    data_text = json.dumps(data, default=str)
    if len(data_text) > max_bytes:
        raise ResourceRejected(f"the resource's data is {len(data_text)} bytes, over the limit of {max_bytes}")
    ips = resource.get("ip_addresses") or []
    if not isinstance(ips, list) or not all(isinstance(ip, str) for ip in ips):
        raise ResourceRejected("'ip_addresses' must be a list of strings")
    values: dict[str, Any] = {name: _text(resource, name) for name in _TEXT_FIELDS}
    provider = values["provider"] or context.provider
    group, kind = resource.get("cloud_service_group"), resource.get("cloud_service_type")
    now = utcnow()
    values.update(
        provider=provider,
        asset_type_id=f"{provider}.{group}.{kind}" if group and kind else _text(resource, "asset_type_id"),
        ip_addresses=ips, data=data, metadata=_object(resource, "metadata"), tags=_object(resource, "tags"),
        project_id=values["project_id"] or context.project_id, service_account_id=context.service_account_id,
        secret_id=context.secret_id, collector_id=context.collector_id, domain_id=context.domain_id,
        workspace_id=context.workspace_id, job_id=context.job_id, job_task_id=context.job_task_id,
        state="ACTIVE", disconnected_count=0, updated_at=now, deleted_at=None,
    )  # fmt: skip
    return Candidate(values=values, rules=_rules(item.get("match_rules")), data_text=data_text)


def new_row(found: Candidate) -> dict[str, Any]:
    return {**found.row(), "asset_id": new_id("asset"), "created_at": found.values["updated_at"]}


def rule_value(values: Mapping[str, Any], key: str) -> Any:
    """The value a rule key names in an asset row: a column, or a path into data/tags."""
    root, _, rest = key.partition(".")
    current: Any = values.get(root) if rest else values.get(key)
    for segment in rest.split(".") if rest else ():
        current = current.get(segment) if isinstance(current, Mapping) else None
    return current
