"""Bulk writes for the ingest hot path, at the driver level.

SQLAlchemy's per-row parameter processing (type coercion, JSON serialisation) costs more than SQLite's own
insert; ingestion writes tens of thousands of rows a second, so it hands the driver ready tuples instead:
JSON columns serialised once by the caller, timestamps in the form each dialect stores. Reads still go
through SQLAlchemy and see exactly what its types would have written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Table

# SQLAlchemy's SQLite DateTime storage format (always with microseconds), so that comparisons stay textual.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


class BulkWriter:
    """INSERT and UPDATE-by-key statements for one table and column list, executed with executemany."""

    def __init__(self, table: Table, columns: Sequence[str], dialect: str) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.dialect = dialect
        mark = "?" if dialect == "sqlite" else "%s"
        names = ", ".join(self.columns)
        self.insert_sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([mark] * len(self.columns))})"
        self._json = [i for i, c in enumerate(self.columns) if isinstance(table.c[c].type, JSON)]
        self._datetime = [i for i, c in enumerate(self.columns) if isinstance(table.c[c].type, DateTime)]
        self._mark = mark
        self._stamp: tuple[datetime | None, str] = (None, "")

    def update_sql(self, key: str) -> str:
        assignments = ", ".join(f"{c} = {self._mark}" for c in self.columns)
        return f"UPDATE {self.table.name} SET {assignments} WHERE {key} = {self._mark}"

    def _sqlite_time(self, value: datetime) -> str:
        # A batch's rows share one timestamp: format it once.
        if value is not self._stamp[0]:
            self._stamp = (value, value.strftime(_SQLITE_DATETIME))
        return self._stamp[1]

    def _tuple(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        values = [row.get(c) for c in self.columns]
        for i in self._json:
            value = values[i]
            if value is not None and not isinstance(value, str):
                values[i] = json.dumps(value) if value else ("{}" if isinstance(value, dict) else "[]")
        if self.dialect == "sqlite":
            for i in self._datetime:
                stamp = values[i]
                if isinstance(stamp, datetime):
                    values[i] = self._sqlite_time(stamp)
        return tuple(values)

    def insert(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            conn.exec_driver_sql(self.insert_sql, [self._tuple(r) for r in rows])

    def update(self, conn: Connection, key: str, rows: Sequence[Mapping[str, Any]], key_field: str) -> None:
        """UPDATE ... WHERE key = row[key_field], for every row."""
        if rows:
            conn.exec_driver_sql(self.update_sql(key), [(*self._tuple(r), r[key_field]) for r in rows])
