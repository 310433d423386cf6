"""Apply Alembic migrations: on every start, and by `cloudinv db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from cloudinv.store.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def upgrade(database: Database, revision: str = "head") -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
