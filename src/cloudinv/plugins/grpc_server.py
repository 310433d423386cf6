"""Serve an in-process plugin over the SpaceONE plugin protocol (`inventory.plugin.Collector` and `Job`).

What a SpaceONE inventory would need to use a cloudinv plugin, and what lets our tests and benchmarks run
the very same plugin both ways. Exceptions become gRPC errors whose details are the plugin's message; the
status is never UNAVAILABLE, which clients read as "plugin unreachable".
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any, NoReturn, TypeVar

import grpc
from google.protobuf import empty_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from spaceone.api.inventory.plugin import collector_pb2, collector_pb2_grpc, job_pb2, job_pb2_grpc

from cloudinv.plugins._wire import from_struct, to_message, to_struct
from cloudinv.plugins.protocol import ERROR_COLLECTOR_PLUGIN, ERROR_INVALID_PLUGIN_OPTIONS, CollectorPlugin, PluginError

log = logging.getLogger(__name__)

T = TypeVar("T")
SERVICE_NAMES = ("spaceone.api.inventory.plugin.Collector", "spaceone.api.inventory.plugin.Job")


def _abort(context: grpc.ServicerContext, exc: Exception) -> NoReturn:
    if isinstance(exc, PluginError):
        status = (
            grpc.StatusCode.INVALID_ARGUMENT if exc.code == ERROR_INVALID_PLUGIN_OPTIONS else grpc.StatusCode.INTERNAL
        )
        # The default code adds nothing: keep the message exactly as the in-process plugin raised it.
        details = exc.message if exc.code == ERROR_COLLECTOR_PLUGIN else f"{exc.code}: {exc.message}"
    elif isinstance(exc, NotImplementedError):
        status, details = grpc.StatusCode.UNIMPLEMENTED, str(exc) or "not implemented"
    else:
        log.exception("plugin raised an unexpected error")
        status, details = grpc.StatusCode.INTERNAL, f"{type(exc).__name__}: {exc}"
    context.abort(status, details)
    raise AssertionError("unreachable: context.abort raises")


def _call(context: grpc.ServicerContext, function: Callable[[], T]) -> T:
    try:
        return function()
    except Exception as exc:
        _abort(context, exc)


class CollectorServicer:
    """`spaceone.api.inventory.plugin.Collector`."""

    def __init__(self, plugin: CollectorPlugin) -> None:
        self._plugin = plugin

    def init(self, request: Any, context: grpc.ServicerContext) -> Any:
        metadata = _call(context, lambda: self._plugin.init(from_struct(request.options)))
        return collector_pb2.PluginInfo(metadata=to_struct(metadata))

    def verify(self, request: Any, context: grpc.ServicerContext) -> Any:
        _call(context, lambda: self._plugin.verify(from_struct(request.options), from_struct(request.secret_data)))
        return empty_pb2.Empty()

    def collect(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        stream: Iterator[Any] | None = None
        try:
            stream = self._plugin.collect(
                from_struct(request.options), from_struct(request.secret_data), from_struct(request.task_options)
            )
            for item in stream:
                yield to_message(item)
        except Exception as exc:
            _abort(context, exc)
        finally:
            # A cancelled call stops iterating us; close the plugin's generator too, so it can clean up.
            close = getattr(stream, "close", None)
            if close is not None:
                close()


class JobServicer:
    """`spaceone.api.inventory.plugin.Job`."""

    def __init__(self, plugin: CollectorPlugin) -> None:
        self._plugin = plugin

    def get_tasks(self, request: Any, context: grpc.ServicerContext) -> Any:
        tasks = _call(
            context, lambda: self._plugin.get_tasks(from_struct(request.options), from_struct(request.secret_data))
        )
        return job_pb2.TasksInfo(tasks=[job_pb2.TaskInfo(task_options=to_struct(t)) for t in tasks])


def create_plugin_server(plugin: CollectorPlugin, address: str, workers: int = 10) -> tuple[grpc.Server, int]:
    """A server ready to `start()`, and the port it bound (`address` may end in `:0` for a free port)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plugin"))
    collector_pb2_grpc.add_CollectorServicer_to_server(CollectorServicer(plugin), server)
    job_pb2_grpc.add_JobServicer_to_server(JobServicer(plugin), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in (*SERVICE_NAMES, ""):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind gRPC to {address}")
    return server, port


def serve_plugin(
    plugin: CollectorPlugin, host: str, port: int, on_ready: Callable[[int], None] | None = None, grace: float = 5.0
) -> None:
    """Serve until SIGINT/SIGTERM, then let running calls finish for `grace` seconds. Main thread only."""
    server, bound = create_plugin_server(plugin, f"{host}:{port}")
    server.start()

    def stop(signum: int, frame: Any) -> None:
        server.stop(grace)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if on_ready is not None:
            on_ready(bound)
        server.wait_for_termination()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop(grace).wait()
