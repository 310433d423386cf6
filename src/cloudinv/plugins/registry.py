"""plugin_id → CollectorPlugin, from three sources, in this order:

1. `endpoints`: configured `plugin_id → grpc://host:port` (e.g. from CLOUDINV_PLUGIN_ENDPOINTS). Checked first,
   so an operator can move a built-in plugin out of process without renaming it.
2. The entry-point group `cloudinv.plugins`: in-process classes, instantiated once on first use and then
   shared by every thread (plugins are stateless).
3. A plugin_id that is itself `grpc://host:port`, when `allow_direct_endpoints` (the default). Turn it off
   where users who create collectors must not make the server dial arbitrary addresses.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from cloudinv.plugins.grpc_client import DEFAULT_TIMEOUT, GRPC_SCHEME, GrpcPlugin, grpc_target
from cloudinv.plugins.protocol import ERROR_COLLECTOR_PLUGIN, ERROR_PLUGIN_NOT_FOUND, CollectorPlugin, PluginError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "cloudinv.plugins"
ENDPOINTS_ENV = "CLOUDINV_PLUGIN_ENDPOINTS"


def parse_endpoints(text: str) -> dict[str, str]:
    """`id=grpc://host:port,id2=grpc://host:port` → {id: address}; ValueError naming the bad entry."""
    endpoints: dict[str, str] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        plugin_id, sep, address = (s.strip() for s in entry.partition("="))
        if not sep or not plugin_id or not _is_endpoint(address):
            raise ValueError(f"{ENDPOINTS_ENV}: {entry!r} is not plugin_id=grpc://host:port")
        if plugin_id in endpoints:
            raise ValueError(f"{ENDPOINTS_ENV}: plugin_id {plugin_id!r} is given twice")
        endpoints[plugin_id] = address
    return endpoints


def _is_endpoint(address: str) -> bool:
    try:
        grpc_target(address)
    except ValueError:
        return False
    return address.startswith(GRPC_SCHEME)


def endpoints_from_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The endpoints configured in CLOUDINV_PLUGIN_ENDPOINTS (none when unset)."""
    env = os.environ if environ is None else environ
    return parse_endpoints(env.get(ENDPOINTS_ENV, ""))


class PluginRegistry:
    """Thread-safe. `plugins` adds in-process plugin instances directly (tests, embedding); they take
    precedence over entry points of the same name. `timeout` is the unary-call deadline of gRPC plugins."""

    def __init__(
        self,
        endpoints: Mapping[str, str] | None = None,
        *,
        plugins: Mapping[str, CollectorPlugin] | None = None,
        load_entry_points: bool = True,
        allow_direct_endpoints: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._endpoints = dict(endpoints or {})
        for address in self._endpoints.values():
            grpc_target(address)  # fail at start-up, not at the first collect
        self._entry_points = _entry_points() if load_entry_points else {}
        self._allow_direct = allow_direct_endpoints
        self._timeout = timeout
        self._instances: dict[str, CollectorPlugin] = dict(plugins or {})
        self._grpc: dict[str, GrpcPlugin] = {}
        self._lock = threading.Lock()

    def ids(self) -> list[str]:
        """Every plugin_id known by name (direct grpc:// ids excepted)."""
        return sorted({*self._endpoints, *self._entry_points, *self._instances})

    def get(self, plugin_id: str) -> CollectorPlugin:
        with self._lock:  # instantiation and channel creation happen once per id, whatever the threads
            if plugin_id in self._endpoints:
                return self._grpc_plugin(self._endpoints[plugin_id])
            if plugin_id in self._instances:
                return self._instances[plugin_id]
            if plugin_id in self._entry_points:
                plugin = _instantiate(plugin_id, self._entry_points[plugin_id])
                self._instances[plugin_id] = plugin
                return plugin
            if self._allow_direct and plugin_id.startswith(GRPC_SCHEME):
                return self._grpc_plugin(plugin_id)
        raise PluginError(f"no plugin {plugin_id!r}; known: {', '.join(self.ids()) or 'none'}", ERROR_PLUGIN_NOT_FOUND)

    def close(self) -> None:
        """Close the gRPC channels; in-process plugins hold nothing to close."""
        with self._lock:
            for plugin in self._grpc.values():
                plugin.close()
            self._grpc.clear()

    def _grpc_plugin(self, address: str) -> GrpcPlugin:
        try:
            target = grpc_target(address)
        except ValueError as exc:
            raise PluginError(str(exc), ERROR_PLUGIN_NOT_FOUND) from exc
        # Keyed by target so that an endpoint and a direct id naming one address share a channel.
        if target not in self._grpc:
            self._grpc[target] = GrpcPlugin(address, timeout=self._timeout)
        return self._grpc[target]


def _entry_points() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in found:
            log.warning("plugin %r is declared twice; using %s", entry_point.name, found[entry_point.name].value)
            continue
        found[entry_point.name] = entry_point
    return found


def _instantiate(plugin_id: str, entry_point: EntryPoint) -> CollectorPlugin:
    try:
        factory: Any = entry_point.load()
        plugin = factory()
    except Exception as exc:
        raise PluginError(
            f"cannot load plugin {plugin_id!r} ({entry_point.value}): {exc}", ERROR_COLLECTOR_PLUGIN
        ) from exc
    if not isinstance(plugin, CollectorPlugin):
        raise PluginError(
            f"plugin {plugin_id!r} ({entry_point.value}) is not a CollectorPlugin", ERROR_COLLECTOR_PLUGIN
        )
    return plugin
