"""The database: engine creation per dialect, and the one place driver errors become domain errors."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from cloudinv.domain.errors import ERROR_UNAVAILABLE


def normalize_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'cloudinv.db'}"


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _regexp(pattern: str | None, value: Any) -> int | None:
    if pattern is None or value is None:
        return None
    return 1 if _compiled(pattern).search(str(value)) else 0


def _prepare_sqlite(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # 8 KB pages (the default is 4 KB): an ingest batch dirties fewer pages, in shallower indexes (creates ~15%
    # faster in a 100,000-resource collect, measured back to back with 4 KB pages). It takes effect only on a
    # new database; an existing one keeps its page size.
    cursor.execute("PRAGMA page_size=8192")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # 64 MB of page cache (the default is 2 MB): an ingest batch dirties more index pages than 2 MB holds, and
    # SQLite then spills them to the WAL mid-transaction, writing many of them twice.
    cursor.execute("PRAGMA cache_size=-65536")
    # Checkpoint every 10,000 pages (40 MB), not 1,000: hot index pages are copied to the database file once
    # per checkpoint, so ingestion writes about half the bytes (bench/ingest.py, write_bytes).
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()
    dbapi_conn.create_function("cloudinv_regexp", 2, _regexp, deterministic=True)


PING_IDLE_AFTER = 1.0  # seconds


def _ping_when_idle(engine: Engine) -> None:
    """`pool_pre_ping`, for connections idle longer than PING_IDLE_AFTER only: a connection that died while the
    server was away is replaced before use (the pool retries with a new one), and one in constant use is not
    pinged before every transaction (a round trip each, about a tenth of a collection's database work). A
    connection that dies in use is handled by SQLAlchemy: the error invalidates it and every older one."""

    def mark(_dbapi_conn: Any, record: Any, *_: Any) -> None:
        record.info["cloudinv_idle_since"] = time.monotonic()

    def checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("cloudinv_idle_since", 0.0) < PING_IDLE_AFTER:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # whatever the driver raises, this connection is unusable
            raise DisconnectionError() from exc

    event.listen(engine, "connect", mark)
    event.listen(engine, "checkin", mark)
    event.listen(engine, "checkout", checkout)


class Database:
    """An engine plus transaction helpers that turn an unreachable database into ERROR_UNAVAILABLE."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        if self.url.startswith("sqlite"):
            self.engine: Engine = create_engine(self.url, connect_args={"check_same_thread": False})
            event.listen(self.engine, "connect", _prepare_sqlite)
        else:
            # The connect timeout keeps a request from waiting on an unreachable host for the OS's TCP timeout
            # (minutes); the pool timeout, on a pool that an outage left full of waiting requests.
            self.engine = create_engine(
                self.url, pool_size=10, max_overflow=20, pool_timeout=10,
                connect_args={} if "connect_timeout=" in self.url else {"connect_timeout": 5},
            )  # fmt: skip
            _ping_when_idle(self.engine)
        # Raised, unwrapped by SQLAlchemy, by code working on the driver's own connection (COPY in store/bulk.py).
        self._driver_unavailable: tuple[type[Exception], ...] = (self.engine.dialect.loaded_dbapi.OperationalError,)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self, write_lock: bool = False) -> Iterator[Connection]:
        """A transaction: committed on success, rolled back on any error.

        `write_lock`: on SQLite, take the database's write lock first (BEGIN IMMEDIATE), for a transaction that
        reads and then writes what it read must still be true: a deferred one could read a snapshot another
        writer has since changed. PostgreSQL transactions say what they lock themselves.
        """
        try:
            with self.engine.begin() as conn:
                if write_lock and self.dialect == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                yield conn
        except (OperationalError, PoolTimeoutError) as exc:
            raise self._unavailable(exc) from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise self._unavailable(exc) from exc
            raise
        except self._driver_unavailable as exc:
            raise self._unavailable(exc) from exc

    @staticmethod
    def _unavailable(exc: Exception) -> ERROR_UNAVAILABLE:
        # The driver's text can name hosts and users; keep it for logs, give the caller the gist.
        return ERROR_UNAVAILABLE(reason="the database cannot be reached")

    def dispose(self) -> None:
        self.engine.dispose()
