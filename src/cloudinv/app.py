"""The composition root: settings -> database, tokens, services, contracts, servers."""

from __future__ import annotations

import gc
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

import uvicorn

from cloudinv.api.contracts import ServiceContract
from cloudinv.api.contracts.assets import asset_contract
from cloudinv.api.contracts.collection import collector_contract, job_control_contract, job_task_contract
from cloudinv.api.contracts.jobs import job_contract
from cloudinv.api.contracts.secrets import secret_contract
from cloudinv.api.grpc.health import GrpcHealth
from cloudinv.api.grpc.observe import MetricsInterceptor
from cloudinv.api.grpc.server import create_server
from cloudinv.api.rest.app import create_app
from cloudinv.api.rest.health import add_health_route
from cloudinv.collection.asset_ingest import AssetIngestor
from cloudinv.collection.background import Periodic
from cloudinv.collection.reaper import Reaper, ReaperSettings
from cloudinv.collection.runner import RunnerSettings, SubTaskRunner
from cloudinv.collection.scheduler import Scheduler
from cloudinv.collection.secret_targets import StoredSecrets
from cloudinv.dispatch import Dispatcher
from cloudinv.dispatch.celery_app import BrokerSettings, CeleryBroker
from cloudinv.dispatch.inline import InlinePool
from cloudinv.dispatch.outbox import Outbox
from cloudinv.observability.jobs import JobEvents, QueueGauges
from cloudinv.observability.metrics import Metrics
from cloudinv.plugins.registry import PluginRegistry, endpoints_from_env
from cloudinv.services.assets import AssetService
from cloudinv.services.collectors import CollectorService
from cloudinv.services.health import HealthCheck
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
from cloudinv.store.lifecycle import Finished
from cloudinv.store.outbox import DueWindows

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
    pool: InlinePool | None  # embedded mode only: with a broker configured, nothing here claims sub-tasks
    reaper: Reaper
    scheduler: Scheduler
    contracts: tuple[ServiceContract, ...]
    metrics: Metrics
    broker: CeleryBroker | None = None  # distributed mode only
    outbox: Outbox | None = None  # distributed mode only
    background: list[Periodic] = field(default_factory=list)

    def start_background(self) -> None:
        """What runs beside the API in `cloudinv serve`. Embedded: the runner pool, reaper and scheduler, as
        threads of this process. Distributed: the outbox relay only; workers run the sub-tasks, and
        `cloudinv scheduler` the schedules and the reaper."""
        if self.pool is None:
            self._start_relay()
            return
        self.pool.start()
        self.start_periodic(Periodic("reaper", self.settings.reaper_interval, self.reaper.run_once))
        self.start_periodic(Periodic("scheduler", self.settings.scheduler_interval, self.scheduler.run_once))

    def start_scheduling(self) -> None:
        """`cloudinv scheduler`: schedules, the reaper and, in distributed mode, the outbox relay."""
        self.start_periodic(Periodic("reaper", self.settings.reaper_interval, self.reaper.run_once))
        self.start_periodic(Periodic("scheduler", self.settings.scheduler_interval, self.scheduler.run_once))
        self._start_relay()

    def _start_relay(self) -> None:
        if self.outbox is not None:
            self.start_periodic(Periodic("outbox-relay", self.settings.relay_interval, self.outbox.relay_once))

    def start_periodic(self, periodic: Periodic) -> None:
        """Run it until `close()`."""
        periodic.start()
        self.background.append(periodic)

    def close(self) -> None:
        for periodic in self.background:
            periodic.stop()
        if self.pool is not None:
            self.pool.stop()
        if self.broker is not None:
            self.broker.close()
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


# Ingestion allocates millions of short-lived acyclic containers (items, rows): at the default threshold of 700
# allocations, young-generation collections took a tenth of a collect's time (bench/ingest.py, measured with
# gc.callbacks); at 10,000, a fortieth. Process-wide, so it is set where a process becomes able to run sub-tasks.
_GC_YOUNG_THRESHOLD = 10_000


