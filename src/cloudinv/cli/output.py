"""What commands print: a Rich table for people (the default), or JSON, YAML or CSV for programs.

JSON and YAML print the server's answer as it is; CSV and the table print its rows, the table only the columns
chosen for the resource, CSV every field (nested values as compact JSON).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import typer
import yaml
from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    YAML = "yaml"
    CSV = "csv"


OutputOption = typer.Option(Format.TABLE, "--output", "-o", help="table, json, yaml or csv.")

Cell = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Column:
    header: str
    cell: Cell


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def field(name: str, header: str | None = None) -> Column:
    return Column(header or name.upper().replace("_", " "), lambda row: text(row.get(name)))


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def duration(row: dict[str, Any], start: str = "created_at", end: str = "finished_at") -> str:
    """`1m 05s`; a running one is measured to now."""
    begun = _time(row.get(start))
    if begun is None:
        return ""
    ended = _time(row.get(end)) or datetime.now(begun.tzinfo)
    seconds = max(0, int((ended - begun).total_seconds()))
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds}s"


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every key of the rows, in the order first seen."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return list(names)


def _rows_of(rows: Sequence[Any]) -> list[dict[str, Any]]:
    # `stat distinct` answers bare values: one column.
    return [row if isinstance(row, dict) else {"value": row} for row in rows]


def _table(rows: list[dict[str, Any]], columns: Sequence[Column] | None, caption: str | None) -> None:
    chosen = list(columns) if columns else [field(name, name) for name in columns_of(rows)]
    table = Table(*(c.header for c in chosen), caption=caption, show_lines=False, header_style="bold")
    for row in rows:
        table.add_row(*(c.cell(row) for c in chosen))
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _csv(rows: list[dict[str, Any]]) -> None:
    names = columns_of(rows)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([text(row.get(name)) for name in names])


def emit(
    answer: Any,
    output: Format,
    rows: Sequence[Any] | None = None,
    columns: Sequence[Column] | None = None,
    caption: str | None = None,
) -> None:
    """Print `answer` (the server's JSON) as `output`; `rows` (default: the answer as one row) for the table
    and CSV."""
    if output == Format.JSON:
        typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    if output == Format.YAML:
        typer.echo(yaml.safe_dump(answer, sort_keys=False, allow_unicode=True).rstrip())
        return
    table_rows = _rows_of(rows if rows is not None else [answer])
    if output == Format.CSV:
        _csv(table_rows)
    else:
        _table(table_rows, columns, caption)


def emit_one(answer: dict[str, Any], output: Format) -> None:
    """One object: as a FIELD/VALUE table for people, else as `emit` prints it."""
    if output != Format.TABLE:
        emit(answer, output)
        return
    table = Table("FIELD", "VALUE", show_header=False, box=None, padding=(0, 2, 0, 0))
    for name, value in answer.items():
        table.add_row(name, text(value))
    Console(width=None if sys.stdout.isatty() else 200).print(table)
