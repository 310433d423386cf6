"""The stages of an analyze/stat query checked against what each earlier stage outputs.

Every name is resolved here, before anything runs: a group, sort or project key must name a column of the
previous stage (or a stored field, for the first); only the key an aggregate reads may be missing, which
reads as null (sum 0, count unaffected), as in the reference. The pass also tracks each column's kind, which
decides where a stage runs: in SQL while it only touches scalar columns, in Python (over rows already
grouped by SQL) from the first stage that has to look inside a JSON list or object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cloudinv.domain.errors import ERROR_INVALID_PARAMETER
from cloudinv.query.ast import (
    AggregateField,
    Calc,
    Condition,
    CountStage,
    GroupStage,
    LimitStage,
    ProjectStage,
    SkipStage,
    SortStage,
    Stage,
    UnwindStage,
)
from cloudinv.query.dates import PARTS, check_date_format
from cloudinv.query.fields import FieldTable
from cloudinv.query.kinds import (
    ANY,
    DATETIME,
    FIELD_KINDS,
    FLOAT,
    INT,
    JSON,
    NULL,
    NUMBER,
    OBJECT,
    STRING,
    Kind,
    Schema,
    array_of,
    sum_kind,
)


@dataclass(frozen=True)
class Step:
    stage: Stage
    before: Schema
    after: Schema
    sql: bool  # runs in SQL (every step before it does too)


def table_schema(fields: FieldTable, json_paths: tuple[str, ...] = ()) -> Schema:
    """The stored fields, and the JSON paths SQL reads as columns of their own (`sql_json_paths`)."""
    columns = [(name, FIELD_KINDS[d.kind]) for name, d in fields.fields.items()]
    return Schema(columns=(*columns, *((path, JSON) for path in json_paths)))


def _group_reads(stage: GroupStage) -> list[tuple[str, str]]:
    """The keys a group reads that SQL can read as JSON scalars, with where each came from: not a date_format
    key (formatted in Python) nor merge_objects (objects are merged in Python)."""
    keys = [(k.key, f"{stage.keys_path}.key") for k in stage.keys if not k.date_format]
    at = f"{stage.fields_path}.key"
    for spec in stage.fields:
        names = [spec.key] if spec.operator != "merge_objects" else []
        names += [src for _, src in spec.fields] + [c.key for c in spec.conditions]
        keys += [(name, at) for name in names]
    return keys


def sql_json_paths(fields: FieldTable, stages: tuple[Stage, ...]) -> tuple[str, ...]:
    """JSON paths (`tags.env`, `data.size`) that the first stage, a group, reads: they become columns of the
    table relation, computed in SQL, so that grouping by a tag does not ship every row's documents to Python.
    Only the first stage: a later one (after an unwind, say) may read a path whose value has changed."""
    if not stages or not isinstance(stages[0], GroupStage):
        return ()
    reads = [(key, at) for key, at in _group_reads(stages[0]) if key and fields.json_root(key) is not None]
    for key, at in reads:
        fields.resolve(key, at)  # an unsafe segment is an error, as in a filter
    return tuple(dict.fromkeys(key for key, _ in reads))


def column(schema: Schema, name: str, at: str) -> Kind:
    """A name that must exist: a stored field, or an output of the previous stage."""
    kind = schema.kind(name)
    if kind is None:
        known = ", ".join(schema.names)
        raise ERROR_INVALID_PARAMETER(key=at, reason=f"unknown key '{name}' (known: {known})")
    return kind


def value_kind(schema: Schema, name: str) -> Kind:
    """A key an aggregate reads: unknown means missing, as in the reference."""
    kind = schema.kind(name)
    return NULL if kind is None else kind


def unique(names: list[str], at: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ERROR_INVALID_PARAMETER(key=at, reason=f"the output name '{name}' is used twice")
        seen.add(name)


def _conditions(schema: Schema, conditions: tuple[Condition, ...], at: str) -> bool:
    return all(column(schema, c.key, f"{at}.key").scalar for c in conditions)


def _key_kind(schema: Schema, key_name: str, date_format: str, at: str) -> Kind:
    kind = column(schema, key_name, f"{at}.key")
    if not date_format:
        return kind
    check_date_format(date_format, f"{at}.date_format")
    if kind not in (DATETIME, ANY):
        reason = f"'{key_name}' is {kind.describe()}, not a timestamp"
        raise ERROR_INVALID_PARAMETER(key=f"{at}.date_format", reason=reason)
    return INT if date_format in PARTS else STRING


def aggregate_kind(schema: Schema, spec: AggregateField, at: str) -> tuple[Kind, bool]:
    """The kind of one group field, and whether SQL can compute it."""
    op = spec.operator
    sql = _conditions(schema, spec.conditions, f"{at}.conditions")
    if op == "count":
        return INT, sql
    if op == "push" and spec.fields:
        kinds = [value_kind(schema, src) for _, src in spec.fields]
        return array_of(OBJECT), sql and all(k.scalar for k in kinds)
    kind = value_kind(schema, spec.key)
    sql = sql and kind.scalar
    if kind == JSON:
        return _json_aggregate_kind(op, sql)
    if op == "sum":
        return (kind if kind.numeric else NUMBER if not kind.scalar else INT), sql
    if op == "average":
        return FLOAT, sql
    if op in ("push", "add_to_set"):
        return array_of(kind), sql
    if op == "merge_objects":
        if kind.scalar and kind != NULL:
            reason = f"'merge_objects' needs objects; '{spec.key}' is {kind.describe()}"
            raise ERROR_INVALID_PARAMETER(key=f"{at}.key", reason=reason)
        return OBJECT, sql
    return kind, sql  # max, min, first, last


def _json_aggregate_kind(op: str, sql: bool) -> tuple[Kind, bool]:
    """Over a JSON path read in SQL: sum and average take its numbers only; max and min order across types,
    and merge_objects merges objects, in Python."""
    if op == "sum":
        return NUMBER, sql
    if op == "average":
        return FLOAT, sql
    if op in ("push", "add_to_set"):
        return array_of(JSON), sql
    if op == "merge_objects":
        return OBJECT, False
    return JSON, sql and op not in ("max", "min")  # first, last


def _group(stage: GroupStage, schema: Schema) -> tuple[Schema, bool]:
    columns: list[tuple[str, Kind]] = []
    sql = True
    for key in stage.keys:
        kind = _key_kind(schema, key.key, key.date_format, stage.keys_path)
        # A date_format key is scalar whatever it reads: what it reads decides too (a JSON path: Python).
        sql = sql and kind.scalar and column(schema, key.key, stage.keys_path).scalar
        columns.append((key.name, kind))
    for spec in stage.fields:
        kind, field_sql = aggregate_kind(schema, spec, stage.fields_path)
        sql = sql and field_sql
        columns.append((spec.name, kind))
    unique([name for name, _ in columns], stage.fields_path)
    return Schema(columns=tuple(columns), keys=tuple(k.name for k in stage.keys)), sql


def _operand_kind(schema: Schema, operand: str | float | Calc, operator: str, at: str) -> tuple[Kind, bool]:
    if isinstance(operand, Calc):
        return calc_kind(schema, operand, at)
    if not isinstance(operand, str):
        return (INT if isinstance(operand, int) else FLOAT), True
    kind = column(schema, operand, f"{at}.fields")
    if kind.numeric or kind == NULL:
        return kind, True
    if not kind.scalar or kind == JSON:
        return NUMBER, False
    raise ERROR_INVALID_PARAMETER(
        key=f"{at}.fields", reason=f"'{operator}' needs numbers; '{operand}' is {kind.describe()}"
    )


def _unary_kind(schema: Schema, calc: Calc, at: str) -> tuple[Kind, bool]:
    name = str(calc.operands[0])
    kind = column(schema, name, f"{at}.key")
    op = calc.operator
    if op == "sum":
        return (kind, True) if kind.numeric else (INT, True) if kind.scalar and kind != JSON else (NUMBER, False)
    accepts, result = {"size": ("array", INT), "array_to_object": ("array", OBJECT),
                       "object_to_array": ("object", array_of(OBJECT))}[op]  # fmt: skip
    if kind == NULL:
        return result, True
    if kind.name in (accepts, "any", "json"):
        return result, False
    reason = f"'{op}' needs {Kind(accepts).describe()}; '{name}' is {kind.describe()}"
    raise ERROR_INVALID_PARAMETER(key=f"{at}.key", reason=reason)


def calc_kind(schema: Schema, calc: Calc, at: str) -> tuple[Kind, bool]:
    if calc.operator not in ("add", "subtract", "multiply", "divide"):
        return _unary_kind(schema, calc, at)
    parts = [_operand_kind(schema, operand, calc.operator, at) for operand in calc.operands]
    sql = all(ok for _, ok in parts)
    if calc.operator == "divide":
        return FLOAT, sql
    return sum_kind([kind for kind, _ in parts]), sql


def _project(stage: ProjectStage, schema: Schema) -> tuple[Schema, bool]:
    fields: list[tuple[str, Kind]] = []
    sql = True
    for spec in stage.fields:
        if spec.calc is None:
            kind = column(schema, spec.key, f"{stage.fields_path}.key")
        else:
            kind, ok = calc_kind(schema, spec.calc, stage.fields_path)
            sql = sql and ok
        fields.append((spec.name, kind))
    unique([name for name, _ in fields], stage.fields_path)
    names = {name for name, _ in fields}
    keys = () if stage.exclude_keys else tuple(k for k in schema.keys if k not in names)
    kept = [(k, column(schema, k, stage.at)) for k in keys]
    return Schema(columns=(*kept, *fields), keys=keys), sql


def _unwind(stage: UnwindStage, schema: Schema) -> tuple[Schema, bool]:
    kind = column(schema, stage.path, f"{stage.at}.path")
    element = (kind.item or ANY) if kind.name == "array" else ANY if kind == JSON else kind
    columns = tuple((name, element if name == stage.path else k) for name, k in schema.columns)
    after = Schema(columns=columns, keys=schema.keys)
    # A JSON value may be an array: unwound in Python.
    sql = kind.scalar and kind != JSON and _conditions(after, stage.filter, f"{stage.at}.filter")
    return after, sql


def _sort(stage: SortStage, schema: Schema) -> tuple[Schema, bool]:
    return schema, all(column(schema, k.key, f"{stage.at}.key").scalar for k in stage.keys)


def _count(stage: CountStage, schema: Schema) -> tuple[Schema, bool]:
    return Schema(columns=((stage.name, INT),)), True


def _same(stage: Any, schema: Schema) -> tuple[Schema, bool]:
    return schema, True


_CHECKS: dict[type, Callable[[Any, Schema], tuple[Schema, bool]]] = {
    GroupStage: _group, ProjectStage: _project, UnwindStage: _unwind, SortStage: _sort,
    CountStage: _count, LimitStage: _same, SkipStage: _same,
}  # fmt: skip


def plan_steps(stages: tuple[Stage, ...], schema: Schema) -> list[Step]:
    steps = []
    sql = True
    for stage in stages:
        after, stage_sql = _CHECKS[type(stage)](stage, schema)
        sql = sql and stage_sql
        steps.append(Step(stage=stage, before=schema, after=after, sql=sql))
        schema = after
    return steps