def build_runner(
    settings: Settings,
    database: Database,
    plugins: PluginRegistry,
    secrets: SecretService,
    on_finished: Callable[[Finished, str], None] | None = None,
) -> SubTaskRunner:
    """The sub-task runner, the same in the embedded pool and in `cloudinv worker`."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, _GC_YOUNG_THRESHOLD), middle, old)
    runner_settings = RunnerSettings(
        task_timeout=settings.task_timeout, heartbeat_interval=settings.heartbeat_interval,
        stale_after=settings.stale_after, max_attempts=settings.max_attempts,
    )  # fmt: skip
    ingestor = AssetIngestor(database)
    return SubTaskRunner(database, plugins, secrets.get_data_for_worker, ingestor, runner_settings, on_finished)


def open_worker_runner(settings: Settings) -> SubTaskRunner:
    """What a `cloudinv worker` process needs, and no more: it neither migrates (servers and `cloudinv db
    upgrade` do) nor issues tokens."""
    database = Database(settings.resolved_database_url)
    plugins = PluginRegistry(endpoints_from_env())
    return build_runner(settings, database, plugins, open_secrets(settings, database))


@dataclass
class _Dispatch:
    dispatcher: Dispatcher
    pool: InlinePool | None = None
    broker: CeleryBroker | None = None
    outbox: Outbox | None = None


def broker_settings(settings: Settings) -> BrokerSettings:
    assert settings.broker_url, "distributed mode needs CLOUDINV_BROKER_URL"
    return BrokerSettings(settings.broker_url, settings.broker_queue, settings.visibility_timeout)


def open_dispatch(settings: Settings, database: Database, runner: SubTaskRunner) -> _Dispatch:
    """Distributed when a broker is configured: the outbox drains into Celery, and no inline pool exists, so
    nothing in this process ever claims a sub-task. Embedded otherwise: the pool claims from the table."""
    if not settings.broker_url:
        pool = InlinePool(runner, size=settings.runner_threads)
        return _Dispatch(pool, pool=pool)
    broker = CeleryBroker(broker_settings(settings))
    outbox = Outbox(database, broker, DueWindows(redispatch_after=settings.redispatch_after,
                                                 stale_after=settings.stale_after))  # fmt: skip
    return _Dispatch(outbox, broker=broker, outbox=outbox)


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
    runner = build_runner(settings, database, plugins, secrets, on_finished=events.finished)
    dispatch = open_dispatch(settings, database, runner)
    collectors = CollectorService(
        CollectorRepository(database), plugins, StoredSecrets(secrets), jobs, dispatch.dispatcher,
        on_started=events.started, on_finished=events.finished,
    )  # fmt: skip
    job_control = JobControlService(jobs, task_repository, on_finished=events.finished)
    assets = AssetService(AssetRepository(database))
    reaper = Reaper(
        database, ReaperSettings(settings.job_timeout, settings.task_timeout, settings.retention_days),
        on_finished=events.finished,
    )  # fmt: skip
    scheduler = Scheduler(database, lambda collector: str(collectors.start(collector, None, None)["job_id"]))
    contracts = (
        job_contract(jobs), job_task_contract(job_tasks), collector_contract(collectors),
        secret_contract(secrets), job_control_contract(job_control), asset_contract(assets),
    )  # fmt: skip
    return Application(
        settings=settings, database=database, tokens=open_tokens(settings), plugins=plugins, secrets=secrets,
        jobs=jobs, job_tasks=job_tasks, collectors=collectors, job_control=job_control, assets=assets,
        runner=runner, pool=dispatch.pool, broker=dispatch.broker, outbox=dispatch.outbox,
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


def serve(application: Application, host: str, rest_port: int, grpc_port: int, background: bool = True) -> None:
    """Serve gRPC and REST until SIGINT/SIGTERM (uvicorn owns the signals), then stop both cleanly.
    `background` False (`--no-runner`): the API alone, nothing running beside it."""
    interceptors = [MetricsInterceptor(application.metrics)]
    health = HealthCheck(application.database, application.broker)
    grpc_health = GrpcHealth([contract.descriptor.full_name for contract in application.contracts])
    grpc_server, bound = create_server(
        application.contracts, application.tokens, f"{host}:{grpc_port}", interceptors=interceptors,
        health_servicer=grpc_health.servicer,
    )  # fmt: skip
    grpc_server.start()
    if background:
        application.start_background()
    interval = application.settings.health_interval
    application.start_periodic(Periodic("health", interval, lambda: grpc_health.update(health.check().serving)))
    rest = create_app(application.contracts, application.tokens, application.metrics)
    add_health_route(rest, health.check)
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
