"""`cloudinv jobs list|get|delete|analyze|stat|watch|cancel`: the Job API of a server (see remote.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cloudinv.cli.client import INVENTORY, JOB_CONTROL
from cloudinv.cli.filters import FilterError, read_query, with_filters
from cloudinv.cli.output import Column, Format, OutputOption, duration, emit, emit_one, field
from cloudinv.cli.remote import EXIT_JOB_FAILED, FilterOption, QueryOption, api, fail
from cloudinv.cli.resource import Resource, add_common
from cloudinv.cli.watching import summary, watch


def _tasks(row: dict[str, Any]) -> str:
    if row.get("total_tasks") is None:
        return ""
    return f"{row.get('success_tasks', 0)} ok, {row.get('failure_tasks', 0)} failed of {row['total_tasks']}"


JOB = Resource(
    "job", INVENTORY, "job_id",
    (field("job_id"), field("status"), Column("TASKS", _tasks), field("collector_id", "COLLECTOR"),
     field("created_at", "CREATED"), Column("DURATION", duration)),
)  # fmt: skip


def analyze(
    group_by: list[str] = typer.Option([], "--group-by", "-g", help="Group by this key (repeatable)."),
    filters: list[str] = FilterOption,
    query_file: Path | None = QueryOption,
    output: Format = OutputOption,
) -> None:
    """Group jobs and count them (`-g status -g collector_id`), or run a full analyze query (`--query`)."""
    with api() as client:
        query = with_filters(read_query(query_file), filters)
        if group_by:
            query["group_by"] = group_by
        query.setdefault("fields", {"count": {"operator": "count"}})
        answer = client.call(JOB.path("analyze"), {"query": query})
        more = " (more groups exist)" if answer.get("more") else ""
        emit(answer, output, answer.get("results") or [], caption=f"{len(answer.get('results') or [])} groups{more}")


def stat(
    distinct: str | None = typer.Option(None, "--distinct", help="The distinct values of this key."),
    filters: list[str] = FilterOption,
    query_file: Path | None = QueryOption,
    output: Format = OutputOption,
) -> None:
    """Distinct values (`--distinct status`) or an aggregate pipeline (`--query`)."""
    with api() as client:
        query = with_filters(read_query(query_file), filters)
        if distinct:
            query["distinct"] = distinct
        if "distinct" not in query and "aggregate" not in query:
            raise FilterError("stat needs --distinct KEY or a --query with `distinct` or `aggregate`")
        answer = client.call(JOB.path("stat"), {"query": query})
        emit(answer, output, answer.get("results") or [])


def finish_watch(job: dict[str, Any]) -> None:
    """The summary line; exit 3 unless the job succeeded."""
    if not job:
        fail("the watch stream ended before the job did")
    typer.echo(summary(job))
    if job["status"] != "SUCCESS":
        raise typer.Exit(EXIT_JOB_FAILED)


def watch_command(job_id: str = typer.Argument(..., metavar="JOB_ID")) -> None:
    """Follow a job until it ends; exit 0 on SUCCESS, 3 on FAILURE or CANCELED."""
    with api() as client:
        last = watch(client, job_id)
    finish_watch(last)


def cancel(job_id: str = typer.Argument(..., metavar="JOB_ID"), output: Format = OutputOption) -> None:
    """Cancel a running job (its tasks not started yet never run)."""
    with api() as client:
        emit_one(client.call(f"{JOB_CONTROL}/cancel", {"job_id": job_id}), output)


def add_job_commands(group: typer.Typer) -> None:
    add_common(group, JOB, ("list", "get", "delete"))
    group.command("analyze")(analyze)
    group.command("stat")(stat)
    group.command("watch")(watch_command)
    group.command("cancel")(cancel)
