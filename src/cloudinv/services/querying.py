"""The read verbs every resource shares (list, analyze, stat), over one field table."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping

from cloudinv.domain.auth import Scope
from cloudinv.query.analyze import AnalyzeCompiler
from cloudinv.query.ast import Condition
from cloudinv.query.compile import FilterCompiler
from cloudinv.query.limits import MAX_PAGE_LIMIT
from cloudinv.query.parse import parse_list_query
from cloudinv.query.stages import parse_analyze_query, parse_stat_query
from cloudinv.query.stat import StatCompiler
from cloudinv.query.values import plain
from cloudinv.store.repository import ScopedRepository

View = Callable[[RowMapping], dict[str, Any]]


def plain_view(row: RowMapping) -> dict[str, Any]:
    """A row as the API shows it: every selected column, null when unset, ISO timestamps."""
    return {name: plain(value) for name, value in row.items()}


@dataclass(frozen=True)
class ListResult:
    rows: list[dict[str, Any]]
    total_count: int


class ResourceQueries:
    """list/analyze/stat for one resource. `top_level` are the request fields that become `eq` filters when
    set; `unset` the enum values that mean "not set" (e.g. JOB_STATE_NONE)."""

    def __init__(
        self,
        repository: ScopedRepository,
        top_level: Sequence[str] = (),
        unset: Sequence[str] = (),
        view: View = plain_view,
    ) -> None:
        self.repo = repository
        fields, dialect = repository.fields, repository.db.dialect
        self.fields = fields
        self.filters = FilterCompiler(fields, dialect)
        self.analyzer = AnalyzeCompiler(fields, dialect)
        self.stats = StatCompiler(fields, dialect)
        self.top_level = tuple(top_level)
        self.unset = frozenset(unset)
        self.view = view

    def list(self, scope: Scope, request: Mapping[str, Any]) -> ListResult:
        extra = [
            Condition(key, "eq", request[key])
            for key in self.top_level
            if request.get(key) not in (None, "") and request.get(key) not in self.unset
        ]
        query = parse_list_query(request.get("query"), extra)
        if query.only:
            self.fields.check_names(query.only, "query.only")
            columns = query.only
        elif query.minimal:
            columns = self.fields.minimal_fields
        else:
            columns = self.fields.output_columns
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
        return ListResult(rows=[self.view(row) for row in rows], total_count=total)

    def analyze(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.repo.run(scope, self.analyzer.compile(parse_analyze_query(request.get("query"))))

    def stat(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.repo.run(scope, self.stats.compile(parse_stat_query(request.get("query"))))
