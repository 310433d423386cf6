"""Request dicts (proto JSON form) to the frozen AST. Shape errors are raised here; key resolution is the
compiler's, because it needs the resource's field table. analyze and stat queries: query/stages.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cloudinv.domain.errors import (
    ERROR_INVALID_PARAMETER,
    ERROR_INVALID_PARAMETER_TYPE,
    ERROR_LIMIT_EXCEEDED,
    ERROR_REQUIRED_PARAMETER,
)
from cloudinv.query import limits
from cloudinv.query.ast import Condition, ListQuery, Page, SortKey, Where


def _mapping(value: Any, key: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ERROR_INVALID_PARAMETER_TYPE(key=key, type="object")
    return value


def _sequence(value: Any, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ERROR_INVALID_PARAMETER_TYPE(key=key, type="list")
    return list(value)


def _pick(item: Mapping[str, Any], long: str, short: str) -> Any:
    """The long name wins when both forms are given."""
    value = item.get(long)
    if value is None or value == "":
        value = item.get(short)
    return value


def parse_condition(item: Any, key: str) -> Condition:
    item = _mapping(item, key)
    cond_key = _pick(item, "key", "k")
    operator = _pick(item, "operator", "o")
    value = item.get("value") if "value" in item else item.get("v")
    if not cond_key:
        raise ERROR_REQUIRED_PARAMETER(key=f"{key}.key")
    if not isinstance(cond_key, str):
        raise ERROR_INVALID_PARAMETER_TYPE(key=f"{key}.key", type="str")
    if not operator:
        operator = "eq"
    if not isinstance(operator, str):
        raise ERROR_INVALID_PARAMETER_TYPE(key=f"{key}.operator", type="str")
    if isinstance(value, list) and len(value) > limits.MAX_LIST_VALUES:
        raise ERROR_LIMIT_EXCEEDED(limit=f"{key}.value length", max=limits.MAX_LIST_VALUES)
    return Condition(key=cond_key, operator=operator, value=value)


def parse_conditions(items: Any, key: str) -> tuple[Condition, ...]:
    conditions = tuple(parse_condition(item, key) for item in _sequence(items, key))
    if len(conditions) > limits.MAX_CONDITIONS:
        raise ERROR_LIMIT_EXCEEDED(limit=f"{key} conditions", max=limits.MAX_CONDITIONS)
    return conditions


def parse_where(query: Mapping[str, Any], extra: Iterable[Condition] = ()) -> Where:
    keyword = query.get("keyword") or ""
    if not isinstance(keyword, str):
        raise ERROR_INVALID_PARAMETER_TYPE(key="query.keyword", type="str")
    if len(keyword.split()) > limits.MAX_KEYWORD_WORDS:
        raise ERROR_LIMIT_EXCEEDED(limit="query.keyword words", max=limits.MAX_KEYWORD_WORDS)
    return Where(
        filter=(*tuple(extra), *parse_conditions(query.get("filter"), "query.filter")),
        filter_or=parse_conditions(query.get("filter_or"), "query.filter_or"),
        keyword=keyword.strip(),
    )


def parse_sort(value: Any, key: str = "query.sort") -> tuple[SortKey, ...]:
    # The reference accepts a single {key, desc} object as well as a list of them.
    items = [value] if isinstance(value, Mapping) else _sequence(value, key)
    result = []
    for item in items:
        item = _mapping(item, key)
        sort_key = item.get("key")
        if not sort_key or not isinstance(sort_key, str):
            raise ERROR_REQUIRED_PARAMETER(key=f"{key}.key")
        desc = item.get("desc", False)
        if not isinstance(desc, bool):
            raise ERROR_INVALID_PARAMETER_TYPE(key=f"{key}.desc", type="bool")
        result.append(SortKey(key=sort_key, desc=desc))
    return tuple(result)


def _int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ERROR_INVALID_PARAMETER_TYPE(key=key, type="int")
    return int(value)


def parse_page(value: Any) -> Page:
    page = _mapping(value, "query.page")
    start = _int(page.get("start", 1) or 1, "query.page.start")
    limit = _int(page.get("limit", 0) or 0, "query.page.limit")
    if limit < 0:
        raise ERROR_INVALID_PARAMETER(key="query.page.limit", reason="must not be negative")
    return Page(start=max(start, 1), limit=limit)


def parse_list_query(query: Any, extra: Iterable[Condition] = ()) -> ListQuery:
    query = _mapping(query, "query")
    only = _sequence(query.get("only"), "query.only")
    if not all(isinstance(name, str) for name in only):
        raise ERROR_INVALID_PARAMETER_TYPE(key="query.only", type="list of str")
    return ListQuery(
        where=parse_where(query, extra),
        sort=parse_sort(query.get("sort")),
        page=parse_page(query.get("page")),
        only=tuple(only),
        minimal=bool(query.get("minimal", False)),
        count_only=bool(query.get("count_only", False)),
    )
