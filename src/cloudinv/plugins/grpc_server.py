"""Serve an in-process plugin over the SpaceONE plugin protocol (`inventory.plugin.Collector` and `Job`).

What a SpaceONE inventory would need to use a cloudinv plugin, and what lets our tests and benchmarks run
the very same plugin both ways. The methods are here; the HTTP/2 transport is `h2_transport.py`. Exceptions
become gRPC errors whose details are the plugin's message; the status is never UNAVAILABLE, which clients read
as "plugin unreachable".
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from google.protobuf import empty_pb2
from grpc_health.v1 import health_pb2
from spaceone.api.inventory.plugin import collector_pb2, job_pb2

from cloudinv.plugins._wire import from_struct, to_message, to_struct
from cloudinv.plugins.h2_transport import (
    INTERNAL,
    INVALID_ARGUMENT,
    UNIMPLEMENTED,
    GrpcError,
    H2Server,
    Method,
    as_grpc_error,
)
from cloudinv.plugins.protocol import ERROR_COLLECTOR_PLUGIN, ERROR_INVALID_PLUGIN_OPTIONS, CollectorPlugin, PluginError

T = TypeVar("T")
_COLLECTOR = "/spaceone.api.inventory.plugin.Collector/"
_JOB = "/spaceone.api.inventory.plugin.Job/"


def _grpc_error(exc: Exception) -> GrpcError:
    if isinstance(exc, PluginError):
        code = INVALID_ARGUMENT if exc.code == ERROR_INVALID_PLUGIN_OPTIONS else INTERNAL
        # The default code adds nothing: keep the message exactly as the in-process plugin raised it.
        return GrpcError(code, exc.message if exc.code == ERROR_COLLECTOR_PLUGIN else f"{exc.code}: {exc.message}")
    if isinstance(exc, NotImplementedError):
        return GrpcError(UNIMPLEMENTED, str(exc) or "not implemented")
    return as_grpc_error(exc)


def _call(function: Callable[[], T]) -> T:
    try:
        return function()
    except Exception as exc:
        raise _grpc_error(exc) from exc


def plugin_methods(plugin: CollectorPlugin) -> dict[str, Method]:
    """The protocol's methods (and grpc.health's Check) for one plugin, by gRPC path."""

    def init(request: Any) -> Any:
        return collector_pb2.PluginInfo(metadata=to_struct(_call(lambda: plugin.init(from_struct(request.options)))))

    def verify(request: Any) -> Any:
        _call(lambda: plugin.verify(from_struct(request.options), from_struct(request.secret_data)))
        return empty_pb2.Empty()

    def collect(request: Any) -> Iterator[Any]:
        stream = _call(
            lambda: plugin.collect(
                from_struct(request.options), from_struct(request.secret_data), from_struct(request.task_options)
            )
        )
        try:
            for item in stream:
                yield to_message(item)
        except Exception as exc:
            raise _grpc_error(exc) from exc
        finally:
            # A cancelled call stops iterating us; close the plugin's generator too, so it can clean up.
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def get_tasks(request: Any) -> Any:
        tasks = _call(lambda: plugin.get_tasks(from_struct(request.options), from_struct(request.secret_data)))
        return job_pb2.TasksInfo(tasks=[job_pb2.TaskInfo(task_options=to_struct(t)) for t in tasks])

    def health(request: Any) -> Any:
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    return {
        _COLLECTOR + "init": Method(collector_pb2.InitRequest, init),
        _COLLECTOR + "verify": Method(collector_pb2.VerifyRequest, verify),
        _COLLECTOR + "collect": Method(collector_pb2.CollectRequest, collect, streaming=True),
        _JOB + "get_tasks": Method(job_pb2.GetTaskRequest, get_tasks),
        "/grpc.health.v1.Health/Check": Method(health_pb2.HealthCheckRequest, health),
    }


def create_plugin_server(plugin: CollectorPlugin, address: str) -> tuple[H2Server, int]:
    """A server ready to `start()`, and the port it bound (`address` may end in `:0` for a free port)."""
    host, _, port = address.rpartition(":")
    try:
        server = H2Server(plugin_methods(plugin), host.strip("[]") or "127.0.0.1", int(port))
    except (OSError, ValueError) as exc:
        raise OSError(f"cannot serve on {address}: {exc}") from exc
    return server, server.port


def serve_plugin(
    plugin: CollectorPlugin, host: str, port: int, on_ready: Callable[[int], None] | None = None, grace: float = 5.0
) -> None:
    """Serve until SIGINT/SIGTERM, then let running calls finish for `grace` seconds. Main thread only."""
    server, bound = create_plugin_server(plugin, f"{host}:{port}")
    server.start()
    stopped = None

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopped
        stopped = server.stop(grace)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if on_ready is not None:
            on_ready(bound)
        while stopped is None:
            signal.pause()
        stopped.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
