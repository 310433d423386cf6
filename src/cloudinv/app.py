"""The composition root: settings -> database, tokens, services, contracts, servers."""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass, field
from types import FrameType

import uvicorn

from cloudinv.api.contracts import ServiceContract
from cloudinv.api.contracts.assets import asset_contract
from cloudinv.api.contracts.collection import collector_contract, job_control_contract, job_task_contract
from cloudinv.api.contracts.jobs import job_contract
from cloudinv.api.contracts.secrets import secret_contract
from cloudinv.api.grpc.observe import MetricsInterceptor
from cloudinv.api.grpc.server import create_server
from cloudinv.api.rest.app import create_app
from cloudinv.collection.asset_ingest import AssetIngestor
from cloudinv.collection.background import Periodic
from cloudinv.collection.reaper import Reaper, ReaperSettings
from cloudinv.collection.runner import RunnerSettings, SubTaskRunner
from cloudinv.collection.scheduler import Scheduler
from cloudinv.collection.secret_targets import StoredSecrets
from cloudinv.dispatch.inline import InlinePool
from cloudinv.observability.jobs import JobEvents, QueueGauges
from cloudinv.observability.metrics import Metrics
from cloudinv.plugins.registry import PluginRegistry, endpoints_from_env
from cloudinv.services.assets import AssetService
from cloudinv.services.collectors import CollectorService
from cloudinv.services.job_control import JobControlService
from cloudinv.services.job_tasks import JobTaskService
from cloudinv.services.jobs import JobService
from cloudinv.services.secrets import SecretService, open_secrets
from cloudinv.services.tokens import TokenService, load_or_create_signing_key
from cloudinv.settings import Settings
from cloudinv.store import migrate
from cloudinv.store.assets import AssetRepository
from cloudinv.store.collectors import CollectorRepository
from cloudinv.store.engine import Database
from cloudinv.store.job_tasks import JobTaskRepository
from cloudinv.store.jobs import JobRepository

log = logging.getLogger("cloudinv")


@dataclass
class Application:
    settings: Settings
    database: Database
    tokens: TokenService
    plugins: PluginRegistry
    secrets: SecretService
    jobs: JobService
    job_tasks: JobTaskService
    collectors: CollectorService
    job_control: JobControlService
    assets: AssetService
    runner: SubTaskRunner
    pool: InlinePool
    reaper: Reaper
    scheduler: Scheduler
    contracts: tuple[ServiceContract, ...]
    metrics: Metrics
    background: list[Periodic] = field(default_factory=list)

    def start_background(self) -> None:
        """The embedded runner pool, reaper and scheduler, as threads of this process."""
        self.pool.start()
        self.background = [
            Periodic("reaper", self.settings.reaper_interval, self.reaper.run_once),
            Periodic("scheduler", self.settings.scheduler_interval, self.scheduler.run_once),
        ]
        for periodic in self.background:
            periodic.start()

    def close(self) -> None:
        for periodic in self.background:
            periodic.stop()
        self.pool.stop()
        self.plugins.close()
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


def build(settings: Settings, plugins: PluginRegistry | None = None) -> Application:
    database = open_database(settings)
    plugins = plugins or PluginRegistry(endpoints_from_env())
    secrets = open_secrets(settings, database)
    jobs = JobService(JobRepository(database))
    task_repository = JobTaskRepository(database)
    job_tasks = JobTaskService(task_repository)
    metrics = Metrics()  # one registry per application: tests build several in one process
    metrics.register(QueueGauges(database))
    events = JobEvents(metrics, database)
    runner = SubTaskRunner(
        database, plugins, secrets.get_data_for_worker, AssetIngestor(database),
        RunnerSettings(task_timeout=settings.task_timeout), on_finished=events.finished,
    )  # fmt: skip
    pool = InlinePool(runner, size=settings.runner_threads)
    collectors = CollectorService(
        CollectorRepository(database), plugins, StoredSecrets(secrets), jobs, pool, on_started=events.started
    )
    job_control = JobControlService(jobs, task_repository)
    assets = AssetService(AssetRepository(database))
    reaper = Reaper(database, ReaperSettings(settings.job_timeout, settings.task_timeout, settings.retention_days))
    scheduler = Scheduler(database, lambda collector: str(collectors.start(collector, None, None)["job_id"]))
    contracts = (
        job_contract(jobs), job_task_contract(job_tasks), collector_contract(collectors),
        secret_contract(secrets), job_control_contract(job_control), asset_contract(assets),
    )  # fmt: skip
    return Application(
        settings=settings, database=database, tokens=open_tokens(settings), plugins=plugins, secrets=secrets,
        jobs=jobs, job_tasks=job_tasks, collectors=collectors, job_control=job_control, assets=assets,
        runner=runner, pool=pool,
        reaper=reaper, scheduler=scheduler, contracts=contracts, metrics=metrics,
    )  # fmt: skip


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
    interceptors = [MetricsInterceptor(application.metrics)]
    grpc_server, bound = create_server(
        application.contracts, application.tokens, f"{host}:{grpc_port}", interceptors=interceptors
    )
    grpc_server.start()
    application.start_background()
    rest = create_app(application.contracts, application.tokens, application.metrics)
    # log_config=None: uvicorn's loggers go through the root handler, so they follow `--log-format` too.
    config = uvicorn.Config(rest, host=host, port=rest_port, log_level="warning", access_log=False, log_config=None)
    server = _RestServer(config)
    log.info("cloudinv listening: REST http://%s:%d  gRPC %s:%d", host, rest_port, host, bound)
    try:
        server.run()
    finally:
        grpc_server.stop(grace=5).wait()
        application.close()
        log.info("cloudinv stopped")
