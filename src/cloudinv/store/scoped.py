"""Tenancy at the storage layer: every query a repository runs passes through `scope_clauses`."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table

from cloudinv.domain.auth import Scope


def scope_clauses(table: Table, scope: Scope) -> list[ColumnElement[bool]]:
    """The rows `scope` may read: its domain, and for workspace roles its workspace and the domain's `*`."""
    clauses = [table.c.domain_id == scope.domain_id]
    workspaces = scope.readable_workspaces
    if workspaces is not None:
        clauses.append(table.c.workspace_id.in_(workspaces))
    return clauses
