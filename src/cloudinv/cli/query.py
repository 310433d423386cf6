"""`cloudinv query explain`: the SQL a list, analyze or stat request compiles to, for debugging.

No database is needed: the statements are compiled for the chosen dialect with their values inlined, scoped
to a DOMAIN_ADMIN of `--domain-id` as the server would scope them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.engine import Dialect as SqlDialect
from sqlalchemy.exc import CompileError

from cloudinv.domain.auth import Role, Scope
from cloudinv.domain.errors import CloudinvError
from cloudinv.query.analyze import AnalyzeCompiler
from cloudinv.query.compile import FilterCompiler
from cloudinv.query.fields import FieldTable
from cloudinv.query.limits import MAX_PAGE_LIMIT
from cloudinv.query.parse import parse_list_query
from cloudinv.query.plan import Plan, ScopeClauses
from cloudinv.query.stages import parse_analyze_query, parse_stat_query
from cloudinv.query.stat import StatCompiler
from cloudinv.store.jobs import JOB_FIELDS
from cloudinv.store.scoped import scope_clauses

query_cli = typer.Typer(help="The query language.", no_args_is_help=True)


@query_cli.callback()
def _group() -> None:
    """The query language: see what a request compiles to."""


RESOURCES: dict[str, FieldTable] = {"job": JOB_FIELDS}


class Verb(StrEnum):
    LIST = "list"
    ANALYZE = "analyze"
    STAT = "stat"


class Dialect(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


def render(statement: Select[Any], dialect: SqlDialect) -> str:
    try:
        return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except (CompileError, NotImplementedError):  # a value type without a literal form: show the parameters
        compiled = statement.compile(dialect=dialect)
        return f"{compiled}\n-- parameters: {compiled.params}"


def _list_statements(fields: FieldTable, dialect: str, query: Any, scope: ScopeClauses) -> Iterator[tuple[str, Any]]:
    """What `list` runs for `query` (store/repository.py ScopedRepository.search)."""
    parsed = parse_list_query(query)
    filters = FilterCompiler(fields, dialect)
    where = [*scope, *filters.where(parsed.where)]
    columns = parsed.only or (fields.minimal_fields if parsed.minimal else tuple(fields.fields))
    fields.check_names(tuple(columns), "query.only")
    limit = min(parsed.page.limit or MAX_PAGE_LIMIT, MAX_PAGE_LIMIT)
    page = select(*(fields.table.c[fields.fields[name].name] for name in columns)).where(*where)
    page = page.order_by(*filters.order_by(parsed.sort)).offset(parsed.page.offset).limit(limit)
    if not parsed.count_only:
        yield "the page", page
    yield "the count", select(func.count()).select_from(fields.table).where(*where)


def _plan(fields: FieldTable, dialect: str, verb: Verb, query: Any) -> Plan:
    if verb == Verb.ANALYZE:
        return AnalyzeCompiler(fields, dialect).compile(parse_analyze_query(query))
    return StatCompiler(fields, dialect).compile(parse_stat_query(query))


def statements(
    fields: FieldTable, dialect: str, verb: Verb, body: Any, scope: ScopeClauses
) -> Iterator[tuple[str, Any]]:
    query = body.get("query") if isinstance(body, dict) else None
    if verb == Verb.LIST:
        yield from _list_statements(fields, dialect, query, scope)
        return
    plan = _plan(fields, dialect, verb, query)
    yield "the rows", plan.rows(scope)
    if plan.total is not None:
        yield "the total count (before paging)", plan.total(scope)
    for stage in plan.python_stages:
        yield f"then in Python, over those rows: {stage}", None


@query_cli.command("explain")
def explain(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help='The request body: {"query": {...}}.'),
    resource: str = typer.Option("job", "--resource", help=f"One of: {', '.join(RESOURCES)}."),
    verb: Verb = typer.Option(Verb.LIST, "--verb"),
    dialect: Dialect = typer.Option(Dialect.SQLITE, "--dialect"),
    domain_id: str = typer.Option("DOMAIN_ID", "--domain-id", help="The caller's domain, for the scope."),
) -> None:
    """Print the SQL a request body compiles to."""
    fields = RESOURCES.get(resource)
    if fields is None:
        typer.echo(f"error: unknown resource '{resource}' (known: {', '.join(RESOURCES)})", err=True)
        raise typer.Exit(code=1)
    dialect_class = PGDialect if dialect == Dialect.POSTGRESQL else SQLiteDialect
    sql_dialect: SqlDialect = dialect_class()
    scope = scope_clauses(fields.table, Scope(domain_id, Role.DOMAIN_ADMIN))
    try:
        body = json.loads(file.read_text(encoding="utf-8"))
        for title, statement in statements(fields, dialect.value, verb, body, scope):
            typer.echo(f"-- {title}")
            if statement is not None:
                typer.echo(f"{render(statement, sql_dialect)};\n")
    except json.JSONDecodeError as exc:
        typer.echo(f"error: {file} is not JSON: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    except CloudinvError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=1) from exc
