"""The Secret entity's vocabulary: states, resource groups, schema -> provider, and the collector's selection rule.

Provider from schema: a secret's `provider` decides which collectors receive its credentials, so it is looked
up in `SCHEMA_PROVIDERS` and never guessed. An unknown `schema_id` is refused rather than mapped to "the prefix
before the first `_`": that guess would be wrong for real schemas (`google_oauth2_credentials` is provider
`google_cloud`, not `google`) and a wrong provider hands credentials to the wrong plugin. A plugin with a new
schema adds a row here.

Selection (collection.md, "Secrets"): a collector runs on the ENABLED secrets of its domain whose provider is
its provider, narrowed by its `secret_filter` when that filter's state is ENABLED, and for a WORKSPACE collector
by its workspace. As in the reference, a WORKSPACE collector gets only its workspace's secrets, not the domain's
`*` ones. Exclusions keep secrets that lack the excluded field (a negative condition matches null, as in the
query language).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cloudinv.domain.job import ALL_WORKSPACES


class SecretState(StrEnum):
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class SecretResourceGroup(StrEnum):
    DOMAIN = "DOMAIN"
    WORKSPACE = "WORKSPACE"
    # A WORKSPACE-level secret that also names a project: tenancy is by workspace (cloudinv has no project
    # roles); the group is kept so that clients read back what they wrote.
    PROJECT = "PROJECT"


SCHEMA_PROVIDERS: Mapping[str, str] = {
    "synthetic": "synthetic",
    "aws_access_key": "aws",
    "aws_assume_role": "aws",
    "azure_client_secret": "azure",
    "google_oauth2_credentials": "google_cloud",
}


def provider_of(schema_id: str) -> str | None:
    """The provider a schema's credentials are for; None for a schema cloudinv does not know."""
    return SCHEMA_PROVIDERS.get(schema_id)


# secret_filter list name -> the secret column it narrows; `exclude_<name>` is its negation.
FILTER_LISTS: tuple[tuple[str, str], ...] = (
    ("secrets", "secret_id"),
    ("service_accounts", "service_account_id"),
    ("schemas", "schema_id"),
)


@dataclass(frozen=True)
class Narrowing:
    """`column` in `values`, or, when `exclude`, not in them (null counts as not in them)."""

    column: str
    values: frozenset[str]
    exclude: bool = False

    def matches(self, value: Any) -> bool:
        return (value not in self.values) if self.exclude else (value in self.values)


@dataclass(frozen=True)
class SecretSelection:
    """Which secrets a collect runs on: columns that must equal a value, then the filter's narrowings."""

    equals: tuple[tuple[str, str], ...]
    narrowings: tuple[Narrowing, ...] = ()

    def matches(self, secret: Mapping[str, Any]) -> bool:
        return all(secret.get(column) == value for column, value in self.equals) and all(
            n.matches(secret.get(n.column)) for n in self.narrowings
        )


def secret_selection(
    provider: str,
    secret_filter: Mapping[str, Any] | None,
    workspace_id: str | None,
    resource_group: str,
    secret_id: str | None = None,
) -> SecretSelection:
    """The selection rule for one collector.

    `secret_filter` is proto-shaped (`state`, `secrets`, `exclude_secrets`, ...). `workspace_id` is the
    collector's: a WORKSPACE collector must have one. A DOMAIN collector's `*` (or None) selects every
    workspace; a concrete id narrows it too (the reference lets `collect` name a workspace). `secret_id`
    narrows to that one secret.
    """
    equals = [("state", SecretState.ENABLED.value), ("provider", provider)]
    concrete_workspace = workspace_id not in (None, "", ALL_WORKSPACES)
    if resource_group != SecretResourceGroup.DOMAIN and not concrete_workspace:
        raise ValueError(f"a {resource_group} collector needs its workspace_id")
    if concrete_workspace:
        equals.append(("workspace_id", str(workspace_id)))
    if secret_id:
        equals.append(("secret_id", secret_id))
    return SecretSelection(equals=tuple(equals), narrowings=_narrowings(secret_filter or {}))


def _narrowings(secret_filter: Mapping[str, Any]) -> tuple[Narrowing, ...]:
    # A filter that is not ENABLED is kept on the collector but does not apply; empty lists narrow nothing.
    if secret_filter.get("state") != "ENABLED":
        return ()
    narrowings = []
    for name, column in FILTER_LISTS:
        for exclude, key in ((False, name), (True, f"exclude_{name}")):
            values = _strings(secret_filter.get(key))
            if values:
                narrowings.append(Narrowing(column, values, exclude))
    return tuple(narrowings)


def _strings(values: Iterable[Any] | str | None) -> frozenset[str]:
    if isinstance(values, str):  # one id where a list was expected: not its characters
        values = (values,)
    return frozenset(str(v) for v in values or () if v)
