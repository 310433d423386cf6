"""`cloudinv job-tasks list|get` and `cloudinv assets list|get`.

The Asset API may not be served by the server yet: its commands then end with
`error: ERROR_NOT_FOUND: the server does not serve POST /inventory-v2/v1/asset/list`.
"""

from __future__ import annotations

from typing import Any

import typer

from cloudinv.cli.client import INVENTORY
from cloudinv.cli.output import Column, Format, OutputOption, duration, emit_one, field
from cloudinv.cli.remote import api
from cloudinv.cli.resource import Resource, add_common


def _counts(row: dict[str, Any]) -> str:
    return f"{row.get('created_count', 0)} created, {row.get('updated_count', 0)} updated"


JOB_TASK = Resource(
    "job-task", INVENTORY, "job_task_id",
    (field("job_task_id"), field("job_id"), field("status"), field("secret_id", "SECRET"), Column("RESOURCES", _counts),
     field("failure_count", "FAILURES"), Column("DURATION", lambda row: duration(row, "started_at"))),
)  # fmt: skip

ASSET = Resource(
    "asset", INVENTORY, "asset_id",
    (field("asset_id"), field("name"), field("state"), field("provider"), field("asset_type_id", "TYPE"),
     field("region_code", "REGION"), field("updated_at", "UPDATED")),
)  # fmt: skip


def get_task(
    job_task_id: str = typer.Argument(..., metavar="JOB_TASK_ID"),
    detail: bool = typer.Option(False, "--detail", help="Its errors and counts by type (get_detail)."),
    output: Format = OutputOption,
) -> None:
    """Show one job task; --detail for its errors."""
    with api() as client:
        emit_one(client.call(JOB_TASK.path("get-detail" if detail else "get"), {"job_task_id": job_task_id}), output)


def add_job_task_commands(group: typer.Typer) -> None:
    add_common(group, JOB_TASK, ("list",))
    group.command("get")(get_task)


def add_asset_commands(group: typer.Typer) -> None:
    add_common(group, ASSET, ("list", "get"))
