"""The Job service: get, list, delete, analyze, stat. Requests arrive as proto-JSON dicts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping

from cloudinv.domain.auth import Scope
from cloudinv.domain.errors import ERROR_NOT_FOUND, ERROR_REQUIRED_PARAMETER
from cloudinv.services.querying import ListResult, ResourceQueries, plain_view
from cloudinv.store.jobs import JobRepository


def required(request: Mapping[str, Any], key: str) -> str:
    value = request.get(key)
    if not value:
        raise ERROR_REQUIRED_PARAMETER(key=key)
    return str(value)


class JobService:
    def __init__(self, repository: JobRepository) -> None:
        self.repo = repository
        self.queries = ResourceQueries(
            repository,
            top_level=("job_id", "status", "workspace_id", "collector_id", "plugin_id"),
            unset=("JOB_STATE_NONE",),
        )

    def get(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return plain_view(self._row(scope, required(request, "job_id")))

    def _row(self, scope: Scope, job_id: str) -> RowMapping:
        row = self.repo.get(scope, job_id)
        if row is None:
            raise ERROR_NOT_FOUND(key="job_id", value=job_id)
        return row

    def delete(self, scope: Scope, request: Mapping[str, Any]) -> None:
        scope.require_write()
        job_id = required(request, "job_id")
        row = self._row(scope, job_id)
        scope.require_write_on(row["workspace_id"])
        if not self.repo.delete(scope, job_id):
            raise ERROR_NOT_FOUND(key="job_id", value=job_id)

    def list(self, scope: Scope, request: Mapping[str, Any]) -> ListResult:
        return self.queries.list(scope, request)

    def analyze(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.queries.analyze(scope, request)

    def stat(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.queries.stat(scope, request)
