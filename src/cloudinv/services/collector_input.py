"""Validation of collector requests: plugin info, schedule, secret filter, tenancy of a new collector."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudinv.domain.auth import Scope
from cloudinv.domain.clock import utcnow
from cloudinv.domain.errors import (
    ERROR_INVALID_PARAMETER,
    ERROR_INVALID_PARAMETER_TYPE,
    ERROR_PERMISSION_DENIED,
    ERROR_REQUIRED_PARAMETER,
)
from cloudinv.domain.job import ALL_WORKSPACES, ResourceGroup

_FILTER_LISTS = ("secrets", "service_accounts", "schemas", "exclude_secrets", "exclude_service_accounts",
                 "exclude_schemas")  # fmt: skip
_STATES = ("ENABLED", "DISABLED")


def plugin_info(value: Any) -> dict[str, Any]:
    info = dict(value or {})
    if not info.get("plugin_id"):
        raise ERROR_REQUIRED_PARAMETER(key="plugin_info.plugin_id")
    options = info.get("options") or {}
    if not isinstance(options, Mapping):
        raise ERROR_INVALID_PARAMETER_TYPE(key="plugin_info.options", type="object")
    return {
        "plugin_id": str(info["plugin_id"]),
        "version": str(info.get("version") or ""),
        "options": dict(options),
        "upgrade_mode": info.get("upgrade_mode") if info.get("upgrade_mode") not in (None, "NONE") else "AUTO",
    }


def schedule_values(value: Any) -> dict[str, Any]:
    schedule = dict(value or {})
    state = schedule.get("state") or "DISABLED"
    if state == "NONE":
        state = "DISABLED"
    if state not in _STATES:
        raise ERROR_INVALID_PARAMETER(key="schedule.state", reason=f"one of {', '.join(_STATES)}")
    hours = schedule.get("hours") or []
    if any(not isinstance(h, int) or isinstance(h, bool) or not 0 <= h <= 23 for h in hours):
        raise ERROR_INVALID_PARAMETER(key="schedule.hours", reason="UTC hours are whole numbers from 0 to 23")
    return {"schedule_state": state, "schedule_hours": sorted(set(hours))}


def secret_filter_values(value: Any) -> dict[str, Any]:
    secret_filter = dict(value or {})
    state = secret_filter.pop("state", None) or "DISABLED"
    if state == "NONE":
        state = "DISABLED"
    if state not in _STATES:
        raise ERROR_INVALID_PARAMETER(key="secret_filter.state", reason=f"one of {', '.join(_STATES)}")
    unknown = set(secret_filter) - set(_FILTER_LISTS)
    if unknown:
        raise ERROR_INVALID_PARAMETER(key="secret_filter", reason=f"unknown keys {sorted(unknown)}")
    lists = {name: [str(v) for v in secret_filter.get(name) or []] for name in _FILTER_LISTS}
    return {"secret_filter_state": state, "secret_filter": lists}


def _tenancy(scope: Scope, request: Mapping[str, Any]) -> tuple[str, str]:
    """(resource_group, workspace_id) of a new collector; a workspace role creates only in its workspace."""
    group = request.get("resource_group") or ("WORKSPACE" if scope.workspace_id else "DOMAIN")
    if group == "RESOURCE_GROUP_NONE":
        group = "WORKSPACE" if scope.workspace_id else "DOMAIN"
    if group == ResourceGroup.DOMAIN:
        if scope.workspace_id is not None:
            raise ERROR_PERMISSION_DENIED()
        return group, ALL_WORKSPACES
    workspace_id = request.get("workspace_id") or scope.workspace_id
    if not workspace_id:
        raise ERROR_REQUIRED_PARAMETER(key="workspace_id")
    if scope.workspace_id is not None and workspace_id != scope.workspace_id:
        raise ERROR_PERMISSION_DENIED()
    return str(group), str(workspace_id)


def creation_row(
    scope: Scope, request: Mapping[str, Any], info: Mapping[str, Any], collector_id: str
) -> dict[str, Any]:
    name = request.get("name")
    if not name:
        raise ERROR_REQUIRED_PARAMETER(key="name")
    resource_group, workspace_id = _tenancy(scope, request)
    now = utcnow()
    provider = request.get("provider") or (info.get("metadata") or {}).get("provider")
    return {
        "collector_id": collector_id, "name": str(name), "provider": provider, "plugin_id": info["plugin_id"],
        "plugin_info": dict(info), **schedule_values(request.get("schedule")),
        **secret_filter_values(request.get("secret_filter")), "tags": dict(request.get("tags") or {}),
        "created_by": scope.subject or None, "resource_group": resource_group, "domain_id": scope.domain_id,
        "workspace_id": workspace_id, "created_at": now, "updated_at": now, "last_collected_at": None,
    }  # fmt: skip
