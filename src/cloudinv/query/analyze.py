"""analyze, as the reference defines it: a stat pipeline of group (group_by + fields), then `select` (a project
of only the selected names), then `field_group` (a second group that pivots keys into each field), then sort;
paged with `more`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, Select

from cloudinv.domain.errors import ERROR_INVALID_PARAMETER
from cloudinv.query.aggregation import Pipeline, render
from cloudinv.query.ast import (
    AggregateField,
    AnalyzeQuery,
    GroupKey,
    GroupStage,
    ProjectStage,
    SortKey,
    SortStage,
    Stage,
)
from cloudinv.query.compile import FilterCompiler
from cloudinv.query.fields import FieldTable
from cloudinv.query.limits import MAX_PAGE_LIMIT
from cloudinv.query.plan import Plan, ScopeClauses

# The `_total_<field>` each pivoted field gets: a count's total is the sum of the counts.
TOTALS = {"count": "sum", "sum": "sum", "average": "average", "max": "max", "min": "min"}


def _field_group(query: AnalyzeQuery, available: set[str]) -> GroupStage:
    """Group again by the other group keys; each field becomes `[{"value": v, <fg key>: ...}]` plus its total."""
    names = [g.name for g in query.group_by]
    for name in query.field_group:
        if name not in names:
            reason = f"'{name}' is not a group_by name (group_by: {', '.join(names)})"
            raise ERROR_INVALID_PARAMETER(key="query.field_group", reason=reason)
    keys = tuple(GroupKey(n, n) for n in names if n not in query.field_group and n in available)
    fields: list[AggregateField] = []
    for spec in query.fields:
        if spec.operator in TOTALS:
            fields.append(AggregateField(name=f"_total_{spec.name}", operator=TOTALS[spec.operator], key=spec.name))
        pivot = (("value", spec.name), *((k, k) for k in query.field_group))
        fields.append(AggregateField(name=spec.name, operator="push", fields=pivot))
    return GroupStage(keys=keys, fields=tuple(fields), at="query.field_group")


def _sort(query: AnalyzeQuery) -> SortStage:
    """With field_group, a field name sorts by its `_total_`."""
    if not query.field_group:
        return SortStage(keys=query.sort, at="query.sort")
    operators = {spec.name: spec.operator for spec in query.fields}
    keys = []
    for key in query.sort:
        if key.key in operators:
            if operators[key.key] not in TOTALS:
                reason = f"'{key.key}' ({operators[key.key]}) has no total to sort by"
                raise ERROR_INVALID_PARAMETER(key="query.sort.key", reason=reason)
            key = SortKey(f"_total_{key.key}", key.desc)
        keys.append(key)
    return SortStage(keys=tuple(keys), at="query.sort")


def analyze_stages(query: AnalyzeQuery) -> tuple[Stage, ...]:
    group = GroupStage(
        keys=query.group_by, fields=query.fields, at="query", keys_at="query.group_by", fields_at="query.fields"
    )
    stages: list[Stage] = [group]
    available = {g.name for g in query.group_by} | {f.name for f in query.fields}
    if query.select:
        stages.append(ProjectStage(fields=query.select, exclude_keys=True, at="query.select", fields_at="query.select"))
        available = {f.name for f in query.select}
    if query.field_group:
        stages.append(_field_group(query, available))
    if query.sort:
        stages.append(_sort(query))
    return tuple(stages)


class AnalyzeCompiler:
    def __init__(self, fields: FieldTable, dialect: str) -> None:
        self.fields = fields
        self.dialect = dialect
        self.filters = FilterCompiler(fields, dialect)

    def compile(self, query: AnalyzeQuery) -> Plan:
        pipeline = Pipeline(self.fields, self.dialect, self.filters.where(query.where), analyze_stages(query))
        limit = min(query.page.limit or MAX_PAGE_LIMIT, MAX_PAGE_LIMIT)
        start = query.page.offset

        def rows(scope: ScopeClauses) -> Select[Any]:
            # One row past the page tells whether there are more.
            if pipeline.all_sql:
                return pipeline.statement(scope, start, limit + 1)
            return pipeline.statement(scope)

        def shape(result: list[RowMapping], _total: int | None) -> dict[str, Any]:
            out = pipeline.finish(result)
            if not pipeline.all_sql:
                out = out[start : start + limit + 1]
            return {"results": render(out[:limit]), "more": len(out) > limit}

        return Plan(rows=rows, shape=shape, python_stages=pipeline.python_stages)
