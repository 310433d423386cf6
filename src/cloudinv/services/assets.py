"""The Asset service: create, update, delete, get, list, analyze, stat (`inventory_v2.v1.Asset`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping

from cloudinv.domain.auth import Scope
from cloudinv.domain.clock import utcnow
from cloudinv.domain.errors import ERROR_INVALID_PARAMETER_TYPE, ERROR_NOT_FOUND, ERROR_REQUIRED_PARAMETER
from cloudinv.domain.ids import new_id
from cloudinv.domain.job import ALL_WORKSPACES
from cloudinv.query.values import plain
from cloudinv.services.jobs import required
from cloudinv.services.querying import ListResult, ResourceQueries
from cloudinv.store.assets import AssetRepository

_HIDDEN = ("job_id", "job_task_id", "disconnected_count", "metadata")
# AssetQuery fields that filter on a column of another name: `ip_address` means "ip_addresses has it" (eq on a
# list column matches any element), `region_id` is the region_code column (as asset_view renames it).
_TOP_LEVEL_COLUMNS = {"ip_address": "ip_addresses", "region_id": "region_code"}
_EDITABLE = ("name", "account", "provider", "ip_addresses", "data", "metadata", "tags", "region_code", "project_id")


def asset_view(row: RowMapping | Mapping[str, Any]) -> dict[str, Any]:
    view = {str(name): plain(value) for name, value in row.items() if name not in _HIDDEN}
    if "region_code" in view:
        view["region_id"] = view.pop("region_code")
    return view


def _top_level_columns(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request with `_TOP_LEVEL_COLUMNS` set turned into filter conditions (empty means unset)."""
    given = {name: request[name] for name in _TOP_LEVEL_COLUMNS if request.get(name) not in (None, "")}
    if not given:
        return dict(request)
    query = dict(request.get("query") or {})
    conditions = [{"key": _TOP_LEVEL_COLUMNS[name], "value": value, "operator": "eq"} for name, value in given.items()]
    query["filter"] = [*(query.get("filter") or []), *conditions]
    return {**{k: v for k, v in request.items() if k not in given}, "query": query}


def _names_state(request: Mapping[str, Any]) -> bool:
    query = request.get("query") or {}
    conditions = [*(query.get("filter") or []), *(query.get("filter_or") or [])]
    return bool(request.get("state")) or any((c.get("key") or c.get("k")) == "state" for c in conditions)


class AssetService:
    def __init__(self, repository: AssetRepository) -> None:
        self.repo = repository
        self.queries = ResourceQueries(
            repository,
            top_level=("asset_id", "name", "state", "account", "asset_type_id", "provider", "workspace_id",
                       "project_id"),
            view=asset_view,
        )  # fmt: skip

    def _row(self, scope: Scope, asset_id: str) -> RowMapping:
        row = self.repo.get(scope, asset_id)
        if row is None:
            raise ERROR_NOT_FOUND(key="asset_id", value=asset_id)
        return row

    def create(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        scope.require_write()
        if not request.get("name"):
            raise ERROR_REQUIRED_PARAMETER(key="name")
        now = utcnow()
        row = {name: request.get(name) for name in ("name", "account", "provider", "asset_type_id", "project_id")}
        row.update(
            asset_id=new_id("asset"), state="ACTIVE", region_code=request.get("region_code"),
            ip_addresses=list(request.get("ip_addresses") or []), data=dict(request.get("data") or {}),
            metadata=dict(request.get("metadata") or {}), tags=dict(request.get("tags") or {}),
            domain_id=scope.domain_id, workspace_id=scope.workspace_id or ALL_WORKSPACES, collector_id=None,
            service_account_id=None, secret_id=None, job_id=None, job_task_id=None, disconnected_count=0,
            created_at=now, updated_at=now, deleted_at=None,
        )  # fmt: skip
        self.repo.create(row)
        return asset_view(self._row(scope, str(row["asset_id"])))

    def update(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        # The reference's UpdateAssetRequest names the id `cloud_service_id`.
        asset_id = str(request.get("asset_id") or required(request, "cloud_service_id"))
        scope.require_write_on(self._row(scope, asset_id)["workspace_id"])
        values = {name: request[name] for name in _EDITABLE if name in request}
        for name in ("data", "metadata", "tags"):
            if name in values and not isinstance(values[name], dict):
                raise ERROR_INVALID_PARAMETER_TYPE(key=name, type="object")
        self.repo.change(scope, asset_id, values, "UPDATE")
        return asset_view(self._row(scope, asset_id))

    def delete(self, scope: Scope, request: Mapping[str, Any]) -> None:
        """A soft delete, as collection does: the asset stays for history, hidden from list."""
        asset_id = required(request, "asset_id")
        scope.require_write_on(self._row(scope, asset_id)["workspace_id"])
        self.repo.change(scope, asset_id, {"state": "DELETED", "deleted_at": utcnow()}, "DELETE")

    def get(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return asset_view(self._row(scope, required(request, "asset_id")))

    def list(self, scope: Scope, request: Mapping[str, Any]) -> ListResult:
        """Deleted assets are hidden unless the request names `state`."""
        return self.queries.list(scope, self._active_unless_state_named(_top_level_columns(request)))

    def analyze(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.queries.analyze(scope, self._active_unless_state_named(request))

    def stat(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.queries.stat(scope, self._active_unless_state_named(request))

    @staticmethod
    def _active_unless_state_named(request: Mapping[str, Any]) -> dict[str, Any]:
        if _names_state(request):
            return dict(request)
        query = dict(request.get("query") or {})
        query["filter"] = [*(query.get("filter") or []), {"key": "state", "value": "ACTIVE", "operator": "eq"}]
        return {**request, "query": query}
