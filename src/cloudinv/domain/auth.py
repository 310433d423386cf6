"""Roles and the tenancy scope every storage query is narrowed by."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cloudinv.domain.errors import ERROR_PERMISSION_DENIED
from cloudinv.domain.job import ALL_WORKSPACES


class Role(StrEnum):
    SYSTEM = "SYSTEM"
    DOMAIN_ADMIN = "DOMAIN_ADMIN"
    WORKSPACE_OWNER = "WORKSPACE_OWNER"
    WORKSPACE_MEMBER = "WORKSPACE_MEMBER"


WORKSPACE_ROLES = frozenset({Role.WORKSPACE_OWNER, Role.WORKSPACE_MEMBER})


@dataclass(frozen=True)
class Scope:
    """Who is asking: the domain, and for workspace roles the workspace, that bound every row they touch.

    `workspace_id` None means the whole domain.
    """

    domain_id: str
    role: Role
    workspace_id: str | None = None
    subject: str = ""

    @property
    def readable_workspaces(self) -> tuple[str, ...] | None:
        """Workspaces whose rows this scope reads; None = every workspace of the domain."""
        if self.workspace_id is None:
            return None
        return (self.workspace_id, ALL_WORKSPACES)

    def require_write(self) -> None:
        if self.role == Role.WORKSPACE_MEMBER:
            raise ERROR_PERMISSION_DENIED()

    def require_write_on(self, row_workspace_id: str | None) -> None:
        """A workspace owner may change only its own workspace's rows, not the domain's `*` rows."""
        self.require_write()
        if self.workspace_id is not None and row_workspace_id != self.workspace_id:
            raise ERROR_PERMISSION_DENIED()
