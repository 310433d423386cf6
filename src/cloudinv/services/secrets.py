"""The Secret service: create, update, delete, enable, disable, update_data, get, list, stat; and, for the
collection code only, the secrets a collector runs on and the decrypted data of one of them.

Where a secret lives (`resource_group`):
- DOMAIN: workspace `*`; only a domain-wide writer (DOMAIN_ADMIN, SYSTEM without a workspace) creates one.
- WORKSPACE: `workspace_id` from the request, else the caller's own; a workspace owner writes only its own.
- PROJECT: a WORKSPACE-level secret that also names a (required) `project_id`. Tenancy is by workspace, since
  cloudinv has no project roles; the group is stored so that clients read back what they wrote.
cloudinv has no identity service: workspace, project, service account and trusted secret ids are stored as
given, not checked. A request that contradicts its group (a DOMAIN secret with a workspace or a project) is
refused rather than silently corrected.

Data is encrypted before it reaches the repository and is never part of a reply or an error message: errors
about `data` name the key and the expected type, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping

from cloudinv.domain.auth import Role, Scope
from cloudinv.domain.clock import utcnow
from cloudinv.domain.errors import (
    ERROR_INVALID_PARAMETER,
    ERROR_INVALID_PARAMETER_TYPE,
    ERROR_NOT_FOUND,
    ERROR_REQUIRED_PARAMETER,
)
from cloudinv.domain.ids import new_id
from cloudinv.domain.job import ALL_WORKSPACES
from cloudinv.domain.secret import (
    SCHEMA_PROVIDERS,
    SecretResourceGroup,
    SecretState,
    provider_of,
    secret_selection,
)
from cloudinv.query.values import plain
from cloudinv.services.jobs import required
from cloudinv.services.querying import ListResult, ResourceQueries
from cloudinv.services.secret_crypto import SecretCipher, secret_keys
from cloudinv.settings import Settings
from cloudinv.store.engine import Database
from cloudinv.store.secrets import SecretRepository

_DOMAIN, _PROJECT = SecretResourceGroup.DOMAIN.value, SecretResourceGroup.PROJECT.value

# SecretQuery fields that become `eq` filters when set.
_TOP_LEVEL = (
    "secret_id", "name", "state", "schema_id", "provider", "workspace_id", "project_id", "service_account_id",
    "trusted_secret_id",
)  # fmt: skip

SecretRows = list[dict[str, Any]]


def secret_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A secret as the API shows it. The ciphertext is never selected; dropping it here too costs nothing."""
    return {name: plain(value) for name, value in row.items() if name != "encrypted_data"}


def open_secrets(settings: Settings, database: Database) -> SecretService:
    """The service with its key: `settings.secret_key`, else the data directory's `secret.key`."""
    return SecretService(SecretRepository(database), SecretCipher(secret_keys(settings.secret_key, settings.data_dir)))


