"""A compiled analyze/stat query: statements to run inside a scope, and how to shape their rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select

ScopeClauses = Sequence[ColumnElement[bool]]


@dataclass(frozen=True)
class Plan:
    """`rows(scope)` builds the main statement; `total(scope)`, when paging needs it, the count.

    The repository runs both in one transaction, then `shape(rows, total)` gives the response body.
    """

    rows: Callable[[ScopeClauses], Select[Any]]
    shape: Callable[[list[RowMapping], int | None], dict[str, Any]]
    total: Callable[[ScopeClauses], Select[Any]] | None = None
    python_stages: tuple[str, ...] = ()  # stages `shape` runs in Python, after SQL (for `query explain`)
