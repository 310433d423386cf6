"""The commands that talk to a running server over REST, added to the `cloudinv` CLI: `login`, the Job API
verbs in `jobs`, and the `job-tasks`, `collectors`, `secrets` and `assets` groups."""

from __future__ import annotations

import typer

from cloudinv.cli.client import INVENTORY, ApiError, Client
from cloudinv.cli.collectors import add_collector_commands
from cloudinv.cli.inventory import add_asset_commands, add_job_task_commands
from cloudinv.cli.jobs import add_job_commands
from cloudinv.cli.profile import Profile, profile_path, save_profile
from cloudinv.cli.remote import fail
from cloudinv.cli.secrets import add_secret_commands


def login(
    url: str = typer.Option(..., "--url", help="The server's REST address, e.g. http://127.0.0.1:8000"),
    token: str = typer.Option(..., "--token", help="A token (`cloudinv token issue`)."),
    domain_id: str | None = typer.Option(None, "--domain-id", help="For a SYSTEM token: the domain to act in."),
    verify: bool = typer.Option(True, "--verify/--no-verify", help="Check the token against the server first."),
) -> None:
    """Store the server and token the other commands use (in $CLOUDINV_CONFIG or ~/.config/cloudinv/profile.json)."""
    profile = Profile(url=url.rstrip("/"), token=token.strip(), domain_id=domain_id)
    if verify:
        try:
            with Client(profile, timeout=10) as client:
                client.call(f"{INVENTORY}/job/list", {"query": {"count_only": True}})
        except ApiError as exc:
            fail(f"{exc} (nothing was saved)")
    path = save_profile(profile, profile_path())
    typer.echo(f"logged in to {profile.url}; profile saved to {path}")


def add_remote_commands(cli: typer.Typer, jobs: typer.Typer) -> None:
    """Add the client commands to a CLI: `login`, the groups, and the Job API verbs to its `jobs` group."""
    cli.command("login")(login)
    add_job_commands(jobs)
    groups = {
        "job-tasks": ("Job tasks: one per secret of a job.", add_job_task_commands),
        "collectors": ("Collectors: a plugin with options and a schedule; `collect` runs it.", add_collector_commands),
        "secrets": ("Secrets: credentials the collectors run with.", add_secret_commands),
        "assets": ("Assets: what collection found.", add_asset_commands),
    }
    for name, (help_text, add) in groups.items():
        group = typer.Typer(help=help_text, no_args_is_help=True)
        add(group)
        cli.add_typer(group, name=name)


def remote_cli() -> typer.Typer:
    """A CLI of the client commands only (see entry.py)."""
    cli = typer.Typer(help="cloudinv: the client commands.", no_args_is_help=True)
    jobs = typer.Typer(help="Jobs on a server.", no_args_is_help=True)
    cli.add_typer(jobs, name="jobs")
    add_remote_commands(cli, jobs)
    return cli
