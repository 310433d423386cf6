from __future__ import annotations

import socket
from collections import Counter
from typing import Any

import psutil
import pytest

from cloudinv.plugins.builtin.host import HostPlugin
from cloudinv.plugins.protocol import CLOUD_SERVICE, SECRET_REQUIRED, CollectorPlugin, PluginError, ResourceInfo


def collect() -> list[ResourceInfo]:
    return list(HostPlugin().collect({}, {}, {}))


def by_kind(items: list[ResourceInfo]) -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        kinds.setdefault(item["resource"]["cloud_service_type"], []).append(item["resource"])
    return kinds


def test_needs_no_secret_and_runs_as_one_task() -> None:
    plugin = HostPlugin()
    assert isinstance(plugin, CollectorPlugin)
    assert plugin.init({})[SECRET_REQUIRED] is False
    plugin.verify({}, {})
    assert plugin.get_tasks({}, {}) == [{}]


def test_unknown_options_are_rejected() -> None:
    with pytest.raises(PluginError, match="interval"):
        HostPlugin().init({"interval": 5})


def test_collects_cpu_memory_disks_and_interfaces() -> None:
    items = collect()
    assert all(item["state"] == "SUCCESS" and item["resource_type"] == CLOUD_SERVICE for item in items)
    kinds = by_kind(items)
    assert len(kinds["CPU"]) == 1 and kinds["CPU"][0]["data"]["logical_cores"] >= 1
    assert len(kinds["Memory"]) == 1 and kinds["Memory"][0]["data"]["total"] > 0
    assert kinds["Disk"] and all("mountpoint" in disk["data"] for disk in kinds["Disk"])
    assert kinds["NetworkInterface"]
    assert any("127.0.0.1" in nic["ip_addresses"] for nic in kinds["NetworkInterface"])


def test_every_item_matches_on_a_unique_stable_host_resource_id() -> None:
    items = collect()
    hostname = socket.gethostname()
    for item in items:
        assert item["match_rules"] == {"1": ["data.host_resource_id"]}
        resource = item["resource"]
        assert resource["provider"] == "host"
        assert resource["data"]["host_resource_id"] == f"{hostname}/{resource['cloud_service_type']}/{resource['name']}"
    counts = Counter(item["resource"]["data"]["host_resource_id"] for item in items)
    assert max(counts.values()) == 1
    stable = {"CPU", "Memory", "Disk", "NetworkInterface"}  # services may come and go between two runs
    assert {i for i in counts if i.split("/")[1] in stable} <= {
        item["resource"]["data"]["host_resource_id"] for item in collect()
    }


def test_finds_a_listening_socket_of_its_own() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        services = by_kind(collect()).get("Service", [])
    assert any(s["data"]["port"] == port and s["data"]["ip"] == "127.0.0.1" for s in services)


def test_access_denied_to_the_connection_table_falls_back_to_own_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(kind: str = "inet") -> list[Any]:
        raise psutil.AccessDenied()

    monkeypatch.setattr(psutil, "net_connections", denied)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        items = collect()
    assert all(item["state"] == "SUCCESS" for item in items)
    assert any(s["data"]["port"] == port for s in by_kind(items)["Service"])


def test_an_unreadable_section_is_reported_and_the_rest_collected(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(all: bool = False) -> list[Any]:
        raise OSError("no /proc/mounts")

    monkeypatch.setattr(psutil, "disk_partitions", broken)
    items = collect()
    failures = [item for item in items if item["state"] == "FAILURE"]
    assert len(failures) == 1 and "Disk" in failures[0]["message"]
    assert {"CPU", "Memory", "NetworkInterface"} <= set(by_kind(items))
