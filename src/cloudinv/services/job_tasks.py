"""The JobTask service: delete, get, get_detail, list, stat."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping

from cloudinv.domain.auth import Scope
from cloudinv.domain.errors import ERROR_NOT_FOUND
from cloudinv.query.values import plain
from cloudinv.services.jobs import required
from cloudinv.services.querying import ListResult, ResourceQueries
from cloudinv.store.job_tasks import JobTaskRepository

_HIDDEN = ("total_sub_tasks", "remained_sub_tasks", "failed_sub_tasks", "resource_group", "plugin_id")


def job_task_view(row: RowMapping | Mapping[str, Any]) -> dict[str, Any]:
    return {name: plain(value) for name, value in row.items() if name not in _HIDDEN}


class JobTaskService:
    def __init__(self, repository: JobTaskRepository) -> None:
        self.repo = repository
        self.queries = ResourceQueries(
            repository,
            top_level=("job_task_id", "status", "provider", "workspace_id", "project_id", "service_account_id",
                       "job_id", "secret_id"),
            unset=("JOB_TASK_STATE_NONE",),
            view=job_task_view,
        )  # fmt: skip

    def _row(self, scope: Scope, job_task_id: str) -> RowMapping:
        row = self.repo.get(scope, job_task_id)
        if row is None:
            raise ERROR_NOT_FOUND(key="job_task_id", value=job_task_id)
        return row

    def get(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return job_task_view(self._row(scope, required(request, "job_task_id")))

    def get_detail(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        row = self._row(scope, required(request, "job_task_id"))
        errors = [
            {"error_code": e["error_code"], "message": e["message"], "additional": e["additional"] or {}}
            for e in self.repo.errors(row["job_task_id"])
        ]
        changes = self.repo.changes_by_type(row["job_task_id"])
        return {
            "job_task_id": row["job_task_id"],
            "created_info": changes.get("CREATE", {}), "updated_info": changes.get("UPDATE", {}),
            "deleted_info": changes.get("DELETE", {}), "disconnected_info": changes.get("DISCONNECT", {}),
            "failure_info": {"errors": errors},
            "domain_id": row["domain_id"], "workspace_id": row["workspace_id"], "project_id": row["project_id"],
            "job_id": row["job_id"], "created_at": plain(row["created_at"]),
        }  # fmt: skip

    def delete(self, scope: Scope, request: Mapping[str, Any]) -> None:
        scope.require_write()
        job_task_id = required(request, "job_task_id")
        scope.require_write_on(self._row(scope, job_task_id)["workspace_id"])
        if not self.repo.delete(scope, job_task_id):
            raise ERROR_NOT_FOUND(key="job_task_id", value=job_task_id)

    def list(self, scope: Scope, request: Mapping[str, Any]) -> ListResult:
        return self.queries.list(scope, request)

    def stat(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.queries.stat(scope, request)
