"""Apply Alembic migrations: on every start, and by `cloudinv db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from cloudinv.store.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant: the key of the PostgreSQL advisory lock that lets one process at a time migrate.
_MIGRATION_LOCK = 0x636C6F7564696E76


def upgrade(database: Database, revision: str = "head") -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.begin() as conn:
        if database.dialect == "postgresql":
            # Servers and schedulers started together must not migrate concurrently (DDL of the same version
            # twice fails); the others wait here, then find the schema at head. Released at commit.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
