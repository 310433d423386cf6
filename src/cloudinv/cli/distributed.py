"""`cloudinv worker` and `cloudinv scheduler`: the processes of distributed mode (README "Running at scale")."""

from __future__ import annotations

import logging
import os
import signal
import threading
from enum import StrEnum
from pathlib import Path
from types import FrameType

import typer

from cloudinv import app as composition
from cloudinv.dispatch.celery_app import create_celery
from cloudinv.dispatch.worker import PerProcess, register_task, run_worker
from cloudinv.observability.logs import LogFormat, configure_logging
from cloudinv.settings import Settings, default_data_dir

log = logging.getLogger("cloudinv")

_DataDir = typer.Option(None, "--data-dir", envvar="CLOUDINV_DATA_DIR", help="Data directory.")
_DatabaseUrl = typer.Option(None, "--database-url", envvar="CLOUDINV_DATABASE_URL", help="SQLAlchemy URL.")
_LogFormat = typer.Option(LogFormat.TEXT, "--log-format", envvar="CLOUDINV_LOG_FORMAT")


class Pool(StrEnum):
    PREFORK = "prefork"
    THREADS = "threads"
    SOLO = "solo"


def add_distributed_commands(cli: typer.Typer) -> None:
    cli.command("worker")(worker)
    cli.command("scheduler")(scheduler)


def _settings(data_dir: Path | None, database_url: str | None) -> Settings:
    settings = Settings(data_dir=data_dir or default_data_dir(), database_url=database_url or None)
    if not settings.broker_url:
        typer.echo("error: distributed mode needs CLOUDINV_BROKER_URL (e.g. redis://127.0.0.1:6379/0)", err=True)
        raise typer.Exit(code=1)
    return settings


def worker(
    concurrency: int = typer.Option(os.cpu_count() or 1, "--concurrency", "-c", help="Sub-tasks run at once."),
    queues: str | None = typer.Option(None, "--queues", "-Q", help="Comma-separated; default CLOUDINV_BROKER_QUEUE."),
    pool: Pool = typer.Option(Pool.PREFORK, "--pool", help="prefork: one process per sub-task (default)."),
    loglevel: str = typer.Option("INFO", "--loglevel", help="INFO logs every task received and run."),
    data_dir: Path | None = _DataDir,
    database_url: str | None = _DatabaseUrl,
    log_format: LogFormat = _LogFormat,
) -> None:
    """Run sub-tasks delivered by the broker (a Celery worker) until SIGTERM (finishes running ones first)."""
    settings = _settings(data_dir, database_url)
    configure_logging(log_format)
    app = create_celery(composition.broker_settings(settings))
    register_task(app, PerProcess(lambda: composition.open_worker_runner(settings)))
    names = [q.strip() for q in (queues or settings.broker_queue).split(",") if q.strip()]
    run_worker(app, names, concurrency, pool.value, loglevel)


def scheduler(
    data_dir: Path | None = _DataDir,
    database_url: str | None = _DatabaseUrl,
    log_format: LogFormat = _LogFormat,
) -> None:
    """Fire schedules, run the reaper and the outbox relay until SIGINT/SIGTERM. Any number may run."""
    settings = _settings(data_dir, database_url)
    configure_logging(log_format)
    application = composition.build(settings)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    application.start_scheduling()
    log.info("cloudinv scheduler running (queue %s)", settings.broker_queue)
    try:
        stop.wait()
    finally:
        application.close()
        log.info("cloudinv scheduler stopped")
