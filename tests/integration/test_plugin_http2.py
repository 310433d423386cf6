"""The plugin server's HTTP/2 transport (`plugins/h2_transport.py`) as grpcio's client sees it: big messages,
flow control, concurrent calls, unknown methods, health, and a cancelled call closing the plugin's stream."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cloudinv.plugins.builtin.synthetic import SyntheticPlugin
from cloudinv.plugins.grpc_client import GrpcPlugin
from cloudinv.plugins.grpc_server import create_plugin_server
from cloudinv.plugins.h2_transport import H2Server
from cloudinv.plugins.protocol import ResourceInfo

SECRET = {"account": "acct-1"}


class ClosingPlugin(SyntheticPlugin):
    """The synthetic plugin, telling when its stream was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = threading.Event()

    def collect(
        self, options: Mapping[str, Any], secret_data: Mapping[str, Any], task_options: Mapping[str, Any]
    ) -> Iterator[ResourceInfo]:
        try:
            yield from super().collect(options, secret_data, task_options)
        finally:
            self.closed.set()


@pytest.fixture
def served() -> Iterator[tuple[ClosingPlugin, H2Server, GrpcPlugin]]:
    plugin = ClosingPlugin()
    server, port = create_plugin_server(plugin, "127.0.0.1:0")
    server.start()
    remote = GrpcPlugin(f"grpc://127.0.0.1:{port}", timeout=10)
    yield plugin, server, remote
    remote.close()
    server.stop(grace=None).wait(10)


def test_messages_bigger_than_a_frame_and_streams_bigger_than_the_window_arrive_whole(
    served: tuple[ClosingPlugin, H2Server, GrpcPlugin],
) -> None:
    plugin, _, remote = served
    options = {"resources_per_task": 300, "resource_size": 100_000}  # 30 MB: many windows, 16 KB frames
    received = list(remote.collect(options, SECRET, {}))
    expected = list(plugin.collect(options, SECRET, {}))
    assert len(received) == 300
    assert [r["resource"]["data"]["padding"] for r in received] == [e["resource"]["data"]["padding"] for e in expected]


def test_concurrent_calls_on_one_channel_each_get_their_own_items(
    served: tuple[ClosingPlugin, H2Server, GrpcPlugin],
) -> None:
    _, _, remote = served
    options = {"resources_per_task": 3000, "sub_tasks": 4}
    results: dict[int, list[str]] = {}

    def read(sub_task: int) -> None:
        items = remote.collect(options, SECRET, {"sub_task": sub_task})
        results[sub_task] = [item["resource"]["data"]["resource_id"] for item in items]

    threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(len(ids) for ids in results.values()) == [750, 750, 750, 750]
    assert len({i for ids in results.values() for i in ids}) == 3000


def test_a_cancelled_call_closes_the_plugins_stream(served: tuple[ClosingPlugin, H2Server, GrpcPlugin]) -> None:
    plugin, _, remote = served
    stream = remote.collect({"resources_per_task": 10_000_000}, SECRET, {})
    assert next(stream)["state"] == "SUCCESS"
    stream.cancel()
    assert plugin.closed.wait(10)


def test_an_unknown_method_is_unimplemented_and_health_is_serving(
    served: tuple[ClosingPlugin, H2Server, GrpcPlugin],
) -> None:
    _, server, _ = served
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        unknown = channel.unary_unary("/spaceone.api.inventory.plugin.Collector/nonsense")
        with pytest.raises(grpc.RpcError) as caught:
            unknown(b"", timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_stop_lets_a_running_call_finish_within_the_grace(served: tuple[ClosingPlugin, H2Server, GrpcPlugin]) -> None:
    _, server, remote = served
    stream = remote.collect({"resources_per_task": 2000}, SECRET, {})
    first = next(stream)
    stopped = server.stop(grace=10)
    assert len([first, *stream]) == 2000
    assert stopped.wait(10)
