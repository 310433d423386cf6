"""The commands every resource has in the same shape (list, get, delete), made from a description of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from cloudinv.cli.output import Column, Format, OutputOption, emit, emit_one
from cloudinv.cli.remote import FilterOption, LimitOption, PageOption, QueryOption, SortOption, api, list_query


@dataclass(frozen=True)
class Resource:
    name: str  # as in the REST path: job, job-task, collector, secret, asset
    prefix: str  # the service's REST prefix, e.g. /inventory-v2/v1
    id_field: str  # job_id
    columns: Sequence[Column]

    def path(self, verb: str) -> str:
        return f"{self.prefix}/{self.name}/{verb}"

    @property
    def label(self) -> str:
        return self.name.replace("-", " ")


def print_list(resource: Resource, answer: dict[str, Any], output: Format) -> None:
    rows = answer.get("results") or []
    total = answer.get("total_count")
    caption = f"{len(rows)} of {total} {resource.label}s" if total is not None else None
    emit(answer, output, rows, resource.columns, caption)


def list_command(resource: Resource) -> Callable[..., None]:
    """`list`: filters, a query file, paging, sort, keyword."""

    def command(
        filters: list[str] = FilterOption,
        query_file: Path | None = QueryOption,
        limit: int = LimitOption,
        page: int = PageOption,
        sort: str | None = SortOption,
        keyword: str | None = typer.Option(None, "--keyword", "-k", help=f"Words to find in the {resource.id_field}."),
        output: Format = OutputOption,
    ) -> None:
        with api() as client:
            body = {"query": list_query(query_file, filters, limit, page, sort, keyword)}
            print_list(resource, client.call(resource.path("list"), body), output)

    command.__doc__ = f"List {resource.label}s: filters, a query file, paging and sort."
    return command


def get_command(resource: Resource) -> Callable[..., None]:
    def command(
        resource_id: str = typer.Argument(..., metavar=resource.id_field.upper()), output: Format = OutputOption
    ) -> None:
        with api() as client:
            emit_one(client.call(resource.path("get"), {resource.id_field: resource_id}), output)

    command.__doc__ = f"Show one {resource.label}."
    return command


def delete_command(resource: Resource) -> Callable[..., None]:
    def command(resource_id: str = typer.Argument(..., metavar=resource.id_field.upper())) -> None:
        with api() as client:
            client.call(resource.path("delete"), {resource.id_field: resource_id})
        typer.echo(f"deleted {resource_id}")

    command.__doc__ = f"Delete a {resource.label}."
    return command


def add_common(group: typer.Typer, resource: Resource, verbs: Sequence[str]) -> None:
    makers = {"list": list_command, "get": get_command, "delete": delete_command}
    for verb in verbs:
        group.command(verb)(makers[verb](resource))
