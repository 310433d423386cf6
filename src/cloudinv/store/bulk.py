"""Bulk writes for the ingest hot path, at the driver level.

SQLAlchemy's per-row parameter processing (type coercion, JSON serialisation) costs more than SQLite's own
insert; ingestion writes tens of thousands of rows a second, so it hands the driver ready values instead:
rows hold JSON columns as their text and timestamps as `stored_time()` gives them, and become tuples by one
itemgetter call. Reads still go through SQLAlchemy and see exactly what its types would have written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql

# SQLite binds at most 32,766 parameters a statement: rows of up to 31 values, 1,024 at a time.
_MAX_ROWS_PER_STATEMENT = 1024
# SQLAlchemy's SQLite DateTime storage format (always with microseconds), so that comparisons stay textual.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


class BulkWriter:
    """INSERT and UPDATE-by-key for one table and column list: multi-row statements on SQLite; COPY on
    PostgreSQL, where an executemany runs one statement per row and a multi-row statement costs psycopg more to
    parse than to run."""

    def __init__(self, table: Table, columns: Sequence[str], dialect: str) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.dialect = dialect
        self._tuple: Any = itemgetter(*self.columns)
        self._statements: dict[tuple[str | None, int], Any] = {}  # statements by (update key, rows)

    @staticmethod
    def _copy(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """COPY ... FROM STDIN on the transaction's own psycopg connection."""
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def _pg_update(self, conn: Connection, key: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """COPY into a session temporary table (emptied at commit), then one UPDATE ... FROM it."""
        create, copy, update = self._statement(key, 0, self._pg_update_sql)
        conn.exec_driver_sql(create)
        self._copy(conn, copy, rows)
        conn.exec_driver_sql(update)

    def _pg_update_sql(self, key: str, _: int) -> tuple[str, str, str]:
        table, temp, columns = self.table.name, f"bulk_{self.table.name}_update", [*self.columns, key]
        compiler = postgresql.dialect()  # type: ignore[no-untyped-call]
        definition = ", ".join(f"{c} {self.table.c[c].type.compile(dialect=compiler)}" for c in columns)
        assignments = ", ".join(f"{c} = t.{c}" for c in self.columns)
        return (
            f"CREATE TEMP TABLE IF NOT EXISTS {temp} ({definition}) ON COMMIT DELETE ROWS",
            f"COPY {temp} ({', '.join(columns)}) FROM STDIN",
            f"UPDATE {table} SET {assignments} FROM {temp} t WHERE {table}.{key} = t.{key}",
        )

    def stored_time(self, value: datetime) -> Any:
        """A timestamp as rows must hold it: SQLite stores text, compared textually; psycopg adapts datetimes."""
        return value.strftime(_SQLITE_DATETIME) if self.dialect == "sqlite" else value

    def _sqlite_chunks(self, conn: Connection, rows: Sequence[tuple[Any, ...]], key: str | None) -> None:
        """Rows in statements of power-of-two sizes, each built and prepared once (then cached by the driver):
        INSERTs, or with a `key` UPDATEs by it. An executemany releases the GIL around every row, and a busy
        thread (the plugin stream's) then keeps the writer waiting for it every row: ingestion ran at half
        speed. One statement of many rows releases it once."""
        driver: Any = conn.connection.driver_connection
        start = 0
        while start < len(rows):
            size = min(_MAX_ROWS_PER_STATEMENT, 1 << ((len(rows) - start).bit_length() - 1))
            sql = self._statement(key, size, self._sqlite_sql)
            driver.execute(sql, [value for row in rows[start : start + size] for value in row])
            start += size

    def _sqlite_sql(self, key: str | None, rows: int) -> str:
        table, names = self.table.name, ", ".join(self.columns)
        width = len(self.columns) + (key is not None)
        values = ", ".join([f"({', '.join(['?'] * width)})"] * rows)
        if key is None:
            return f"INSERT INTO {table} ({names}) VALUES {values}"
        assignments = ", ".join(f"{c} = t.{c}" for c in self.columns)
        return (
            f"WITH t({names}, bulk_key) AS (VALUES {values}) "
            f"UPDATE {table} SET {assignments} FROM t WHERE {table}.{key} = t.bulk_key"
        )

    def _statement(self, key: str | None, rows: int, build: Callable[[Any, int], Any]) -> Any:
        """What `build(key, rows)` makes, made once per writer."""
        found = self._statements.get((key, rows))
        if found is None:
            found = self._statements[key, rows] = build(key, rows)
        return found

    def insert(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if self.dialect == "postgresql":
            self._copy(
                conn, f"COPY {self.table.name} ({', '.join(self.columns)}) FROM STDIN", [self._tuple(r) for r in rows]
            )
        else:
            self._sqlite_chunks(conn, [self._tuple(r) for r in rows], None)

    def update(self, conn: Connection, key: str, rows: Sequence[tuple[Any, Mapping[str, Any]]]) -> None:
        """UPDATE ... SET the columns WHERE key = the pair's key, for every (key, row) pair."""
        if not rows:
            return
        tuples = [(*self._tuple(row), value) for value, row in rows]
        if self.dialect == "postgresql":
            self._pg_update(conn, key, tuples)
        else:
            self._sqlite_chunks(conn, tuples, key)
