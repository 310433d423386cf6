"""The same plugin in-process and served by `cloudinv.plugins.grpc_server` (HTTP/2 on h2), reached with
`GrpcPlugin` (grpcio's client)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
from spaceone.api.inventory.plugin import collector_pb2_grpc

from cloudinv.plugins.builtin.synthetic import SyntheticPlugin
from cloudinv.plugins.grpc_client import GrpcPlugin
from cloudinv.plugins.grpc_server import create_plugin_server
from cloudinv.plugins.protocol import ERROR_COLLECTOR_PLUGIN, ERROR_PLUGIN_UNREACHABLE, PluginError
from cloudinv.plugins.registry import PluginRegistry

SECRET = {"account": "acct-1"}
OPTIONS = {"resources_per_task": 257, "sub_tasks": 3, "seed": 42, "failure_rate": 0.1, "drop_share": 0.2}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def numbers_as_floats(value: Any) -> Any:
    """Structs carry every number as a double: compare in-process items after the same conversion."""
    if isinstance(value, dict):
        return {k: numbers_as_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [numbers_as_floats(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.fixture
def served() -> Iterator[tuple[SyntheticPlugin, GrpcPlugin]]:
    plugin = SyntheticPlugin()
    server, port = create_plugin_server(plugin, "127.0.0.1:0")
    server.start()
    remote = GrpcPlugin(f"grpc://127.0.0.1:{port}", timeout=10)
    yield plugin, remote
    remote.close()
    server.stop(grace=None)


def test_init_and_get_tasks_agree(served: tuple[SyntheticPlugin, GrpcPlugin]) -> None:
    local, remote = served
    assert remote.init(OPTIONS) == local.init(OPTIONS)
    remote.verify(OPTIONS, SECRET)
    tasks = remote.get_tasks(OPTIONS, SECRET)
    assert tasks == numbers_as_floats(local.get_tasks(OPTIONS, SECRET))
    assert len(tasks) == 3


def test_collect_gives_the_same_items_both_ways(served: tuple[SyntheticPlugin, GrpcPlugin]) -> None:
    local, remote = served
    for task in remote.get_tasks(OPTIONS, SECRET):  # task options as they come back from gRPC: floats
        remote_items = list(remote.collect(OPTIONS, SECRET, task))
        local_items = list(local.collect(OPTIONS, SECRET, task))
        assert remote_items == numbers_as_floats(local_items)
        assert any(item["state"] == "FAILURE" for item in remote_items)


def test_plugin_errors_carry_the_plugin_message(served: tuple[SyntheticPlugin, GrpcPlugin]) -> None:
    _, remote = served
    with pytest.raises(PluginError) as caught:
        remote.init({"sub_tasks": 0})
    assert caught.value.code == ERROR_COLLECTOR_PLUGIN
    assert "sub_tasks" in caught.value.message
    with pytest.raises(PluginError, match="account"):
        remote.verify({}, {})


def test_a_crash_mid_stream_arrives_after_the_items_sent(served: tuple[SyntheticPlugin, GrpcPlugin]) -> None:
    _, remote = served
    received = []
    with pytest.raises(PluginError) as caught:
        for item in remote.collect({"resources_per_task": 20, "crash_after": 5}, SECRET, {}):
            received.append(item)
    assert len(received) == 5
    assert caught.value.code == ERROR_COLLECTOR_PLUGIN
    assert "crashed after 5 items" in caught.value.message


def test_cancelling_a_stream_from_another_thread_ends_a_blocked_read(
    served: tuple[SyntheticPlugin, GrpcPlugin],
) -> None:
    _, remote = served
    stream = remote.collect({"hang_after": 1, "hang_seconds": 1}, SECRET, {})
    assert next(stream)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            next(stream)
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    stream.cancel()  # whether the reader is blocked yet or not, its read ends in an error
    reader.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], PluginError)


def test_a_plugin_without_the_job_service_runs_as_one_task() -> None:
    """A third-party plugin on grpcio's own server, with the Collector service only."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    collector_pb2_grpc.add_CollectorServicer_to_server(collector_pb2_grpc.CollectorServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        remote = GrpcPlugin(f"127.0.0.1:{port}", timeout=10)
        assert remote.get_tasks({"sub_tasks": 4}, SECRET) == [{}]
        remote.close()
    finally:
        server.stop(grace=None)


def test_an_unreachable_plugin_is_reported_with_its_address() -> None:
    address = f"grpc://127.0.0.1:{free_port()}"  # nothing listens there
    remote = GrpcPlugin(address, timeout=2)
    calls = [
        lambda: remote.init({}),
        lambda: remote.verify({}, SECRET),
        lambda: remote.get_tasks({}, SECRET),
        lambda: list(remote.collect({}, SECRET, {})),
    ]
    for call in calls:
        with pytest.raises(PluginError) as caught:
            call()
        assert caught.value.code == ERROR_PLUGIN_UNREACHABLE
        assert address in caught.value.message
    remote.close()


def test_registry_reaches_a_served_plugin_by_endpoint_and_by_address(
    served: tuple[SyntheticPlugin, GrpcPlugin],
) -> None:
    _, remote = served
    registry = PluginRegistry({"synthetic-remote": remote.address})
    try:
        for plugin_id in ("synthetic-remote", remote.address):
            assert registry.get(plugin_id).get_tasks({"sub_tasks": 2}, SECRET) == [{"sub_task": 0}, {"sub_task": 1}]
    finally:
        registry.close()


@pytest.mark.e2e
def test_cli_serves_a_builtin_plugin_until_sigterm() -> None:
    cloudinv = str(Path(sys.executable).with_name("cloudinv"))
    process = subprocess.Popen(
        [cloudinv, "plugin", "serve", "synthetic", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("plugin synthetic serving on 127.0.0.1:"), line
        address = "grpc://" + line.split()[-1]
        remote = GrpcPlugin(address, timeout=10)
        assert len(list(remote.collect({"resources_per_task": 5}, SECRET, {}))) == 5
        remote.close()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
