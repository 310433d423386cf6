"""Bulk writes for the ingest hot path, at the driver level.

SQLAlchemy's per-row parameter processing (type coercion, JSON serialisation) costs more than SQLite's own
insert; ingestion writes tens of thousands of rows a second, so it hands the driver ready values instead:
rows hold JSON columns as their text and timestamps as `stored_time()` gives them, and become tuples by one
itemgetter call. Reads still go through SQLAlchemy and see exactly what its types would have written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql

# SQLAlchemy's SQLite DateTime storage format (always with microseconds), so that comparisons stay textual.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


class BulkWriter:
    """INSERT and UPDATE-by-key for one table and column list: executemany on SQLite; COPY on PostgreSQL, where
    an executemany runs one statement per row and a multi-row statement costs psycopg more to parse than to run."""

    def __init__(self, table: Table, columns: Sequence[str], dialect: str) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.dialect = dialect
        mark = "?" if dialect == "sqlite" else "%s"
        names = ", ".join(self.columns)
        self.insert_sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([mark] * len(self.columns))})"
        self._tuple: Any = itemgetter(*self.columns)
        self._mark = mark

    def update_sql(self, key: str) -> str:
        assignments = ", ".join(f"{c} = {self._mark}" for c in self.columns)
        return f"UPDATE {self.table.name} SET {assignments} WHERE {key} = {self._mark}"

    def _pg_types(self, columns: Sequence[str]) -> list[str]:
        dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
        return [self.table.c[c].type.compile(dialect=dialect) for c in columns]

    @staticmethod
    def _copy(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """COPY ... FROM STDIN on the transaction's own psycopg connection."""
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def _pg_insert(self, conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        self._copy(conn, f"COPY {self.table.name} ({', '.join(self.columns)}) FROM STDIN", rows)

    def _pg_update(self, conn: Connection, key: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """COPY into a session temporary table (emptied at commit), then one UPDATE ... FROM it."""
        temp = f"bulk_{self.table.name}_update"
        columns = [*self.columns, key]
        definition = ", ".join(f"{c} {t}" for c, t in zip(columns, self._pg_types(columns), strict=True))
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {temp} ({definition}) ON COMMIT DELETE ROWS")
        self._copy(conn, f"COPY {temp} ({', '.join(columns)}) FROM STDIN", rows)
        assignments = ", ".join(f"{c} = t.{c}" for c in self.columns)
        conn.exec_driver_sql(
            f"UPDATE {self.table.name} SET {assignments} FROM {temp} t WHERE {self.table.name}.{key} = t.{key}"
        )

    def stored_time(self, value: datetime) -> Any:
        """A timestamp as rows must hold it: SQLite stores text, compared textually; psycopg adapts datetimes."""
        return value.strftime(_SQLITE_DATETIME) if self.dialect == "sqlite" else value

    def insert(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if self.dialect == "postgresql":
            self._pg_insert(conn, [self._tuple(r) for r in rows])
        else:
            conn.exec_driver_sql(self.insert_sql, [self._tuple(r) for r in rows])

    def update(self, conn: Connection, key: str, rows: Sequence[tuple[Any, Mapping[str, Any]]]) -> None:
        """UPDATE ... SET the columns WHERE key = the pair's key, for every (key, row) pair."""
        if not rows:
            return
        tuples = [(*self._tuple(row), value) for value, row in rows]
        if self.dialect == "postgresql":
            self._pg_update(conn, key, tuples)
        else:
            conn.exec_driver_sql(self.update_sql(key), tuples)
