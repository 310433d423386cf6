"""`cloudinv secrets create|list|delete`. Secret data goes to the server and is never shown again."""

from __future__ import annotations

from typing import Any

import typer

from cloudinv.cli.client import SECRET
from cloudinv.cli.filters import FilterError, parse_json_option
from cloudinv.cli.output import Format, OutputOption, emit_one, field
from cloudinv.cli.remote import TagOption, api, tags_of
from cloudinv.cli.resource import Resource, add_common

SECRET_RESOURCE = Resource(
    "secret", SECRET, "secret_id",
    (field("secret_id"), field("name"), field("schema_id", "SCHEMA"), field("provider"), field("state"),
     field("resource_group", "GROUP"), field("created_at", "CREATED")),
)  # fmt: skip


def create(
    name: str = typer.Option(..., "--name"),
    schema_id: str = typer.Option(..., "--schema-id", help="e.g. synthetic; it decides the provider."),
    data: str = typer.Option(..., "--data", help="The secret data: JSON, or @FILE (JSON or YAML)."),
    resource_group: str | None = typer.Option(
        None, "--resource-group", help="DOMAIN or WORKSPACE (default: WORKSPACE with --workspace-id, else DOMAIN)."
    ),
    workspace_id: str | None = typer.Option(None, "--workspace-id"),
    tags: list[str] = TagOption,
    output: Format = OutputOption,
) -> None:
    """Store a secret (encrypted by the server)."""
    with api() as client:
        secret_data = parse_json_option(data, "--data")
        if not isinstance(secret_data, dict):
            raise FilterError("--data must be a JSON object")
        request: dict[str, Any] = {"name": name, "schema_id": schema_id, "data": secret_data, "tags": tags_of(tags)}
        request["resource_group"] = resource_group or ("WORKSPACE" if workspace_id else "DOMAIN")
        if workspace_id:
            request["workspace_id"] = workspace_id
        emit_one(client.call(SECRET_RESOURCE.path("create"), request), output)


def add_secret_commands(group: typer.Typer) -> None:
    group.command("create")(create)
    add_common(group, SECRET_RESOURCE, ("list", "delete"))
