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
        self._statements: dict[tuple[str, int], str] = {}

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

    def _sqlite_chunks(self, conn: Connection, rows: Sequence[tuple[Any, ...]], sql: Callable[[int], str]) -> None:
        """Rows in statements of power-of-two sizes (each prepared once, then cached by the driver). An
        executemany releases the GIL around every row, and a busy thread (the plugin stream's) then keeps the
        writer waiting for it every row: ingestion ran at half speed. One statement of many rows releases it
        once."""
        driver: Any = conn.connection.driver_connection
        start = 0
        while start < len(rows):
            size = min(_MAX_ROWS_PER_STATEMENT, 1 << ((len(rows) - start).bit_length() - 1))
            driver.execute(sql(size), [value for row in rows[start : start + size] for value in row])
            start += size

    def _values(self, rows: int, width: int) -> str:
        one = f"({', '.join(['?'] * width)})"
        return ", ".join([one] * rows)

    def _sqlite_insert_sql(self, rows: int) -> str:
        sql = self._statements.get(("insert", rows))
        if sql is None:
            names = ", ".join(self.columns)
            sql = f"INSERT INTO {self.table.name} ({names}) VALUES {self._values(rows, len(self.columns))}"
            self._statements["insert", rows] = sql
        return sql

    def _sqlite_update_sql(self, key: str) -> Callable[[int], str]:
        def sql(rows: int) -> str:
            statement = self._statements.get((key, rows))
            if statement is None:
                names = ", ".join(self.columns)
                assignments = ", ".join(f"{c} = t.{c}" for c in self.columns)
                statement = (
                    f"WITH t({names}, bulk_key) AS (VALUES {self._values(rows, len(self.columns) + 1)}) "
                    f"UPDATE {self.table.name} SET {assignments} FROM t WHERE {self.table.name}.{key} = t.bulk_key"
                )
                self._statements[key, rows] = statement
            return statement

        return sql

    def insert(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if self.dialect == "postgresql":
            self._pg_insert(conn, [self._tuple(r) for r in rows])
        else:
            self._sqlite_chunks(conn, [self._tuple(r) for r in rows], self._sqlite_insert_sql)

    def update(self, conn: Connection, key: str, rows: Sequence[tuple[Any, Mapping[str, Any]]]) -> None:
        """UPDATE ... SET the columns WHERE key = the pair's key, for every (key, row) pair."""
        if not rows:
            return
        tuples = [(*self._tuple(row), value) for value, row in rows]
        if self.dialect == "postgresql":
            self._pg_update(conn, key, tuples)
        else:
            self._sqlite_chunks(conn, tuples, self._sqlite_update_sql(key))
