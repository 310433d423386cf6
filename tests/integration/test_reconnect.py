"""A pooled PostgreSQL connection that died while idle (server restart, failover, a proxy cut) is replaced
before use: the next request does not see it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from cloudinv.store.engine import PING_IDLE_AFTER, Database
from tests.conftest import PG_URL

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason="needs CLOUDINV_TEST_DATABASE_URL")]


def test_a_connection_killed_while_idle_is_replaced_unnoticed() -> None:
    database = Database(PG_URL or "")
    try:
        with database.begin() as conn:  # the pool's only connection, killed below
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        killer = create_engine(database.url)
        with killer.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        killer.dispose()
        time.sleep(PING_IDLE_AFTER + 0.2)
        with database.begin() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        database.dispose()
