"""Health (`GET /healthz`, grpc.health.v1) follows the database and the broker; a configured broker switches
dispatch to the outbox, and then nothing in the server process claims sub-tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from grpc_health.v1 import health_pb2

from cloudinv import app as composition
from cloudinv.api.grpc.health import GrpcHealth
from cloudinv.api.rest.health import add_health_route
from cloudinv.dispatch.inline import InlinePool
from cloudinv.dispatch.outbox import Outbox
from cloudinv.domain.errors import ERROR_UNAVAILABLE
from cloudinv.services.health import HealthCheck
from cloudinv.settings import Settings
from cloudinv.store.engine import Database


class StubBroker:
    def __init__(self, up: bool) -> None:
        self.up = up

    def reachable(self) -> bool:
        return self.up


def _healthz(check: HealthCheck) -> tuple[int, dict[str, Any]]:
    app = FastAPI()
    add_health_route(app, check.check)
    response = TestClient(app).get("/healthz")
    return response.status_code, response.json()


def test_healthz_reports_each_dependency(application: Any) -> None:
    assert _healthz(HealthCheck(application.database, None)) == (
        200, {"status": "SERVING", "database": "up", "broker": "not configured"},
    )  # fmt: skip
    assert _healthz(HealthCheck(application.database, StubBroker(up=True)))[0] == 200
    assert _healthz(HealthCheck(application.database, StubBroker(up=False))) == (
        503, {"status": "NOT_SERVING", "database": "up", "broker": "down"},
    )  # fmt: skip


def test_an_unreachable_database_is_not_serving(tmp_path: Path) -> None:
    # Nothing listens on port 9 (discard): the connection is refused at once.
    database = Database("postgresql://postgres@127.0.0.1:9/nothing")
    try:
        assert _healthz(HealthCheck(database, None)) == (
            503, {"status": "NOT_SERVING", "database": "down", "broker": "not configured"},
        )  # fmt: skip
    finally:
        database.dispose()


def test_grpc_health_follows_the_checks() -> None:
    health = GrpcHealth(["spaceone.api.inventory_v2.v1.Job"])
    request = health_pb2.HealthCheckRequest

    def status(name: str) -> Any:
        return health.servicer.Check(request(service=name), None).status

    health.update(False)
    assert status("") == status("spaceone.api.inventory_v2.v1.Job") == health_pb2.HealthCheckResponse.NOT_SERVING
    health.update(True)
    assert status("") == status("spaceone.api.inventory_v2.v1.Job") == health_pb2.HealthCheckResponse.SERVING


def test_a_broker_url_means_no_inline_pool(tmp_path: Path) -> None:
    embedded = composition.build(Settings(data_dir=tmp_path / "a", database_url=None, token_public_keys=()))
    broker = "redis://127.0.0.1:1/0"  # never reached: nothing is collected
    distributed = composition.build(
        Settings(data_dir=tmp_path / "b", database_url=None, token_public_keys=(), broker_url=broker)
    )
    try:
        assert isinstance(embedded.pool, InlinePool)
        assert embedded.outbox is None
        assert distributed.pool is None
        assert isinstance(distributed.collectors.dispatcher, Outbox)
        distributed.start_background()  # the relay only
        assert [p.name for p in distributed.background] == ["outbox-relay"]
    finally:
        embedded.close()
        distributed.close()


def test_a_drivers_own_connection_error_is_unavailable(application: Any) -> None:
    """Driver-level code (COPY) raises the driver's errors, unwrapped by SQLAlchemy: still ERROR_UNAVAILABLE."""
    driver_error = application.database.engine.dialect.loaded_dbapi.OperationalError
    with pytest.raises(ERROR_UNAVAILABLE), application.database.begin():
        raise driver_error("server closed the connection unexpectedly")
