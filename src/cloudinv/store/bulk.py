"""Bulk writes for the ingest hot path, at the driver level.

SQLAlchemy's per-row parameter processing (type coercion, JSON serialisation) costs more than SQLite's own
insert; ingestion writes tens of thousands of rows a second, so it hands the driver ready values instead:
rows hold JSON columns as their text and timestamps as `stored_time()` gives them, and become tuples by one
itemgetter call. Reads still go through SQLAlchemy and see exactly what its types would have written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table

# SQLite binds at most 32,766 parameters a statement: rows of up to 31 values, 1,024 at a time.
_MAX_ROWS_PER_STATEMENT = 1024
# SQLAlchemy's SQLite DateTime storage format (always with microseconds), so that comparisons stay textual.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


class BulkWriter:
    """INSERT and UPDATE-by-key for one table and column list, a statement for many rows: multi-row VALUES on
    SQLite; on PostgreSQL one JSON parameter read by json_populate_recordset (psycopg parses a statement of
    thousands of parameters slower than the server runs it, and a COPY gives the GIL away every 32 KB).

    Few statements matter twice over: ingestion shares its process's GIL with the plugin stream's thread, and
    every call that releases the GIL (each row of an executemany, each buffer of a COPY) costs a wait to get it
    back."""

    def __init__(self, table: Table, columns: Sequence[str], dialect: str) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.dialect = dialect
        self._tuple: Any = itemgetter(*self.columns)
        self._statements: dict[tuple[str, int], str] = {}
        self._json_columns = [c for c in self.columns if isinstance(table.c[c].type, JSON)]

    def _pg_records(self, rows: Iterable[Mapping[str, Any]]) -> str:
        """The rows as one JSON array of records for json_populate_recordset, JSON columns embedded as is."""
        records = []
        for row in rows:
            record = {**row}
            for column in self._json_columns:
                if record.get(column) is not None:
                    record[column] = orjson.Fragment(record[column])
            records.append(record)
        return orjson.dumps(records).decode()

    def _pg_insert(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        table, names = self.table.name, ", ".join(self.columns)
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM json_populate_recordset(NULL::{table}, %s::json)",
            (self._pg_records(rows),),
        )

    def _pg_update(self, conn: Connection, key: str, rows: Sequence[tuple[Any, Mapping[str, Any]]]) -> None:
        table = self.table.name
        assignments = ", ".join(f"{c} = r.{c}" for c in self.columns)
        conn.exec_driver_sql(
            f"UPDATE {table} SET {assignments} FROM json_populate_recordset(NULL::{table}, %s::json) AS r "
            f"WHERE {table}.{key} = r.{key}",
            (self._pg_records({**row, key: value} for value, row in rows),),
        )

    def stored_time(self, value: datetime) -> Any:
        """A timestamp as rows must hold it: SQLite stores text, compared textually; psycopg adapts datetimes."""
        return value.strftime(_SQLITE_DATETIME) if self.dialect == "sqlite" else value

    def _sqlite_chunks(self, conn: Connection, rows: Sequence[tuple[Any, ...]], sql: Callable[[int], str]) -> None:
        """Rows in statements of power-of-two sizes, each prepared once, then cached by the driver (an
        executemany, which gave the GIL away every row, ran ingestion at half speed)."""
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
            self._pg_insert(conn, rows)
        else:
            self._sqlite_chunks(conn, [self._tuple(r) for r in rows], self._sqlite_insert_sql)

    def update(self, conn: Connection, key: str, rows: Sequence[tuple[Any, Mapping[str, Any]]]) -> None:
        """UPDATE ... SET the columns WHERE key = the pair's key, for every (key, row) pair."""
        if not rows:
            return
        if self.dialect == "postgresql":
            self._pg_update(conn, key, rows)
        else:
            self._sqlite_chunks(conn, [(*self._tuple(row), value) for value, row in rows], self._sqlite_update_sql(key))
