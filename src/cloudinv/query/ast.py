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
class Calc:
    """A computed value: `operator` over operands, each a name, a number or a nested Calc."""

    operator: str
    operands: tuple[str | float | Calc, ...] = ()


@dataclass(frozen=True)
class ProjectField:
    """One output of a project stage (or of analyze `select`): a renamed `key`, or a `calc`."""

    name: str
    key: str = ""
    calc: Calc | None = None


@dataclass(frozen=True)
class AnalyzeQuery:
    where: Where = field(default_factory=Where)
    group_by: tuple[GroupKey, ...] = ()
    fields: tuple[AggregateField, ...] = ()
    field_group: tuple[str, ...] = ()
    select: tuple[ProjectField, ...] = ()
    sort: tuple[SortKey, ...] = ()
    page: Page = field(default_factory=Page)


@dataclass(frozen=True)
class GroupStage:
    keys: tuple[GroupKey, ...]
    fields: tuple[AggregateField, ...]
    at: str = "query.aggregate.group"  # where the stage came from, for error messages
    keys_at: str = ""  # where its keys and fields came from, when not `at`.keys / `at`.fields
    fields_at: str = ""

    @property
    def keys_path(self) -> str:
        return self.keys_at or f"{self.at}.keys"

    @property
    def fields_path(self) -> str:
        return self.fields_at or f"{self.at}.fields"


@dataclass(frozen=True)
class CountStage:
    name: str
    at: str = "query.aggregate.count"


@dataclass(frozen=True)
class SortStage:
    keys: tuple[SortKey, ...]
    at: str = "query.aggregate.sort"


@dataclass(frozen=True)
class ProjectStage:
    fields: tuple[ProjectField, ...]
    exclude_keys: bool = False
    at: str = "query.aggregate.project"
    fields_at: str = ""  # where its fields came from, when not `at`.fields

    @property
    def fields_path(self) -> str:
        return self.fields_at or f"{self.at}.fields"


@dataclass(frozen=True)
class UnwindStage:
    path: str
    filter: tuple[Condition, ...] = ()
    at: str = "query.aggregate.unwind"


@dataclass(frozen=True)
class LimitStage:
    count: int
    at: str = "query.aggregate.limit"


@dataclass(frozen=True)
class SkipStage:
    count: int
    at: str = "query.aggregate.skip"


# One `aggregate` stage; analyze is compiled to the same stages.
Stage = GroupStage | CountStage | SortStage | ProjectStage | UnwindStage | LimitStage | SkipStage


@dataclass(frozen=True)
class StatQuery:
    where: Where = field(default_factory=Where)
    distinct: str = ""
    aggregate: tuple[Stage, ...] = ()
    page: Page = field(default_factory=Page)
