"""Shared fixtures: an application on SQLite and, when configured, on PostgreSQL; REST and gRPC clients."""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from cloudinv import app as composition
from cloudinv.domain.auth import Role
from cloudinv.settings import Settings
from cloudinv.store.engine import normalize_url
from cloudinv.store.jobs import JobRepository
from cloudinv.store.schema import metadata
from tests.support.clients import GrpcClient, RestClient
from tests.support.jobs import job_row

BASE_PG_URL = os.environ.get("CLOUDINV_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI") == "true"


def _session_schema_url() -> str | None:
    """Each test session gets a schema of its own, so concurrent runs on one database cannot interfere."""
    if not BASE_PG_URL:
        return None
    schema = f"cloudinv_test_{os.getpid()}"
    engine = create_engine(normalize_url(BASE_PG_URL))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    atexit.register(_drop_schema, schema)
    separator = "&" if "?" in BASE_PG_URL else "?"
    return f"{BASE_PG_URL}{separator}options=-csearch_path%3D{schema}"


def _drop_schema(schema: str) -> None:
    engine = create_engine(normalize_url(BASE_PG_URL or ""))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


PG_URL = _session_schema_url()


def _backends() -> list[Any]:
    backends: list[Any] = ["sqlite"]
    if PG_URL:
        backends.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    elif IN_CI:
        raise pytest.UsageError("CI=true needs CLOUDINV_TEST_DATABASE_URL: the PostgreSQL suite must run")
    return backends


@pytest.fixture(params=_backends())
def application(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[composition.Application]:
    """A fresh application: its own SQLite file, or the PostgreSQL test database emptied."""
    url = PG_URL if request.param == "postgresql" else None
    settings = Settings(data_dir=tmp_path / "data", database_url=url, token_public_keys=())
    application = composition.build(settings)
    if url:
        with application.database.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(metadata.tables)}"))
    yield application
    application.close()


@pytest.fixture
def token(application: composition.Application) -> Callable[..., str]:
    def issue(domain_id: str = "domain-a", role: Role = Role.DOMAIN_ADMIN, workspace_id: str | None = None,
              ttl: int = 3600) -> str:  # fmt: skip
        return application.tokens.issue(domain_id, role, workspace_id, ttl)

    return issue


@pytest.fixture
def load_jobs(application: composition.Application) -> Callable[..., list[dict[str, Any]]]:
    """Store jobs built from overrides of a default row; returns the rows stored."""

    def load(*overrides: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [job_row(**o) for o in overrides]
        JobRepository(application.database).upsert_many(rows)
        return rows

    return load


@pytest.fixture
def rest(application: composition.Application) -> Iterator[RestClient]:
    client = RestClient(application)
    yield client
    client.close()


@pytest.fixture
def grpc_client(application: composition.Application) -> Iterator[GrpcClient]:
    client = GrpcClient(application)
    yield client
    client.close()


@pytest.fixture(params=["rest", "grpc"])
def api(request: pytest.FixtureRequest, application: composition.Application) -> Iterator[Any]:
    """The same calls over either transport: tests that use it prove REST and gRPC agree."""
    client = RestClient(application) if request.param == "rest" else GrpcClient(application)
    yield client
    client.close()
