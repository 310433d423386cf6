"""SQLite databases are made with 8 KB pages; one made before keeps its own page size, and still opens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from cloudinv.store.engine import Database


def _page_size(database: Database) -> int:
    with database.begin() as conn:
        return int(conn.execute(text("PRAGMA page_size")).scalar_one())


def test_a_new_database_has_8k_pages(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        with database.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        assert _page_size(database) == 8192
    finally:
        database.dispose()


def test_an_existing_database_keeps_its_page_size(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute("PRAGMA page_size=4096")
        old.execute("PRAGMA journal_mode=WAL")
        old.execute("CREATE TABLE t (x INTEGER)")
        old.execute("INSERT INTO t VALUES (1)")
    database = Database(f"sqlite:///{path}")
    try:
        assert _page_size(database) == 4096
        with database.begin() as conn:
            assert conn.execute(text("SELECT x FROM t")).scalar_one() == 1
    finally:
        database.dispose()
