"""What every command that talks to a server shares: the client from the stored profile, the one-line errors
and the exit statuses.

Exit status: 0 success; 1 an error (the server's, an unreachable server, no profile, a bad filter); 2 a usage
error (Typer's); 3 a watched job that ended FAILURE or CANCELED.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from cloudinv.cli.client import ApiError, Client
from cloudinv.cli.filters import FilterError, read_query, with_filters
from cloudinv.cli.profile import ProfileError, load_profile

EXIT_ERROR = 1
EXIT_JOB_FAILED = 3

FilterOption = typer.Option(
    [], "--filter", "-f", help="KEY=VALUE, KEY!=V, KEY>V, >=, <, <=, KEY~TEXT (contains), V1,V2 for a list. Repeatable."
)
QueryOption = typer.Option(None, "--query", help="A JSON or YAML file with the query ('-': standard input).")
LimitOption = typer.Option(100, "--limit", "-n", min=0, help="Rows per page (0: the server's maximum).")
PageOption = typer.Option(1, "--page", min=1, help="The page, from 1.")
SortOption = typer.Option(None, "--sort", help="A field to sort by; '-field' sorts descending.")
TagOption = typer.Option([], "--tag", help="KEY=VALUE (repeatable); on update, replaces the tags.")


def fail(message: str, code: int = EXIT_ERROR) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def api() -> Iterator[Client]:
    """A client for the profile's server; every error it or the input raises ends the command in one line."""
    try:
        with Client(load_profile()) as client:
            yield client
    except (ApiError, ProfileError, FilterError) as exc:
        fail(str(exc))


def list_query(
    query_file: Path | None, filters: list[str], limit: int, page: int, sort: str | None, keyword: str | None = None
) -> dict[str, Any]:
    """The `query` of a list request: the file's, then the filters ANDed, paging, sort and keyword."""
    query = with_filters(read_query(query_file), filters)
    query.setdefault("page", {"start": (page - 1) * limit + 1, "limit": limit} if limit else {"start": 1})
    if sort:
        query["sort"] = [{"key": sort.lstrip("-"), "desc": sort.startswith("-")}]
    if keyword:
        query["keyword"] = keyword
    return query


def tags_of(pairs: list[str]) -> dict[str, str]:
    tags = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise FilterError(f"--tag {pair!r}: write KEY=VALUE")
        tags[key] = value
    return tags
