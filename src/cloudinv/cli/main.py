"""`cloudinv`: serve, tokens, database, job import."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cloudinv import app as composition
from cloudinv.cli.commands import add_remote_commands
from cloudinv.cli.distributed import add_distributed_commands
from cloudinv.cli.plugin import plugin_cli
from cloudinv.cli.query import query_cli
from cloudinv.domain.auth import Role
from cloudinv.domain.errors import CloudinvError
from cloudinv.observability.logs import LogFormat, configure_logging
from cloudinv.services.job_import import ImportFailure, import_jobs
from cloudinv.settings import Settings, default_data_dir
from cloudinv.store.jobs import JobRepository

cli = typer.Typer(help="cloudinv: cloud inventory collection service.", no_args_is_help=True)
token_cli = typer.Typer(help="Access tokens.", no_args_is_help=True)
db_cli = typer.Typer(help="Database maintenance.", no_args_is_help=True)
jobs_cli = typer.Typer(help="Jobs: on a server (list, get, ...), or imported into a database.", no_args_is_help=True)
cli.add_typer(token_cli, name="token")
cli.add_typer(db_cli, name="db")
cli.add_typer(jobs_cli, name="jobs")
cli.add_typer(plugin_cli, name="plugin")
cli.add_typer(query_cli, name="query")
add_remote_commands(cli, jobs_cli)  # login, the Job API verbs in `jobs`, job-tasks, collectors, secrets, assets
add_distributed_commands(cli)  # worker, scheduler

DataDir = typer.Option(None, "--data-dir", envvar="CLOUDINV_DATA_DIR", help="Data directory.")
DatabaseUrl = typer.Option(None, "--database-url", envvar="CLOUDINV_DATABASE_URL", help="SQLAlchemy URL.")


def _settings(data_dir: Path | None, database_url: str | None) -> Settings:
    return Settings(data_dir=data_dir or default_data_dir(), database_url=database_url or None)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


@cli.command()
def serve(
    host: str = typer.Option("127.0.0.1", envvar="CLOUDINV_HOST"),
    rest_port: int = typer.Option(8000, envvar="CLOUDINV_REST_PORT"),
    grpc_port: int = typer.Option(50051, envvar="CLOUDINV_GRPC_PORT"),
    data_dir: Path | None = DataDir,
    database_url: str | None = DatabaseUrl,
    demo: bool = typer.Option(False, help="Load demo jobs, print an admin token and log the CLI in with it."),
    log_format: LogFormat = typer.Option(LogFormat.TEXT, "--log-format", envvar="CLOUDINV_LOG_FORMAT"),
    no_runner: bool = typer.Option(
        False, "--no-runner", help="Serve only: no embedded runner, reaper, scheduler or outbox relay."
    ),
) -> None:
    """Serve the API over REST and gRPC (and the web page at /, metrics at /metrics) until SIGINT/SIGTERM."""
    configure_logging(log_format)
    try:
        application = composition.build(_settings(data_dir, database_url))
    except CloudinvError as exc:
        _fail(exc.message)
    if demo:
        from cloudinv.demo import prepare_demo

        prepare_demo(application, host, rest_port, grpc_port)
    composition.serve(application, host, rest_port, grpc_port, background=not no_runner)


@token_cli.command("issue")
def token_issue(
    domain_id: str = typer.Option(..., "--domain-id"),
    role: Role = typer.Option(..., "--role"),
    workspace_id: str | None = typer.Option(None, "--workspace-id"),
    ttl: int = typer.Option(30 * 24 * 3600, "--ttl", help="Seconds until it expires."),
    data_dir: Path | None = DataDir,
) -> None:
    """Print a signed token on stdout, and nothing else."""
    tokens = composition.open_tokens(_settings(data_dir, None))
    try:
        typer.echo(tokens.issue(domain_id, role, workspace_id, ttl))
    except ValueError as exc:
        _fail(str(exc))


@db_cli.command("upgrade")
def db_upgrade(data_dir: Path | None = DataDir, database_url: str | None = DatabaseUrl) -> None:
    """Apply every database migration."""
    composition.open_database(_settings(data_dir, database_url)).dispose()
    typer.echo("database is up to date")


@jobs_cli.command("import")
def jobs_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSON Lines of JobInfo records."),
    data_dir: Path | None = DataDir,
    database_url: str | None = DatabaseUrl,
) -> None:
    """Load job records; an invalid line is reported and then nothing is imported."""
    database = composition.open_database(_settings(data_dir, database_url))
    try:
        with file.open(encoding="utf-8") as lines:
            count = import_jobs(JobRepository(database), lines)
    except ImportFailure as failure:
        _fail(f"{file}: {failure}; nothing was imported")
    finally:
        database.dispose()
    typer.echo(f"imported {count} jobs")


def main() -> None:
    try:
        cli()
    except CloudinvError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
