"""The Collector service: the nine verbs of `inventory_v2.v1.Collector`. `collect` starts a job."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import RowMapping

from cloudinv.collection import planner
from cloudinv.collection.planner import SecretTarget
from cloudinv.dispatch import Dispatcher
from cloudinv.domain.auth import Scope
from cloudinv.domain.clock import utcnow
from cloudinv.domain.errors import (
    ERROR_COLLECTOR_PLUGIN,
    ERROR_INVALID_PARAMETER,
    ERROR_NOT_FOUND,
    ERROR_PLUGIN_NOT_FOUND,
    ERROR_PLUGIN_UNREACHABLE,
    CloudinvError,
)
from cloudinv.domain.ids import new_id
from cloudinv.plugins.protocol import SECRET_REQUIRED, CollectorPlugin, PluginError
from cloudinv.plugins.registry import PluginRegistry
from cloudinv.query.values import plain
from cloudinv.services.collector_input import creation_row, plugin_info, schedule_values, secret_filter_values
from cloudinv.services.jobs import JobService, required
from cloudinv.services.querying import ListResult, ResourceQueries
from cloudinv.store.collectors import CollectorRepository
from cloudinv.store.lifecycle import OnFinished

_STATE_NONE = ("STATE_NONE",)


class SecretSource(Protocol):
    def targets(self, collector: Mapping[str, Any], secret_id: str | None) -> list[SecretTarget]:
        """The secrets a collect of this collector runs with, their data decrypted."""
        ...


def plugin_failure(exc: PluginError, plugin_id: str) -> CloudinvError:
    if exc.code == "ERROR_PLUGIN_NOT_FOUND":
        return ERROR_PLUGIN_NOT_FOUND(plugin_id=plugin_id)
    if exc.code == "ERROR_PLUGIN_UNREACHABLE":
        return ERROR_PLUGIN_UNREACHABLE(message=exc.message)
    return ERROR_COLLECTOR_PLUGIN(message=exc.message)


def collector_view(row: RowMapping | Mapping[str, Any]) -> dict[str, Any]:
    """A stored collector as CollectorInfo (with `only`, just the columns selected)."""
    view: dict[str, Any] = {}
    for name, value in row.items():
        if name == "schedule_state":
            view["schedule"] = {"state": value, "hours": row.get("schedule_hours") or []}
        elif name == "secret_filter_state":
            view["secret_filter"] = {**(row.get("secret_filter") or {}), "state": value}
        elif name not in ("schedule_hours", "secret_filter", "plugin_id"):
            view[name] = plain(value)
    if "plugin_id" in row and "plugin_info" not in row:
        view["plugin_info"] = {"plugin_id": row["plugin_id"]}
    return view


class CollectorService:
    def __init__(
        self,
        repository: CollectorRepository,
        plugins: PluginRegistry,
        secrets: SecretSource,
        jobs: JobService,
        dispatcher: Dispatcher,
        on_started: Callable[[Mapping[str, Any]], None] | None = None,
        on_finished: OnFinished | None = None,
    ) -> None:
        self.repo = repository
        self.plugins = plugins
        self.secrets = secrets
        self.jobs = jobs
        self.dispatcher = dispatcher
        self.on_started = on_started  # told of every job started (metrics, logs), after it committed
        self.on_finished = on_finished  # told of the jobs a collect canceled (a running one of the same scope)
        self.queries = ResourceQueries(
            repository,
            top_level=("collector_id", "name", "secret_filter_state", "schedule_state", "workspace_id", "plugin_id"),
            unset=_STATE_NONE,
            view=collector_view,
        )

    def _plugin(self, plugin_id: str) -> CollectorPlugin:
        try:
            return self.plugins.get(plugin_id)
        except PluginError as exc:
            raise plugin_failure(exc, plugin_id) from exc

    def _init(self, plugin_id: str, options: Mapping[str, Any]) -> dict[str, Any]:
        try:
            return self._plugin(plugin_id).init(options)
        except PluginError as exc:
            raise plugin_failure(exc, plugin_id) from exc

    def _row(self, scope: Scope, collector_id: str) -> RowMapping:
        row = self.repo.get(scope, collector_id)
        if row is None:
            raise ERROR_NOT_FOUND(key="collector_id", value=collector_id)
        return row

    def create(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        scope.require_write()
        info = plugin_info(request.get("plugin_info"))
        metadata = self._init(info["plugin_id"], info["options"])
        row = creation_row(scope, request, {**info, "metadata": metadata}, new_id("collector"))
        self.repo.create(row)
        return collector_view(self._row(scope, row["collector_id"]))

    def update(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        collector_id = required(request, "collector_id")
        scope.require_write_on(self._row(scope, collector_id)["workspace_id"])
        values: dict[str, Any] = {"updated_at": utcnow()}
        if request.get("name"):
            values["name"] = request["name"]
        if "tags" in request:
            values["tags"] = request.get("tags") or {}
        if "schedule" in request:
            values.update(schedule_values(request["schedule"]))
        if "secret_filter" in request:
            values.update(secret_filter_values(request["secret_filter"]))
        self.repo.update(scope, collector_id, values)
        return collector_view(self._row(scope, collector_id))

    def update_plugin(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        collector_id = required(request, "collector_id")
        row = self._row(scope, collector_id)
        scope.require_write_on(row["workspace_id"])
        info = dict(row["plugin_info"])
        if request.get("version"):
            info["version"] = request["version"]
        if "options" in request:
            info["options"] = request.get("options") or {}
        if request.get("upgrade_mode") not in (None, "NONE"):
            info["upgrade_mode"] = request["upgrade_mode"]
        info["metadata"] = self._init(info["plugin_id"], info.get("options") or {})
        self.repo.update(scope, collector_id, {"plugin_info": info, "updated_at": utcnow()})
        return collector_view(self._row(scope, collector_id))

    def verify_plugin(self, scope: Scope, request: Mapping[str, Any]) -> None:
        row = self._row(scope, required(request, "collector_id"))
        scope.require_write_on(row["workspace_id"])
        info = row["plugin_info"]
        plugin = self._plugin(info["plugin_id"])
        for target in self._targets(plugin, row, request.get("secret_id") or None)[:1]:
            try:
                plugin.verify(info.get("options") or {}, target.data)
            except PluginError as exc:
                raise plugin_failure(exc, info["plugin_id"]) from exc

    def delete(self, scope: Scope, request: Mapping[str, Any]) -> None:
        collector_id = required(request, "collector_id")
        scope.require_write_on(self._row(scope, collector_id)["workspace_id"])
        if not self.repo.delete(scope, collector_id):
            raise ERROR_NOT_FOUND(key="collector_id", value=collector_id)

    def get(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return collector_view(self._row(scope, required(request, "collector_id")))

    def list(self, scope: Scope, request: Mapping[str, Any]) -> ListResult:
        return self.queries.list(scope, request)

    def stat(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.queries.stat(scope, request)

    def _targets(
        self, plugin: CollectorPlugin, collector: Mapping[Any, Any], secret_id: str | None
    ) -> Sequence[SecretTarget]:
        metadata = collector["plugin_info"].get("metadata") or {}
        if metadata.get(SECRET_REQUIRED) is False:
            return [SecretTarget(secret_id=None, data={}, provider=collector.get("provider"))]
        return self.secrets.targets(collector, secret_id)

    def collect(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        """Start a job: any role that sees the collector may collect (members included)."""
        collector = self._row(scope, required(request, "collector_id"))
        return self.start(collector, request.get("secret_id") or None, scope.workspace_id)

    def start(
        self, collector: Mapping[Any, Any], secret_id: str | None, request_workspace_id: str | None
    ) -> dict[str, Any]:
        """A collect of a collector already resolved (the API, or the scheduler)."""
        plugin = self._plugin(collector["plugin_info"]["plugin_id"])
        targets = self._targets(plugin, collector, secret_id)
        if secret_id and not targets:
            raise ERROR_INVALID_PARAMETER(key="secret_id", reason="no enabled secret of the collector's provider")
        collect_plan = planner.plan(collector, plugin, targets, secret_id, request_workspace_id)
        with self.repo.db.begin() as conn:
            canceled = planner.write(conn, collect_plan)
        if self.on_finished is not None:
            for job_id, finished in canceled.items():
                self.on_finished(finished, job_id)
        if collect_plan.sub_tasks:
            self.dispatcher.submitted([s["sub_task_id"] for s in collect_plan.sub_tasks])
        if self.on_started is not None:
            self.on_started(collect_plan.job)
        return plain_job(collect_plan.job)


def plain_job(job: Mapping[str, Any]) -> dict[str, Any]:
    return {name: plain(value) for name, value in job.items()}
