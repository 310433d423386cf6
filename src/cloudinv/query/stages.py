"""analyze and stat requests to the frozen AST: both become a pipeline of stages (group, project, sort...).

Shape errors are raised here, each naming the key at fault; names are resolved later, against the stages'
outputs (query/pipeline.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cloudinv.domain.errors import (
    ERROR_INVALID_PARAMETER,
    ERROR_INVALID_PARAMETER_TYPE,
    ERROR_LIMIT_EXCEEDED,
    ERROR_REQUIRED_PARAMETER,
)
from cloudinv.query import limits
from cloudinv.query.ast import (
    AggregateField,
    AnalyzeQuery,
    Calc,
    Condition,
    CountStage,
    GroupKey,
    GroupStage,
    LimitStage,
    ProjectField,
    ProjectStage,
    SkipStage,
    SortStage,
    Stage,
    StatQuery,
    UnwindStage,
)
from cloudinv.query.parse import _int, _mapping, _pick, _sequence, parse_conditions, parse_page, parse_sort, parse_where

AGGREGATE_OPERATORS = (
    "count", "sum", "average", "max", "min", "first", "last", "add_to_set", "push", "merge_objects"
)  # fmt: skip
CONDITIONAL_OPERATORS = ("count", "sum", "average")
CONDITION_OPERATORS = ("eq", "not", "gt", "gte", "lt", "lte")
UNWIND_FILTER_OPERATORS = (*CONDITION_OPERATORS, "in", "not_in", "exists", "contain", "not_contain")
ARITHMETIC = ("add", "subtract", "multiply", "divide")
BINARY = ("subtract", "divide")
UNARY = ("size", "sum", "array_to_object", "object_to_array")
SELECT_OPERATORS = (*ARITHMETIC, "size", "sum")
STAGE_KINDS = ("group", "count", "sort", "project", "unwind", "limit", "skip")


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ERROR_INVALID_PARAMETER_TYPE(key=key, type="str")
    return value


def _required_text(item: Mapping[str, Any], long: str, short: str, at: str) -> str:
    value = _pick(item, long, short)
    if not value:
        raise ERROR_REQUIRED_PARAMETER(key=f"{at}.{long}")
    return _text(value, f"{at}.{long}")


def _one_of(value: str, allowed: tuple[str, ...], key: str) -> str:
    if value not in allowed:
        raise ERROR_INVALID_PARAMETER(key=key, reason=f"unknown operator '{value}'; use one of {', '.join(allowed)}")
    return value


def _checked_conditions(items: Any, allowed: tuple[str, ...], at: str) -> tuple[Condition, ...]:
    conditions = parse_conditions(items, at)
    for cond in conditions:
        _one_of(cond.operator, allowed, f"{at}.operator")
        if cond.value is None and cond.operator in ("gt", "gte", "lt", "lte"):
            raise ERROR_REQUIRED_PARAMETER(key=f"{at}.value")
    return conditions


def check_aggregate(spec: AggregateField, at: str) -> AggregateField:
    """The rules every group field follows, in analyze `fields` and stat `group.fields` alike."""
    _one_of(spec.operator, AGGREGATE_OPERATORS, f"{at}.operator")
    if spec.operator == "push" and not spec.key and not spec.fields:
        raise ERROR_REQUIRED_PARAMETER(key=f"{at}.fields")
    if spec.operator not in ("count", "push") and not spec.key:
        raise ERROR_REQUIRED_PARAMETER(key=f"{at}.key")
    if spec.fields and spec.operator != "push":
        raise ERROR_INVALID_PARAMETER(key=f"{at}.fields", reason=f"only 'push' takes fields, not '{spec.operator}'")
    if spec.conditions and spec.operator not in CONDITIONAL_OPERATORS:
        reason = f"conditions apply to {', '.join(CONDITIONAL_OPERATORS)}, not '{spec.operator}'"
        raise ERROR_INVALID_PARAMETER(key=f"{at}.conditions", reason=reason)
    return spec


# ---- calculations (stat project fields, analyze select) ----


def _operand(value: Any, at: str) -> str | float | Calc:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Numbers arrive as doubles (a Struct has no integers): 10.0 means the integer 10.
        return int(value) if float(value).is_integer() else value
    if isinstance(value, Mapping):
        operator = _required_text(value, "operator", "o", at)
        return parse_calc(operator, value.get("key"), value.get("fields"), at)
    raise ERROR_INVALID_PARAMETER(key=at, reason=f"an operand is a name, a number or a calculation, not {value!r}")


def parse_calc(operator: str, key: Any, fields: Any, at: str, allowed: tuple[str, ...] = (*ARITHMETIC, *UNARY)) -> Calc:
    """`operator` over `fields` (names, numbers, nested calculations) or over a single `key`."""
    _one_of(operator, allowed, f"{at}.operator")
    items = _sequence(fields, f"{at}.fields") if fields is not None else ([key] if key else [])
    if operator in UNARY:
        if len(items) != 1 or not isinstance(items[0], str):
            raise ERROR_REQUIRED_PARAMETER(key=f"{at}.key")
        return Calc(operator, (items[0],))
    if not items:
        raise ERROR_REQUIRED_PARAMETER(key=f"{at}.fields")
    if operator in BINARY and len(items) != 2:
        reason = f"'{operator}' takes exactly two fields, got {len(items)}"
        raise ERROR_INVALID_PARAMETER(key=f"{at}.fields", reason=reason)
    return Calc(operator, tuple(_operand(item, f"{at}.fields") for item in items))


def parse_select(value: Any) -> tuple[ProjectField, ...]:
    """analyze `select`: `name -> "source"` or `name -> {operator, key | fields}`."""
    items = []
    for name, spec in _mapping(value, "query.select").items():
        if isinstance(spec, str) and spec:
            items.append(ProjectField(name=name, key=spec))
            continue
        spec = _mapping(spec, f"query.select.{name}")
        operator = _required_text(spec, "operator", "o", "query.select")
        calc = parse_calc(operator, spec.get("key"), spec.get("fields"), "query.select", SELECT_OPERATORS)
        items.append(ProjectField(name=name, calc=calc))
    return tuple(items)


# ---- stat stages ----


def _group_key(item: Any, at: str) -> GroupKey:
    item = _mapping(item, at)
    return GroupKey(
        key=_required_text(item, "key", "k", at),
        name=_required_text(item, "name", "n", at),
        date_format=_text(item.get("date_format") or "", f"{at}.date_format"),
    )


def _group_field(item: Any, at: str) -> AggregateField:
    item = _mapping(item, at)
    name = _required_text(item, "name", "n", at)
    operator = _required_text(item, "operator", "o", at)
    sub_fields = []
    for sub in _sequence(item.get("fields"), f"{at}.fields"):
        sub = _mapping(sub, f"{at}.fields")
        sub_fields.append(
            (_required_text(sub, "name", "n", f"{at}.fields"), _required_text(sub, "key", "k", f"{at}.fields"))
        )
    spec = AggregateField(
        name=name,
        operator=operator,
        key=_text(_pick(item, "key", "k") or "", f"{at}.key"),
        fields=tuple(sub_fields),
        conditions=_checked_conditions(item.get("conditions"), CONDITION_OPERATORS, f"{at}.conditions"),
    )
    return check_aggregate(spec, at)


def _group(spec: Any, at: str) -> GroupStage:
    spec = _mapping(spec, at)
    keys = tuple(_group_key(k, f"{at}.keys") for k in _sequence(spec.get("keys"), f"{at}.keys"))
    fields = tuple(_group_field(f, f"{at}.fields") for f in _sequence(spec.get("fields"), f"{at}.fields"))
    if not keys and not fields:
        raise ERROR_REQUIRED_PARAMETER(key=f"{at}.keys")
    if len(keys) > limits.MAX_GROUP_KEYS or len(fields) > limits.MAX_FIELDS:
        raise ERROR_LIMIT_EXCEEDED(limit=f"{at} keys and fields", max=limits.MAX_FIELDS)
    return GroupStage(keys=keys, fields=fields, at=at)


def _project_field(item: Any, at: str) -> ProjectField:
    item = _mapping(item, at)
    name = _required_text(item, "name", "n", at)
    operator = _pick(item, "operator", "o")
    if not operator:
        return ProjectField(name=name, key=_required_text(item, "key", "k", at))
    calc = parse_calc(_text(operator, f"{at}.operator"), _pick(item, "key", "k"), item.get("fields"), at)
    return ProjectField(name=name, calc=calc)


def _project(spec: Any, at: str) -> ProjectStage:
    spec = _mapping(spec, at)
    fields = tuple(_project_field(f, f"{at}.fields") for f in _sequence(spec.get("fields"), f"{at}.fields"))
    if not fields:
        raise ERROR_REQUIRED_PARAMETER(key=f"{at}.fields")
    exclude = spec.get("exclude_keys", False)
    if not isinstance(exclude, bool):
        raise ERROR_INVALID_PARAMETER_TYPE(key=f"{at}.exclude_keys", type="bool")
    return ProjectStage(fields=fields, exclude_keys=exclude, at=at)


def _unwind(spec: Any, at: str) -> UnwindStage:
    spec = _mapping(spec, at)
    path = _required_text(spec, "path", "path", at)
    conditions = _checked_conditions(spec.get("filter"), UNWIND_FILTER_OPERATORS, f"{at}.filter")
    return UnwindStage(path=path, filter=conditions, at=at)


def _count(spec: Any, at: str) -> CountStage:
    return CountStage(name=_required_text(_mapping(spec, at), "name", "n", at), at=at)


def _sort(spec: Any, at: str) -> SortStage:
    keys = parse_sort(spec, at)
    if not keys:
        raise ERROR_REQUIRED_PARAMETER(key=f"{at}.key")
    return SortStage(keys=keys, at=at)


def _limit(spec: Any, at: str) -> LimitStage:
    count = _int(spec, at)
    if count < 1:
        raise ERROR_INVALID_PARAMETER(key=at, reason=f"must be a positive integer, got {count}")
    return LimitStage(count=count, at=at)


def _skip(spec: Any, at: str) -> SkipStage:
    count = _int(spec, at)
    if count < 0:
        raise ERROR_INVALID_PARAMETER(key=at, reason=f"must not be negative, got {count}")
    return SkipStage(count=count, at=at)


_STAGE_PARSERS: dict[str, Callable[[Any, str], Stage]] = {
    "group": _group, "count": _count, "sort": _sort, "project": _project,
    "unwind": _unwind, "limit": _limit, "skip": _skip,
}  # fmt: skip


def parse_stages(items: list[Any]) -> tuple[Stage, ...]:
    if len(items) > limits.MAX_STAGES:
        raise ERROR_LIMIT_EXCEEDED(limit="query.aggregate stages", max=limits.MAX_STAGES)
    stages = []
    for index, item in enumerate(items):
        key = f"query.aggregate[{index}]"
        if not isinstance(item, Mapping):
            raise ERROR_INVALID_PARAMETER(key=key, reason="a stage is an object")
        present = [kind for kind in STAGE_KINDS if item.get(kind) is not None]
        if len(present) != 1 or len(item) != 1:
            reason = f"a stage has exactly one of {', '.join(STAGE_KINDS)}; got {sorted(item)}"
            raise ERROR_INVALID_PARAMETER(key=key, reason=reason)
        kind = present[0]
        stages.append(_STAGE_PARSERS[kind](item[kind], f"{key}.{kind}"))
    return tuple(stages)


# ---- the two verbs ----


def parse_group_by(value: Any) -> tuple[GroupKey, ...]:
    items = _sequence(value, "query.group_by")
    if len(items) > limits.MAX_GROUP_KEYS:
        raise ERROR_LIMIT_EXCEEDED(limit="query.group_by keys", max=limits.MAX_GROUP_KEYS)
    keys = []
    for item in items:
        if isinstance(item, str) and item:
            keys.append(GroupKey(key=item, name=item.rsplit(".", 1)[-1]))
            continue
        item = _mapping(item, "query.group_by")
        keys.append(
            GroupKey(
                key=_required_text(item, "key", "k", "query.group_by"),
                name=_required_text(item, "name", "n", "query.group_by"),
                date_format=_text(item.get("date_format") or "", "query.group_by.date_format"),
            )
        )
    return tuple(keys)


def parse_analyze_field(name: str, spec: Any) -> AggregateField:
    spec = _mapping(spec, f"query.fields.{name}")
    operator = spec.get("operator")
    if not operator:
        raise ERROR_REQUIRED_PARAMETER(key="query.fields.operator")
    sub_fields = _mapping(spec.get("fields"), "query.fields.fields")
    field = AggregateField(
        name=name,
        operator=_text(operator, "query.fields.operator"),
        key=_text(spec.get("key") or "", "query.fields.key"),
        fields=tuple((str(out), _text(src, "query.fields.fields")) for out, src in sub_fields.items()),
    )
    return check_aggregate(field, "query.fields")


def _field_group(value: Any) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else _sequence(value, "query.field_group")
    for name in names:
        _text(name, "query.field_group")
        if name.startswith("_total_"):
            reason = f"'{name}': field group keys cannot start with '_total_'"
            raise ERROR_INVALID_PARAMETER(key="query.field_group", reason=reason)
    return tuple(names)


def parse_analyze_query(query: Any) -> AnalyzeQuery:
    query = _mapping(query, "query")
    fields_spec = _mapping(query.get("fields"), "query.fields")
    if not fields_spec:
        raise ERROR_REQUIRED_PARAMETER(key="query.fields")
    if len(fields_spec) > limits.MAX_FIELDS:
        raise ERROR_LIMIT_EXCEEDED(limit="query.fields", max=limits.MAX_FIELDS)
    return AnalyzeQuery(
        where=parse_where(query),
        group_by=parse_group_by(query.get("group_by")),
        fields=tuple(parse_analyze_field(name, spec) for name, spec in fields_spec.items()),
        field_group=_field_group(query.get("field_group") or []),
        select=parse_select(query.get("select")),
        sort=parse_sort(query.get("sort")),
        page=parse_page(query.get("page")),
    )


def parse_stat_query(query: Any) -> StatQuery:
    query = _mapping(query, "query")
    distinct = query.get("distinct") or ""
    if not isinstance(distinct, str):
        raise ERROR_INVALID_PARAMETER_TYPE(key="query.distinct", type="str")
    aggregate = _sequence(query.get("aggregate"), "query.aggregate")
    if not distinct and not aggregate:
        raise ERROR_REQUIRED_PARAMETER(key="query.distinct")
    return StatQuery(
        where=parse_where(query),
        distinct=distinct,
        aggregate=parse_stages(aggregate),
        page=parse_page(query.get("page")),
    )
