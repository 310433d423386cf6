"""`cloudinv collectors create|list|get|update|delete|collect`."""

from __future__ import annotations

from typing import Any

import typer

from cloudinv.cli.client import INVENTORY
from cloudinv.cli.filters import FilterError, parse_json_option
from cloudinv.cli.jobs import finish_watch
from cloudinv.cli.output import Column, Format, OutputOption, emit_one, field
from cloudinv.cli.remote import TagOption, api, tags_of
from cloudinv.cli.resource import Resource, add_common
from cloudinv.cli.watching import watch


def _plugin(row: dict[str, Any]) -> str:
    return str((row.get("plugin_info") or {}).get("plugin_id") or "")


def _schedule(row: dict[str, Any]) -> str:
    schedule = row.get("schedule") or {}
    if schedule.get("state") != "ENABLED":
        return ""
    return "hours " + ",".join(str(h) for h in schedule.get("hours") or [])


COLLECTOR = Resource(
    "collector", INVENTORY, "collector_id",
    (field("collector_id"), field("name"), Column("PLUGIN", _plugin), field("provider"),
     field("resource_group", "GROUP"), Column("SCHEDULE (UTC)", _schedule),
     field("last_collected_at", "LAST COLLECTED")),
)  # fmt: skip

IdArgument = typer.Argument(..., metavar="COLLECTOR_ID")
HoursOption = typer.Option(None, "--schedule-hours", help="Collect at these UTC hours, e.g. 0,6,12,18.")


def _schedule_request(hours: str) -> dict[str, Any]:
    try:
        values = [int(h) for h in hours.split(",") if h.strip()]
    except ValueError as exc:
        raise FilterError(f"--schedule-hours {hours!r}: write UTC hours like 0,6,12") from exc
    return {"state": "ENABLED" if values else "DISABLED", "hours": values}


def create(
    name: str = typer.Option(..., "--name"),
    plugin_id: str = typer.Option(..., "--plugin-id", help="e.g. synthetic, host, or grpc://host:port"),
    options: str | None = typer.Option(None, "--options", help="Plugin options: JSON, or @FILE."),
    provider: str | None = typer.Option(None, "--provider"),
    resource_group: str | None = typer.Option(None, "--resource-group", help="DOMAIN or WORKSPACE."),
    workspace_id: str | None = typer.Option(None, "--workspace-id"),
    schedule_hours: str | None = HoursOption,
    tags: list[str] = TagOption,
    output: Format = OutputOption,
) -> None:
    """Create a collector (the plugin is asked to accept its options first)."""
    with api() as client:
        request: dict[str, Any] = {"name": name, "plugin_info": {"plugin_id": plugin_id}, "tags": tags_of(tags)}
        if options is not None:
            request["plugin_info"]["options"] = parse_json_option(options, "--options")
        optional = {"provider": provider, "resource_group": resource_group, "workspace_id": workspace_id}
        request.update({k: v for k, v in optional.items() if v is not None})
        if schedule_hours is not None:
            request["schedule"] = _schedule_request(schedule_hours)
        emit_one(client.call(COLLECTOR.path("create"), request), output)


def update(
    collector_id: str = IdArgument,
    name: str | None = typer.Option(None, "--name"),
    schedule_hours: str | None = typer.Option(None, "--schedule-hours", help="UTC hours; '' turns the schedule off."),
    tags: list[str] = TagOption,
    output: Format = OutputOption,
) -> None:
    """Rename a collector, change its schedule or its tags."""
    with api() as client:
        request: dict[str, Any] = {"collector_id": collector_id}
        if name:
            request["name"] = name
        if schedule_hours is not None:
            request["schedule"] = _schedule_request(schedule_hours)
        if tags:
            request["tags"] = tags_of(tags)
        emit_one(client.call(COLLECTOR.path("update"), request), output)


def collect(
    collector_id: str = IdArgument,
    secret_id: str | None = typer.Option(None, "--secret-id", help="Collect with this secret only."),
    follow: bool = typer.Option(False, "--watch", "-w", help="Show progress until the job ends; exit 3 if it failed."),
    output: Format = OutputOption,
) -> None:
    """Start a job; with --watch, follow it to its end."""
    with api() as client:
        request = {"collector_id": collector_id, **({"secret_id": secret_id} if secret_id else {})}
        job = client.call(COLLECTOR.path("collect"), request)
        if not follow:
            emit_one(job, output)
            return
        typer.echo(f"started {job['job_id']}", err=True)
        last = watch(client, job["job_id"])
    finish_watch(last)


def add_collector_commands(group: typer.Typer) -> None:
    group.command("create")(create)
    add_common(group, COLLECTOR, ("list", "get"))
    group.command("update")(update)
    add_common(group, COLLECTOR, ("delete",))
    group.command("collect")(collect)
