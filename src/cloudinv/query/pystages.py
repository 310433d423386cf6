"""The Python part of a pipeline: the stages from the first one that must look inside a JSON list or
object, over rows SQL has already grouped (query/pipeline.py decides where the split is)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cloudinv.query.ast import CountStage, GroupStage, LimitStage, ProjectStage, SkipStage, SortStage, UnwindStage
from cloudinv.query.dates import format_date
from cloudinv.query.order import hashable, sort_key
from cloudinv.query.pipeline import Step
from cloudinv.query.pyvalues import AGGREGATES, Row, calculate, check_condition, get, matches, put


def _group(step: Step, rows: list[Row]) -> list[Row]:
    stage: GroupStage = step.stage  # type: ignore[assignment]
    groups: dict[tuple[Any, ...], tuple[list[Any], list[Row]]] = {}
    for row in rows:
        values = [format_date(get(row, k.key), k.date_format) if k.date_format else get(row, k.key) for k in stage.keys]
        entry = groups.setdefault(tuple(hashable(v) for v in values), (values, []))
        entry[1].append(row)
    if not stage.keys and not groups:
        groups[()] = ([], [])  # as in SQL: an aggregate without keys always answers one row
    ordered = sorted(groups.values(), key=lambda entry: [sort_key(v) for v in entry[0]])
    out = []
    for values, members in ordered:
        item = {key.name: value for key, value in zip(stage.keys, values, strict=True)}
        item.update({spec.name: AGGREGATES[spec.operator](members, spec) for spec in stage.fields})
        out.append(item)
    return out


def _count(step: Step, rows: list[Row]) -> list[Row]:
    stage: CountStage = step.stage  # type: ignore[assignment]
    return [{stage.name: len(rows)}]


def _sort(step: Step, rows: list[Row]) -> list[Row]:
    stage: SortStage = step.stage  # type: ignore[assignment]
    # Stable sorts from the last key to the first: ties keep the previous order, as in SQL.
    for key in reversed(stage.keys):
        rows = sorted(rows, key=_by(key.key), reverse=key.desc)
    return rows


def _by(name: str) -> Callable[[Row], tuple[int, Any]]:
    return lambda row: sort_key(get(row, name))


def _project(step: Step, rows: list[Row]) -> list[Row]:
    stage: ProjectStage = step.stage  # type: ignore[assignment]
    out = []
    for row in rows:
        item = {key: row.get(key) for key in step.after.keys}
        for spec in stage.fields:
            at = stage.fields_path
            item[spec.name] = get(row, spec.key) if spec.calc is None else calculate(row, spec.calc, at)
        out.append(item)
    return out


def _unwind(step: Step, rows: list[Row]) -> list[Row]:
    """One row per element of the list at `path`; a missing, null or empty list drops the row, a scalar is a
    list of one (as in the reference)."""
    stage: UnwindStage = step.stage  # type: ignore[assignment]
    out = []
    for row in rows:
        value = get(row, stage.path)
        elements = value if isinstance(value, list) else [] if value is None else [value]
        for element in elements:
            item = put(row, stage.path, element)
            if matches(item, stage.filter):
                out.append(item)
    return out


def _limit(step: Step, rows: list[Row]) -> list[Row]:
    stage: LimitStage = step.stage  # type: ignore[assignment]
    return rows[: stage.count]


def _skip(step: Step, rows: list[Row]) -> list[Row]:
    stage: SkipStage = step.stage  # type: ignore[assignment]
    return rows[stage.count :]


_RUN: dict[type, Callable[[Step, list[Row]], list[Row]]] = {
    GroupStage: _group, CountStage: _count, SortStage: _sort, ProjectStage: _project,
    UnwindStage: _unwind, LimitStage: _limit, SkipStage: _skip,
}  # fmt: skip


def check(steps: Sequence[Step]) -> None:
    """Condition values SQL would have checked while compiling."""
    for step in steps:
        stage = step.stage
        if isinstance(stage, GroupStage):
            conditions = [cond for spec in stage.fields for cond in spec.conditions]
        else:
            conditions = list(stage.filter) if isinstance(stage, UnwindStage) else []
        for cond in conditions:
            check_condition(cond)


def run(steps: Sequence[Step], rows: list[Row]) -> list[Row]:
    for step in steps:
        rows = _RUN[type(step.stage)](step, rows)
    return rows