class SecretService:
    def __init__(self, repository: SecretRepository, cipher: SecretCipher) -> None:
        self.repo = repository
        self.cipher = cipher
        self.queries = ResourceQueries(
            repository,
            top_level=_TOP_LEVEL,
            unset=("STATE_NONE",),
            view=secret_view,
        )

    # --- user-facing verbs -----------------------------------------------------------------------------------

    def create(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        scope.require_write()
        name = required(request, "name")
        schema_id, provider = _schema(request)
        data = _data(request)
        resource_group, workspace_id, project_id = _placement(scope, request)
        scope.require_write_on(workspace_id)
        secret_id = new_id("secret")
        row = {
            "secret_id": secret_id,
            "name": name,
            "state": SecretState.ENABLED.value,
            "schema_id": schema_id,
            "provider": provider,
            "tags": _tags(request),
            "resource_group": resource_group,
            "domain_id": scope.domain_id,
            "workspace_id": workspace_id,
            "project_id": project_id,
            "service_account_id": request.get("service_account_id") or None,
            "trusted_secret_id": request.get("trusted_secret_id") or None,
            "created_at": utcnow(),
        }
        encrypted = self.cipher.encrypt(data, domain_id=scope.domain_id, secret_id=secret_id)
        self.repo.insert({**row, "encrypted_data": encrypted})
        return secret_view(row)

    def update(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        row = self._writable(scope, request)
        values: dict[str, Any] = {}
        if request.get("name"):
            values["name"] = request["name"]
        if "tags" in request:
            values["tags"] = _tags(request)
        if request.get("project_id"):
            if row["resource_group"] == _DOMAIN:
                raise ERROR_INVALID_PARAMETER(key="project_id", reason="a DOMAIN secret belongs to no project")
            values["project_id"] = request["project_id"]
        return self._change(scope, row, values)

    def enable(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self._change(scope, self._writable(scope, request), {"state": SecretState.ENABLED.value})

    def disable(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self._change(scope, self._writable(scope, request), {"state": SecretState.DISABLED.value})

    def update_data(self, scope: Scope, request: Mapping[str, Any]) -> None:
        row = self._writable(scope, request)
        data = _data(request)
        values: dict[str, Any] = {}
        if request.get("schema_id"):
            values["schema_id"], values["provider"] = _schema(request)
        secret_id = row["secret_id"]
        values["encrypted_data"] = self.cipher.encrypt(data, domain_id=scope.domain_id, secret_id=secret_id)
        self._change(scope, row, values)

    def delete(self, scope: Scope, request: Mapping[str, Any]) -> None:
        row = self._writable(scope, request)
        if not self.repo.delete(scope, row["secret_id"]):
            raise ERROR_NOT_FOUND(key="secret_id", value=row["secret_id"])

    def get(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return secret_view(self._row(scope, required(request, "secret_id")))

    def list(self, scope: Scope, request: Mapping[str, Any]) -> ListResult:
        return self.queries.list(scope, request)

    def stat(self, scope: Scope, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.queries.stat(scope, request)

    # --- for the collection code only (never served) ---------------------------------------------------------

    def get_data_for_worker(self, domain_id: str, secret_id: str) -> dict[str, Any]:
        """The decrypted data, for the worker that runs the plugin. Whatever the secret's state: the collect
        that selected it decided."""
        token = self.repo.encrypted_data(domain_id, secret_id)
        if token is None:
            raise ERROR_NOT_FOUND(key="secret_id", value=secret_id)
        return self.cipher.decrypt(token, domain_id=domain_id, secret_id=secret_id)

    def select_for_collector(
        self,
        scope_or_domain: Scope | str,
        provider: str,
        secret_filter: Mapping[str, Any] | None,
        workspace_id: str | None,
        resource_group: str,
        secret_id: str | None = None,
    ) -> SecretRows:
        """The secrets (without data) a collector runs on: see `domain.secret.secret_selection`. A Scope (a
        user's `collect`) also bounds them by what that user can read; a domain id (the scheduler) does not."""
        scope = (
            scope_or_domain
            if isinstance(scope_or_domain, Scope)
            else Scope(scope_or_domain, Role.SYSTEM, subject="cloudinv-collection")
        )
        selection = secret_selection(provider, secret_filter, workspace_id, resource_group, secret_id)
        return [secret_view(row) for row in self.repo.select(scope, selection)]

    # --- helpers ---------------------------------------------------------------------------------------------

    def _row(self, scope: Scope, secret_id: str) -> RowMapping:
        row = self.repo.get(scope, secret_id)
        if row is None:
            raise ERROR_NOT_FOUND(key="secret_id", value=secret_id)
        return row

    def _writable(self, scope: Scope, request: Mapping[str, Any]) -> RowMapping:
        """The secret a write names, once the caller may write it. Members are refused before the lookup, so
        that a write answers the same whether or not the secret exists."""
        scope.require_write()
        row = self._row(scope, required(request, "secret_id"))
        scope.require_write_on(row["workspace_id"])
        return row

    def _change(self, scope: Scope, row: RowMapping, values: Mapping[str, Any]) -> dict[str, Any]:
        secret_id = row["secret_id"]
        if values and not self.repo.update(scope, secret_id, values):
            raise ERROR_NOT_FOUND(key="secret_id", value=secret_id)  # deleted meanwhile
        return secret_view({**row, **{k: v for k, v in values.items() if k != "encrypted_data"}})


def _schema(request: Mapping[str, Any]) -> tuple[str, str]:
    schema_id = required(request, "schema_id")
    provider = provider_of(schema_id)
    if provider is None:
        known = ", ".join(sorted(SCHEMA_PROVIDERS))
        raise ERROR_INVALID_PARAMETER(key="schema_id", reason=f"unknown schema '{schema_id}' (known: {known})")
    return schema_id, provider


def _data(request: Mapping[str, Any]) -> dict[str, Any]:
    data = request.get("data")
    if data is None:
        raise ERROR_REQUIRED_PARAMETER(key="data")
    if not isinstance(data, dict):
        raise ERROR_INVALID_PARAMETER_TYPE(key="data", type="object")
    if not data:
        raise ERROR_INVALID_PARAMETER(key="data", reason="must be a non-empty object")
    return {key: _integral(value) for key, value in data.items()}


def _integral(value: Any) -> Any:
    """A Struct carries every number as a double: store whole ones as integers, so a port stays 5432."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


def _tags(request: Mapping[str, Any]) -> dict[str, Any]:
    tags = request.get("tags") or {}
    if not isinstance(tags, dict):
        raise ERROR_INVALID_PARAMETER_TYPE(key="tags", type="object")
    return tags


def _placement(scope: Scope, request: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """(resource_group, workspace_id, project_id) of a new secret."""
    group = request.get("resource_group")
    if group in (None, "", "RESOURCE_GROUP_NONE"):
        raise ERROR_REQUIRED_PARAMETER(key="resource_group")
    workspace_id, project_id = request.get("workspace_id") or None, request.get("project_id") or None
    if group == _DOMAIN:
        if workspace_id not in (None, ALL_WORKSPACES):
            raise ERROR_INVALID_PARAMETER(key="workspace_id", reason="a DOMAIN secret belongs to no workspace")
        if project_id:
            raise ERROR_INVALID_PARAMETER(key="project_id", reason="a DOMAIN secret belongs to no project")
        return group, ALL_WORKSPACES, None
    if group == _PROJECT and not project_id:
        raise ERROR_REQUIRED_PARAMETER(key="project_id")
    workspace_id = workspace_id or scope.workspace_id
    if not workspace_id:
        raise ERROR_REQUIRED_PARAMETER(key="workspace_id")
    if workspace_id == ALL_WORKSPACES:
        raise ERROR_INVALID_PARAMETER(key="workspace_id", reason="'*' is the domain: use resource_group DOMAIN")
    return str(group), workspace_id, project_id
