"""The collector plugin protocol, as Python: what the reference's `inventory.plugin.Collector`/`Job` services
offer, with dicts for their Structs. In-process plugins implement it directly; gRPC plugins are reached through
a client that implements it too, so the runner cannot tell them apart."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol, TypedDict, runtime_checkable

# ResourceInfo.resource_type values.
CLOUD_SERVICE = "inventory.CloudService"
ASSET = "inventory.Asset"
CLOUD_SERVICE_TYPE = "inventory.CloudServiceType"
REGION = "inventory.Region"
ERROR_RESOURCE = "inventory.ErrorResource"


class ResourceInfo(TypedDict, total=False):
    """One item of a collect stream (`spaceone.api.inventory.plugin.ResourceInfo`).

    state: "SUCCESS" or "FAILURE" (the proto's State names); message: the error text on FAILURE;
    match_rules: {"1": ["data.resource_id"], ...}; resource: the resource body.
    """

    state: str
    message: str
    resource_type: str
    match_rules: dict[str, list[str]]
    resource: dict[str, Any]
    options: dict[str, Any]


@runtime_checkable
class CollectorPlugin(Protocol):
    def init(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Check the options; return the plugin's metadata (stored on the collector)."""
        ...

    def verify(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> None:
        """Raise PluginError when the secret cannot be used."""
        ...

    def get_tasks(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The sub-tasks' `task_options`; one `{}` when the plugin does not split its work."""
        ...

    def collect(
        self, options: Mapping[str, Any], secret_data: Mapping[str, Any], task_options: Mapping[str, Any]
    ) -> Iterator[ResourceInfo]:
        """Stream the resources of one sub-task."""
        ...


@runtime_checkable
class CancellableStream(Protocol):
    """A collect stream that can be stopped from another thread (a generator cannot: it only closes from its own)."""

    def cancel(self) -> None:
        """Stop the stream: a `next()` blocked on it, or any later one, raises PluginError."""
        ...


class PluginError(Exception):
    """A plugin failed: bad options, bad secret, an exception inside it, or it could not be reached.

    `code` is the error code recorded on the task or returned to the caller.
    """

    def __init__(self, message: str, code: str = "ERROR_COLLECTOR_PLUGIN") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Metadata key by which a plugin says it runs without a secret (one task, empty secret_data).
SECRET_REQUIRED = "secret_required"


# PluginError codes used by the plugins package.
ERROR_COLLECTOR_PLUGIN = "ERROR_COLLECTOR_PLUGIN"  # the plugin failed or answered with an error
ERROR_INVALID_PLUGIN_OPTIONS = "ERROR_INVALID_PLUGIN_OPTIONS"  # an in-process plugin rejected its options
ERROR_PLUGIN_NOT_FOUND = "ERROR_PLUGIN_NOT_FOUND"  # no plugin is registered under that plugin_id
ERROR_PLUGIN_UNREACHABLE = "ERROR_PLUGIN_UNREACHABLE"  # a gRPC plugin could not be reached
