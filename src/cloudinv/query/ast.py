"""The frozen AST of the query language. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Condition:
    key: str
    operator: str
    value: Any

    def echo(self) -> str:
        """The condition as the caller wrote it, for error messages."""
        return f"{{'key': {self.key!r}, 'value': {self.value!r}, 'operator': {self.operator!r}}}"


@dataclass(frozen=True)
class Where:
    filter: tuple[Condition, ...] = ()
    filter_or: tuple[Condition, ...] = ()
    keyword: str = ""


@dataclass(frozen=True)
class SortKey:
    key: str
    desc: bool = False


@dataclass(frozen=True)
class Page:
    start: int = 1
    limit: int = 0  # 0 = no limit given; the verb caps it

    @property
    def offset(self) -> int:
        return self.start - 1


@dataclass(frozen=True)
class ListQuery:
    where: Where = field(default_factory=Where)
    sort: tuple[SortKey, ...] = ()
    page: Page = field(default_factory=Page)
    only: tuple[str, ...] = ()
    minimal: bool = False
    count_only: bool = False


@dataclass(frozen=True)
class GroupKey:
    key: str
    name: str
    date_format: str = ""


@dataclass(frozen=True)
class AggregateField:
    """One output of a group: `operator` over `key`, or over sub-`fields` (name -> source key) for push."""

    name: str
    operator: str
    key: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class SelectItem:
    """analyze `select`: a renamed source, or an arithmetic over fields."""

    name: str
    source: str = ""
    operator: str = ""
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalyzeQuery:
    where: Where = field(default_factory=Where)
    group_by: tuple[GroupKey, ...] = ()
    fields: tuple[AggregateField, ...] = ()
    field_group: tuple[str, ...] = ()
    select: tuple[SelectItem, ...] = ()
    sort: tuple[SortKey, ...] = ()
    page: Page = field(default_factory=Page)


@dataclass(frozen=True)
class Stage:
    """One `aggregate` stage: `kind` is group|count|sort|project|unwind|limit|skip; `spec` its parsed body."""

    kind: str
    spec: Any


@dataclass(frozen=True)
class StatQuery:
    where: Where = field(default_factory=Where)
    distinct: str = ""
    aggregate: tuple[Stage, ...] = ()
    page: Page = field(default_factory=Page)
