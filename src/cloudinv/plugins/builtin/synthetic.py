"""The `synthetic` plugin: deterministic resources for tests and benchmarks.

A task (one secret) owns `resources_per_task` resources, numbered 0..N-1 and split into `sub_tasks` contiguous
ranges. Everything about resource i is a pure function of (seed, account, i), so the same options give the
same resources in any process, in any order of sub-tasks, in-process or over gRPC.

Speed matters (ingestion is benchmarked with it), so an item costs a few microseconds: the id is a 64-bit mix
of an integer (no hashing library per item), the padding string is built once per stream, and which items are
dropped or failed is decided by a closed-form stride instead of per-item random draws.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cloudinv.plugins.builtin._options import (
    float_option,
    int_option,
    optional_int_option,
    reject_unknown,
)
from cloudinv.plugins.protocol import CLOUD_SERVICE, ERROR_RESOURCE, SECRET_REQUIRED, PluginError, ResourceInfo

PROVIDER = "synthetic"
SECRET_SCHEMA = "synthetic"
MATCH_KEY = "data.resource_id"
HANG_STEP_SECONDS = 0.05

_MASK64 = (1 << 64) - 1
_MAX_COUNT = 1_000_000_000
_MAX_RESOURCE_SIZE = 1_000_000  # stays well under gRPC's default 4 MB message limit
_KINDS = (("Compute", "Instance"), ("Storage", "Bucket"), ("Network", "LoadBalancer"), ("Database", "Cluster"))
_REGIONS = ("region-a", "region-b", "region-c", "region-d")
_TIERS = ("bronze", "silver", "gold", "platinum")
_KNOWN_OPTIONS = frozenset(
    {
        "resources_per_task",
        "sub_tasks",
        "resource_size",
        "failure_rate",
        "crash_after",
        "hang_after",
        "hang_seconds",
        "seed",
        "drop_share",
    }
)


@dataclass(frozen=True)
class SyntheticOptions:
    resources_per_task: int = 10
    sub_tasks: int = 1
    resource_size: int = 200
    failure_rate: float = 0.0
    crash_after: int | None = None
    hang_after: int | None = None
    hang_seconds: float = 3600.0
    seed: int = 0
    drop_share: float = 0.0

    @classmethod
    def parse(cls, options: Mapping[str, Any]) -> SyntheticOptions:
        name = PROVIDER
        reject_unknown(name, options, _KNOWN_OPTIONS)
        return cls(
            resources_per_task=int_option(name, options, "resources_per_task", 10, 0, _MAX_COUNT),
            sub_tasks=int_option(name, options, "sub_tasks", 1, 1, 100_000),
            resource_size=int_option(name, options, "resource_size", 200, 0, _MAX_RESOURCE_SIZE),
            failure_rate=float_option(name, options, "failure_rate", 0.0, 0.0, 1.0),
            crash_after=optional_int_option(name, options, "crash_after", 0, _MAX_COUNT),
            hang_after=optional_int_option(name, options, "hang_after", 0, _MAX_COUNT),
            hang_seconds=float_option(name, options, "hang_seconds", 3600.0, 0.0, 7 * 24 * 3600.0),
            seed=int_option(name, options, "seed", 0, -(2**63), 2**63 - 1),
            drop_share=float_option(name, options, "drop_share", 0.0, 0.0, 1.0),
        )

    def sub_task_range(self, sub_task: int) -> range:
        """Contiguous ranges, so sub-tasks never share a resource and together cover all of them."""
        n, k = self.resources_per_task, self.sub_tasks
        return range(sub_task * n // k, (sub_task + 1) * n // k)


class SyntheticPlugin:
    """Stateless, so one instance serves every thread. `sleep` is injectable so tests need not wait."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sleep = sleep

    def init(self, options: Mapping[str, Any]) -> dict[str, Any]:
        SyntheticOptions.parse(options)
        return {
            "supported_resource_type": [CLOUD_SERVICE],
            "supported_schema": [SECRET_SCHEMA],
            "provider": PROVIDER,
            SECRET_REQUIRED: True,
        }

    def verify(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> None:
        SyntheticOptions.parse(options)
        _account(secret_data)

    def get_tasks(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> list[dict[str, Any]]:
        parsed = SyntheticOptions.parse(options)
        return [{"sub_task": i} for i in range(parsed.sub_tasks)]

    def collect(
        self, options: Mapping[str, Any], secret_data: Mapping[str, Any], task_options: Mapping[str, Any]
    ) -> Iterator[ResourceInfo]:
        # Checked before the first item is asked for, so bad input fails at the call, not mid-stream.
        parsed = SyntheticOptions.parse(options)
        indexes = _task_range(parsed, task_options)
        return self._stream(parsed, _Layout(parsed, _account(secret_data), indexes), indexes)

    def _stream(self, options: SyntheticOptions, layout: _Layout, indexes: range) -> Iterator[ResourceInfo]:
        stop_at = _first_of(options.crash_after, options.hang_after)
        sent = 0
        for index in indexes:
            if layout.dropped(index):
                continue
            if sent == stop_at:
                self._interrupt(options, sent)
            yield layout.item(index)
            sent += 1
        if sent == stop_at:  # "after N items" holds even when the N-th item was the last one
            self._interrupt(options, sent)

    def _interrupt(self, options: SyntheticOptions, sent: int) -> None:
        if options.hang_after == sent:
            self._hang(options.hang_seconds)
            # A hang that outlives its time ends in an error, never in a short stream that looks complete.
            raise PluginError(f"synthetic: hung for {options.hang_seconds:g}s after {sent} items")
        raise PluginError(f"synthetic: crashed after {sent} items (crash_after)")

    def _hang(self, seconds: float) -> None:
        # Short steps rather than one long sleep: the thread never sits in a single hour-long call, and a
        # test can watch the steps through an injected `sleep` instead of waiting.
        remaining = seconds
        while remaining > 0:
            step = min(HANG_STEP_SECONDS, remaining)
            self._sleep(step)
            remaining -= step


class _Layout:
    """Everything one stream needs, computed once so that `item()` only formats."""

    def __init__(self, options: SyntheticOptions, account: str, indexes: range) -> None:
        digest = hashlib.blake2b(f"{options.seed}\0{account}".encode(), digest_size=16).digest()
        self.base = int.from_bytes(digest[:8], "big")
        # Phases shift the evenly spaced dropped/failed positions differently for each seed and account.
        self.drop_phase = int.from_bytes(digest[8:12], "big") / 2**32
        self.fail_phase = int.from_bytes(digest[12:16], "big") / 2**32
        self.options = options
        self.account = account
        self.seed = str(options.seed)
        self.padding = _padding(options.resource_size, indexes)

    def dropped(self, index: int) -> bool:
        return _stride_hit(index, self.options.drop_share, self.drop_phase)

    def item(self, index: int) -> ResourceInfo:
        # Failures are spaced over the positions of the items actually sent, so failure_rate is exact
        # whatever drop_share removed.
        position = index - _stride_count(index, self.options.drop_share, self.drop_phase)
        mixed = _mix64((self.base + index) & _MASK64)
        if _stride_hit(position, self.options.failure_rate, self.fail_phase):
            return self._failure(mixed)
        return self._success(index, mixed)

    def _success(self, index: int, mixed: int) -> ResourceInfo:
        resource_id = f"{mixed:016x}"
        group, kind = _KINDS[mixed & 3]
        return {
            "state": "SUCCESS",
            "resource_type": CLOUD_SERVICE,
            "match_rules": {"1": [MATCH_KEY]},
            "resource": {
                "name": f"{kind.lower()}-{resource_id[:12]}",
                "account": self.account,
                "provider": PROVIDER,
                "cloud_service_group": group,
                "cloud_service_type": kind,
                "region_code": _REGIONS[(mixed >> 2) & 3],
                "ip_addresses": [f"10.{(mixed >> 8) & 255}.{(mixed >> 16) & 255}.{(mixed >> 24) & 255}"],
                "data": {"resource_id": resource_id, "index": index, "padding": self.padding},
                "tags": {"seed": self.seed, "tier": _TIERS[(mixed >> 32) & 3]},
            },
        }

    def _failure(self, mixed: int) -> ResourceInfo:
        resource_id = f"{mixed:016x}"
        group, kind = _KINDS[mixed & 3]
        return {
            "state": "FAILURE",
            "message": f"synthetic failure of resource {resource_id}",
            "resource_type": ERROR_RESOURCE,
            "resource": {
                "provider": PROVIDER,
                "cloud_service_group": group,
                "cloud_service_type": kind,
                "resource_id": resource_id,
            },
        }


def _account(secret_data: Mapping[str, Any]) -> str:
    account = secret_data.get("account")
    if not isinstance(account, str) or not account:
        raise PluginError("synthetic: secret_data needs a non-empty string 'account', e.g. {'account': 'acct-1'}")
    return account


def _task_range(options: SyntheticOptions, task_options: Mapping[str, Any]) -> range:
    """No `sub_task` (a runner that did not call get_tasks) means the whole task."""
    if task_options.get("sub_task") is None:
        return range(options.resources_per_task)
    sub_task = int_option(PROVIDER, task_options, "sub_task", 0, 0, options.sub_tasks - 1)
    return options.sub_task_range(sub_task)


def _first_of(*limits: int | None) -> int | None:
    present = [limit for limit in limits if limit is not None]
    return min(present) if present else None


def _mix64(x: int) -> int:
    """splitmix64's finaliser: a bijection on 64-bit integers, so distinct indexes give distinct ids."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _stride_count(index: int, share: float, phase: float) -> int:
    """How many of the positions 0..index-1 are hit: floor(index*share + phase) - floor(phase), phase in [0,1)."""
    return int(index * share + phase)


def _stride_hit(index: int, share: float, phase: float) -> bool:
    """Hits are evenly spaced, so any run of n positions holds floor or ceil of n*share of them."""
    return share > 0.0 and int((index + 1) * share + phase) != int(index * share + phase)


def _padding(resource_size: int, indexes: range) -> str:
    """Pads `data` to about resource_size bytes of JSON (exact to within the width of the index)."""
    widest = str(indexes[-1]) if indexes else "0"
    overhead = len('{"resource_id": "0123456789abcdef", "index": , "padding": ""}') + len(widest)
    pattern = "synthetic-padding-"
    length = max(0, resource_size - overhead)
    return (pattern * (length // len(pattern) + 1))[:length]
