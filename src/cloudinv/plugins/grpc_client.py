"""A plugin reached over gRPC (`spaceone.api.inventory.plugin.Collector`/`Job`), as a CollectorPlugin.

So an existing SpaceONE plugin container and a cloudinv in-process plugin look the same to the runner.
Errors: a plugin that cannot be reached is ERROR_PLUGIN_UNREACHABLE (with the address); anything the plugin
answered with is ERROR_COLLECTOR_PLUGIN carrying the plugin's own message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import grpc
from spaceone.api.inventory.plugin import collector_pb2, collector_pb2_grpc, job_pb2, job_pb2_grpc

from cloudinv.plugins._wire import from_message, from_struct, to_struct
from cloudinv.plugins.protocol import ERROR_COLLECTOR_PLUGIN, ERROR_PLUGIN_UNREACHABLE, PluginError, ResourceInfo

GRPC_SCHEME = "grpc://"
DEFAULT_TIMEOUT = 30.0
_CHANNEL_OPTIONS = [
    # Plugins may send large resources; gRPC's 4 MB default would cut such a stream.
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    # grpc.experimental.ChannelOptions.SingleThreadedUnaryStream: a collect stream is read in the consuming
    # thread, not handed over by a helper thread; 15-40% more items/s on localhost (bench/plugin_stream.py).
    # Its one condition, a single reading thread per stream, is how streams are read; close() may come from
    # another thread (tested).
    ("SingleThreadedUnaryStream", 1),
]
# How long to look at the channel after a deadline, to tell "never connected" from "slow plugin".
_CONNECTIVITY_PROBE_SECONDS = 0.05


def grpc_target(address: str) -> str:
    """`grpc://host:port` (or a bare `host:port`) as a gRPC target; ValueError when it is not one."""
    text = address if address.startswith(GRPC_SCHEME) else GRPC_SCHEME + address
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None or parts.path not in ("", "/") or parts.query or parts.username:
        raise ValueError(f"not a plugin endpoint: {address!r} (expected grpc://host:port)")
    return parts.netloc


class GrpcPlugin:
    """Thread-safe: one channel, shared by every call. `timeout` bounds each unary call, in seconds;
    `stream_timeout` bounds a whole collect stream (default none: the runner watches for idle streams)."""

    def __init__(self, address: str, timeout: float = DEFAULT_TIMEOUT, stream_timeout: float | None = None) -> None:
        self.target = grpc_target(address)
        self.address = GRPC_SCHEME + self.target
        self.timeout = timeout
        self.stream_timeout = stream_timeout
        self._channel = grpc.insecure_channel(self.target, options=_CHANNEL_OPTIONS)
        self._collector = collector_pb2_grpc.CollectorStub(self._channel)
        self._job = job_pb2_grpc.JobStub(self._channel)

    def __repr__(self) -> str:
        return f"GrpcPlugin({self.address!r})"

    def init(self, options: Mapping[str, Any]) -> dict[str, Any]:
        reply = self._unary(self._collector.init, collector_pb2.InitRequest(options=to_struct(options)))
        return from_struct(reply.metadata)

    def verify(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> None:
        request = collector_pb2.VerifyRequest(options=to_struct(options), secret_data=to_struct(secret_data))
        self._unary(self._collector.verify, request)

    def get_tasks(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> list[dict[str, Any]]:
        request = job_pb2.GetTaskRequest(options=to_struct(options), secret_data=to_struct(secret_data))
        try:
            reply = self._job.get_tasks(request, timeout=self.timeout)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                return [{}]  # a plugin without Job.get_tasks does its work in one task
            raise self._error(exc) from exc
        return [from_struct(task.task_options) for task in reply.tasks]

    def collect(
        self, options: Mapping[str, Any], secret_data: Mapping[str, Any], task_options: Mapping[str, Any]
    ) -> CollectStream:
        request = collector_pb2.CollectRequest(
            options=to_struct(options),
            secret_data=to_struct(secret_data),
            filter=to_struct({}),
            task_options=to_struct(task_options),
        )
        return CollectStream(self._collector.collect(request, timeout=self.stream_timeout), self._error)

    def close(self) -> None:
        self._channel.close()

    def _unary(self, method: Callable[..., Any], request: Any) -> Any:
        try:
            return method(request, timeout=self.timeout)
        except grpc.RpcError as exc:
            raise self._error(exc) from exc

    def _error(self, exc: grpc.RpcError) -> PluginError:
        code: grpc.StatusCode = exc.code()  # an RpcError raised by a call is also a grpc.Call
        details = exc.details() or code.name
        if code == grpc.StatusCode.UNAVAILABLE or (code == grpc.StatusCode.DEADLINE_EXCEEDED and not self._ready()):
            return PluginError(f"plugin at {self.address} is unreachable: {details}", ERROR_PLUGIN_UNREACHABLE)
        if code == grpc.StatusCode.CANCELLED:
            return PluginError(f"call to plugin at {self.address} was cancelled", ERROR_COLLECTOR_PLUGIN)
        return PluginError(details, ERROR_COLLECTOR_PLUGIN)

    def _ready(self) -> bool:
        """Whether the channel is connected: after a deadline, a slow plugin is not an unreachable one."""
        future = grpc.channel_ready_future(self._channel)
        try:
            future.result(timeout=_CONNECTIVITY_PROBE_SECONDS)
            return True
        except grpc.FutureTimeoutError:
            return False
        finally:
            future.cancel()


class CollectStream(Iterator[ResourceInfo]):
    """The items of one collect call. `cancel()` may be called from another thread, e.g. by a runner that
    gives up on an idle stream: it cancels the call, and a `next()` blocked on it raises PluginError."""

    def __init__(self, call: Any, to_error: Callable[[grpc.RpcError], PluginError]) -> None:
        self._call = call
        self._to_error = to_error

    def __next__(self) -> ResourceInfo:
        try:
            message = next(self._call)
        except grpc.RpcError as exc:
            raise self._to_error(exc) from exc
        return from_message(message)

    def cancel(self) -> None:
        self._call.cancel()  # thread-safe in grpc, and a no-op once the call has ended
