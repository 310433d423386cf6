"""The Job service: get, list, delete, analyze, stat. Requests arrive as proto-JSON dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping

from cloudinv.domain.auth import Scope
from cloudinv.domain.errors import ERROR_NOT_FOUND, ERROR_REQUIRED_PARAMETER
from cloudinv.query.analyze import AnalyzeCompiler
from cloudinv.query.ast import Condition
from cloudinv.query.compile import FilterCompiler
from cloudinv.query.limits import MAX_PAGE_LIMIT
from cloudinv.query.parse import parse_analyze_query, parse_list_query, parse_stat_query
from cloudinv.query.stat import StatCompiler
from cloudinv.store.jobs import JOB_COLUMNS, JOB_FIELDS, JobRepository

# JobsQuery's top-level fields, each an `eq` filter when set.
_TOP_LEVEL_FILTERS = ("job_id", "status", "workspace_id", "collector_id", "plugin_id")
_UNSET_STATUS = "JOB_STATE_NONE"


@dataclass(frozen=True)
class ListResult:
    rows: list[RowMapping]
    total_count: int
    columns: tuple[str, ...]


def _required_job_id(request: Mapping[str, Any]) -> str:
    job_id = request.get("job_id")
    if not job_id:
        raise ERROR_REQUIRED_PARAMETER(key="job_id")
    return str(job_id)


class JobService:
    def __init__(self, repository: JobRepository) -> None:
        self.repo = repository
        dialect = repository.db.dialect
        self.filters = FilterCompiler(JOB_FIELDS, dialect)
        self.analyzer = AnalyzeCompiler(JOB_FIELDS, dialect)
        self.stats = StatCompiler(JOB_FIELDS, dialect)

    def get(self, scope: Scope, request: Mapping[str, Any]) -> RowMapping:
        job_id = _required_job_id(request)
        row = self.repo.get(scope, job_id)
        if row is None:
            raise ERROR_NOT_FOUND(key="job_id", value=job_id)
        return row

    def delete(self, scope: Scope, request: Mapping[str, Any]) -> None:
        scope.require_write()
        job_id = _required_job_id(request)
        row = self.get(scope, {"job_id": job_id})
        scope.require_write_on(row["workspace_id"])
        if not self.repo.delete(scope, job_id):
            raise ERROR_NOT_FOUND(key="job_id", value=job_id)

    def list(self, scope: Scope, request: Mapping[str, Any]) -> ListResult:
        extra = [
            Condition(key, "eq", request[key])
            for key in _TOP_LEVEL_FILTERS
            if request.get(key) and request.get(key) != _UNSET_STATUS
        ]
        query = parse_list_query(request.get("query"), extra)
        if query.only:
            JOB_FIELDS.check_names(query.only, "query.only")
            columns = query.only
        elif query.minimal:
            columns = JOB_FIELDS.minimal_fields
        else:
            columns = JOB_COLUMNS
        limit = min(query.page.limit or MAX_PAGE_LIMIT, MAX_PAGE_LIMIT)
        rows, total = self.repo.search(
            scope,
            self.filters.where(query.where),
            self.filters.order_by(query.sort),
            columns,
            offset=query.page.offset,
            limit=limit,
            with_rows=not query.count_only,
        )
        return ListResult(rows=rows, total_count=total, columns=columns)

    def analyze(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        query = parse_analyze_query(request.get("query"))
        return self.repo.run(scope, self.analyzer.compile(query))

    def stat(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        query = parse_stat_query(request.get("query"))
        return self.repo.run(scope, self.stats.compile(query))
