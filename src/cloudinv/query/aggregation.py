"""A compiled stage list over one resource: SQL for the stages it can compute (always the filters and the
first group), Python for the rest, if any. analyze and stat both run through it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select

from cloudinv.query.ast import Stage
from cloudinv.query.fields import FieldTable
from cloudinv.query.pipeline import Step, plan_steps, sql_json_paths, table_schema
from cloudinv.query.plan import ScopeClauses
from cloudinv.query.pystages import check, run
from cloudinv.query.sqlstages import Rel, SqlBuilder, count_rows, decode_rows, select_rows, table_relation
from cloudinv.query.values import plain


class Pipeline:
    def __init__(
        self, fields: FieldTable, dialect: str, where: Sequence[ColumnElement[bool]], stages: tuple[Stage, ...]
    ) -> None:
        self.fields = fields
        self.dialect = dialect
        self.where = tuple(where)
        self.json_paths = sql_json_paths(fields, stages)
        self.steps: list[Step] = plan_steps(stages, table_schema(fields, self.json_paths))
        self.sql_steps = [step for step in self.steps if step.sql]
        self.python_steps = self.steps[len(self.sql_steps) :]
        check(self.python_steps)
        self.columns = self.relation(()).cols  # builds once now, so that errors surface before running

    @property
    def all_sql(self) -> bool:
        return not self.python_steps

    @property
    def python_stages(self) -> tuple[str, ...]:
        return tuple(step.stage.at for step in self.python_steps)

    def relation(self, scope: ScopeClauses) -> Rel:
        builder = SqlBuilder(self.dialect)
        rel = table_relation(self.fields, [*scope, *self.where], self.dialect, self.json_paths)
        for step in self.sql_steps:
            rel = builder.apply(rel, step)
        return rel

    def statement(self, scope: ScopeClauses, offset: int = 0, limit: int | None = None) -> Select[Any]:
        return select_rows(self.relation(scope), offset, limit)

    def count(self, scope: ScopeClauses) -> Select[Any]:
        return count_rows(self.relation(scope))

    def finish(self, rows: Sequence[RowMapping]) -> list[dict[str, Any]]:
        """Decoded rows through the Python stages: Python values (datetimes, not yet ISO strings)."""
        return run(self.python_steps, decode_rows(self.columns, rows))


def render(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as the API returns them: numbers stay numbers, timestamps become ISO strings."""
    return [{name: plain(value) for name, value in row.items()} for row in rows]
