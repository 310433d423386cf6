"""The composition root: settings -> database, tokens, services, contracts, servers."""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from types import FrameType

import uvicorn

from cloudinv.api.contract import ServiceContract, job_contract
from cloudinv.api.grpc.server import create_server
from cloudinv.api.rest.app import create_app
from cloudinv.services.jobs import JobService
from cloudinv.services.tokens import TokenService, load_or_create_signing_key
from cloudinv.settings import Settings
from cloudinv.store import migrate
from cloudinv.store.engine import Database
from cloudinv.store.jobs import JobRepository

log = logging.getLogger("cloudinv")


@dataclass
class Application:
    settings: Settings
    database: Database
    tokens: TokenService
    jobs: JobService
    contracts: tuple[ServiceContract, ...]

    def close(self) -> None:
        self.database.dispose()


def open_database(settings: Settings) -> Database:
    """The database with every migration applied."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.resolved_database_url)
    migrate.upgrade(database)
    return database


def open_tokens(settings: Settings) -> TokenService:
    public_keys = [path.read_text() for path in settings.token_public_keys]
    return TokenService(load_or_create_signing_key(settings.data_dir), public_keys)


def build(settings: Settings) -> Application:
    database = open_database(settings)
    jobs = JobService(JobRepository(database))
    return Application(
        settings=settings,
        database=database,
        tokens=open_tokens(settings),
        jobs=jobs,
        contracts=(job_contract(jobs),),
    )


class _RestServer(uvicorn.Server):
    """uvicorn, except that a signal ends `run()` instead of being re-raised after it, so that the gRPC
    server and the database are closed too and the process exits 0."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        else:
            self.should_exit = True


def serve(application: Application, host: str, rest_port: int, grpc_port: int) -> None:
    """Serve gRPC and REST until SIGINT/SIGTERM (uvicorn owns the signals), then stop both cleanly."""
    grpc_server, bound = create_server(application.contracts, application.tokens, f"{host}:{grpc_port}")
    grpc_server.start()
    rest = create_app(application.contracts, application.tokens)
    config = uvicorn.Config(rest, host=host, port=rest_port, log_level="warning", access_log=False)
    server = _RestServer(config)
    log.info("cloudinv listening: REST http://%s:%d  gRPC %s:%d", host, rest_port, host, bound)
    try:
        server.run()
    finally:
        grpc_server.stop(grace=5).wait()
        application.close()
        log.info("cloudinv stopped")
