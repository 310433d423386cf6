"""The `host` plugin: this machine (CPU, memory, disks, network interfaces, listening services) via psutil.

It needs no secret. Ids are stable across runs (`hostname/kind/name`), so a second collection updates the
same assets and a disk or service that went away is disconnected. Readings are point-in-time snapshots.
"""

from __future__ import annotations

import logging
import os
import platform
import socket
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import psutil

from cloudinv.plugins.builtin._options import reject_unknown
from cloudinv.plugins.protocol import CLOUD_SERVICE, ERROR_RESOURCE, SECRET_REQUIRED, ResourceInfo

log = logging.getLogger(__name__)

PROVIDER = "host"
MATCH_KEY = "data.host_resource_id"
GROUP = "Host"

# One section per kind: (cloud_service_type, reader returning (name, data, ip_addresses) triples).
Entry = tuple[str, dict[str, Any], list[str]]


class HostPlugin:
    """Stateless: every call reads the machine afresh."""

    def init(self, options: Mapping[str, Any]) -> dict[str, Any]:
        reject_unknown(PROVIDER, options, frozenset())
        return {"supported_resource_type": [CLOUD_SERVICE], "provider": PROVIDER, SECRET_REQUIRED: False}

    def verify(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> None:
        reject_unknown(PROVIDER, options, frozenset())

    def get_tasks(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [{}]

    def collect(
        self, options: Mapping[str, Any], secret_data: Mapping[str, Any], task_options: Mapping[str, Any]
    ) -> Iterator[ResourceInfo]:
        reject_unknown(PROVIDER, options, frozenset())
        return _collect(socket.gethostname())


def _collect(hostname: str) -> Iterator[ResourceInfo]:
    sections: list[tuple[str, Callable[[], list[Entry]]]] = [
        ("CPU", _cpu),
        ("Memory", _memory),
        ("Disk", _disks),
        ("NetworkInterface", _interfaces),
        ("Service", _services),
    ]
    for kind, read in sections:
        try:
            entries = read()
        except (psutil.Error, OSError) as exc:
            # One unreadable section is reported, and the others are still collected.
            log.warning("host plugin: cannot read %s: %s", kind, exc)
            yield _failure(kind, f"host: cannot read {kind}: {exc}")
            continue
        for name, data, ips in entries:
            yield _item(hostname, kind, name, data, ips)


def _item(hostname: str, kind: str, name: str, data: dict[str, Any], ips: list[str]) -> ResourceInfo:
    return {
        "state": "SUCCESS",
        "resource_type": CLOUD_SERVICE,
        "match_rules": {"1": [MATCH_KEY]},
        "resource": {
            "name": name,
            "account": hostname,
            "provider": PROVIDER,
            "cloud_service_group": GROUP,
            "cloud_service_type": kind,
            "ip_addresses": ips,
            "data": {"host_resource_id": f"{hostname}/{kind}/{name}", "hostname": hostname, **data},
            "tags": {},
        },
    }


def _failure(kind: str, message: str) -> ResourceInfo:
    return {
        "state": "FAILURE",
        "message": message,
        "resource_type": ERROR_RESOURCE,
        "resource": {"provider": PROVIDER, "cloud_service_group": GROUP, "cloud_service_type": kind},
    }


def _cpu() -> list[Entry]:
    freq = psutil.cpu_freq()
    data = {
        "logical_cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "frequency_mhz": None if freq is None else {"current": freq.current, "min": freq.min, "max": freq.max},
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "architecture": platform.machine(),
        "system": platform.system(),
        "release": platform.release(),
        "boot_time": datetime.fromtimestamp(psutil.boot_time(), UTC).isoformat(),
    }
    return [("cpu", data, [])]


def _memory() -> list[Entry]:
    memory, swap = psutil.virtual_memory(), psutil.swap_memory()
    data = {
        "total": memory.total,
        "available": memory.available,
        "used": memory.used,
        "percent": memory.percent,
        "swap_total": swap.total,
        "swap_used": swap.used,
        "swap_percent": swap.percent,
    }
    return [("memory", data, [])]


def _disks() -> list[Entry]:
    entries: list[Entry] = []
    for partition in psutil.disk_partitions(all=False):
        data: dict[str, Any] = {
            "device": partition.device,
            "mountpoint": partition.mountpoint,
            "fstype": partition.fstype,
            "options": partition.opts,
        }
        try:
            usage = psutil.disk_usage(partition.mountpoint)
            data.update(total=usage.total, used=usage.used, free=usage.free, percent=usage.percent)
        except OSError as exc:  # an unmounted or forbidden mountpoint still shows as a partition
            data["usage_error"] = str(exc)
        entries.append((partition.mountpoint, data, []))
    return entries


_FAMILIES = {socket.AF_INET: "IPv4", socket.AF_INET6: "IPv6", psutil.AF_LINK: "MAC"}


def _interfaces() -> list[Entry]:
    stats = psutil.net_if_stats()
    entries: list[Entry] = []
    for name, addresses in sorted(psutil.net_if_addrs().items()):
        listed = [
            {"family": _FAMILIES.get(a.family, str(a.family)), "address": a.address, "netmask": a.netmask}
            for a in addresses
        ]
        ips = [a.address for a in addresses if a.family in (socket.AF_INET, socket.AF_INET6)]
        stat = stats.get(name)
        data: dict[str, Any] = {"interface": name, "addresses": listed}
        if stat is not None:
            data.update(is_up=stat.isup, mtu=stat.mtu, speed_mbps=stat.speed)
        entries.append((name, data, ips))
    return entries


def _services() -> list[Entry]:
    """Listening TCP sockets, one per (address, port); the owning process when we may see it."""
    found: dict[str, dict[str, Any]] = {}
    for ip, port, pid in _listening():
        name = f"tcp/[{ip}]:{port}" if ":" in ip else f"tcp/{ip}:{port}"
        found.setdefault(name, {"protocol": "tcp", "ip": ip, "port": port, "pid": pid})
    for data in found.values():
        data["process"] = _process_name(data["pid"])
    return [(name, data, []) for name, data in sorted(found.items())]


def _listening() -> list[tuple[str, int, int | None]]:
    """(ip, port, pid) of each listening socket."""
    try:
        return [(c.laddr.ip, c.laddr.port, c.pid) for c in psutil.net_connections(kind="tcp") if _listens(c)]
    except psutil.AccessDenied:
        # macOS and some hardened systems refuse the system-wide table; fall back to the processes we may read.
        return _listening_per_process()


def _listening_per_process() -> list[tuple[str, int, int | None]]:
    sockets: list[tuple[str, int, int | None]] = []
    for process in psutil.process_iter():
        try:
            connections = process.net_connections(kind="tcp")
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        sockets.extend((c.laddr.ip, c.laddr.port, process.pid) for c in connections if _listens(c))
    return sockets


def _listens(conn: Any) -> bool:
    return bool(conn.status == psutil.CONN_LISTEN and conn.laddr)


def _process_name(pid: int | None) -> str | None:
    if pid is None:
        return None
    try:
        name: str = psutil.Process(pid).name()
        return name
    except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
