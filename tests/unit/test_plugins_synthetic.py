from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from cloudinv.plugins.builtin.synthetic import HANG_STEP_SECONDS, SyntheticPlugin
from cloudinv.plugins.protocol import (
    CLOUD_SERVICE,
    ERROR_INVALID_PLUGIN_OPTIONS,
    SECRET_REQUIRED,
    CollectorPlugin,
    PluginError,
    ResourceInfo,
)

SECRET = {"account": "acct-1"}


def collect(options: Mapping[str, Any], task: Mapping[str, Any] | None = None, **kwargs: Any) -> list[ResourceInfo]:
    return list(SyntheticPlugin(**kwargs).collect(options, SECRET, task or {}))


def ids(items: list[ResourceInfo]) -> list[str]:
    return [item["resource"]["data"]["resource_id"] for item in items if item["state"] == "SUCCESS"]


def test_is_a_collector_plugin_that_needs_a_secret() -> None:
    plugin = SyntheticPlugin()
    assert isinstance(plugin, CollectorPlugin)
    assert plugin.init({})[SECRET_REQUIRED] is True


def test_default_item_shape() -> None:
    items = collect({})
    assert len(items) == 10
    item = items[0]
    assert item["state"] == "SUCCESS"
    assert item["resource_type"] == CLOUD_SERVICE
    assert item["match_rules"] == {"1": ["data.resource_id"]}
    resource = item["resource"]
    assert resource["account"] == "acct-1"
    assert resource["provider"] == "synthetic"
    expected = {"name", "cloud_service_group", "cloud_service_type", "region_code", "ip_addresses", "data", "tags"}
    assert expected <= set(resource)
    assert len(json.dumps(resource["data"])) == pytest.approx(200, abs=5)


@pytest.mark.parametrize("size", [0, 50, 1000, 20000])
def test_resource_size_sets_the_size_of_data(size: int) -> None:
    data = collect({"resource_size": size, "resources_per_task": 3})[0]["resource"]["data"]
    assert len(json.dumps(data)) == pytest.approx(max(size, 60), abs=5)


def test_same_seed_and_options_give_the_same_resources() -> None:
    options = {"resources_per_task": 50, "seed": 7, "failure_rate": 0.2, "drop_share": 0.1}
    assert collect(options) == collect(dict(options))


def test_another_seed_or_account_gives_other_ids() -> None:
    first = set(ids(collect({"resources_per_task": 100, "seed": 1})))
    second = set(ids(collect({"resources_per_task": 100, "seed": 2})))
    plugin = SyntheticPlugin()
    other_account = set(ids(list(plugin.collect({"resources_per_task": 100, "seed": 1}, {"account": "b"}, {}))))
    assert len(first) == len(second) == len(other_account) == 100
    assert not first & second
    assert not first & other_account


def test_sub_tasks_split_the_resources_without_overlap() -> None:
    options = {"resources_per_task": 101, "sub_tasks": 4, "seed": 3}
    tasks = SyntheticPlugin().get_tasks(options, SECRET)
    assert tasks == [{"sub_task": 0}, {"sub_task": 1}, {"sub_task": 2}, {"sub_task": 3}]
    parts = [ids(collect(options, task)) for task in tasks]
    assert sorted(len(part) for part in parts) == [25, 25, 25, 26]
    assert [i for part in parts for i in part] == ids(collect(options))  # no task options: the whole task


def test_sub_task_accepts_the_float_grpc_sends() -> None:
    as_sent = ids(collect({"resources_per_task": 10.0, "sub_tasks": 2.0}, {"sub_task": 1.0}))
    assert as_sent == ids(collect({"resources_per_task": 10, "sub_tasks": 2}, {"sub_task": 1}))


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"resources_per_task": -1}, "resources_per_task"),
        ({"resources_per_task": "10"}, "resources_per_task"),
        ({"resources_per_task": 2.5}, "resources_per_task"),
        ({"resources_per_task": True}, "resources_per_task"),
        ({"sub_tasks": 0}, "sub_tasks"),
        ({"resource_size": -5}, "resource_size"),
        ({"failure_rate": 1.5}, "failure_rate"),
        ({"failure_rate": "high"}, "failure_rate"),
        ({"failure_rate": float("nan")}, "failure_rate"),
        ({"drop_share": -0.1}, "drop_share"),
        ({"crash_after": -1}, "crash_after"),
        ({"hang_after": "soon"}, "hang_after"),
        ({"hang_seconds": -1}, "hang_seconds"),
        ({"seed": 1.5}, "seed"),
        ({"resources_per_tsk": 10}, "resources_per_tsk"),
    ],
)
def test_bad_options_are_rejected_with_the_option_named(options: dict[str, Any], named: str) -> None:
    with pytest.raises(PluginError) as caught:
        SyntheticPlugin().init(options)
    assert caught.value.code == ERROR_INVALID_PLUGIN_OPTIONS
    assert named in caught.value.message
    with pytest.raises(PluginError):
        SyntheticPlugin().collect(options, SECRET, {})  # at the call, before any item is asked for


def test_sub_task_out_of_range_is_rejected() -> None:
    with pytest.raises(PluginError, match="sub_task"):
        SyntheticPlugin().collect({"sub_tasks": 2}, SECRET, {"sub_task": 2})


@pytest.mark.parametrize("secret", [{}, {"account": ""}, {"account": 5}])
def test_verify_needs_an_account(secret: dict[str, Any]) -> None:
    with pytest.raises(PluginError, match="account"):
        SyntheticPlugin().verify({}, secret)


def test_failure_rate_sends_that_share_as_failure() -> None:
    items = collect({"resources_per_task": 1000, "failure_rate": 0.1})
    failures = [item for item in items if item["state"] == "FAILURE"]
    assert len(items) == 1000
    assert len(failures) == 100
    assert all(item["message"] and item["resource_type"] == "inventory.ErrorResource" for item in failures)


def test_failure_rate_counts_the_items_left_after_drop_share() -> None:
    items = collect({"resources_per_task": 1000, "failure_rate": 0.5, "drop_share": 0.2, "seed": 9})
    assert len(items) == 800
    assert sum(item["state"] == "FAILURE" for item in items) == 400


def test_drop_share_leaves_out_that_share_of_the_same_resources() -> None:
    everything = ids(collect({"resources_per_task": 1000, "seed": 5}))
    kept = ids(collect({"resources_per_task": 1000, "seed": 5, "drop_share": 0.25}))
    assert len(kept) == 750
    assert set(kept) < set(everything)


def test_drop_share_spreads_over_sub_tasks() -> None:
    options = {"resources_per_task": 1000, "sub_tasks": 3, "drop_share": 0.3, "seed": 11}
    parts = [ids(collect(options, {"sub_task": i})) for i in range(3)]
    assert sum(len(part) for part in parts) == 700
    assert all(len(part) == pytest.approx(700 / 3, abs=2) for part in parts)


def test_crash_after_raises_after_that_many_items() -> None:
    stream = SyntheticPlugin().collect({"resources_per_task": 10, "crash_after": 3}, SECRET, {})
    assert [next(stream) for _ in range(3)]
    with pytest.raises(PluginError, match="after 3 items"):
        next(stream)


@pytest.mark.parametrize(("crash_after", "crashes"), [(0, True), (10, True), (11, False)])
def test_crash_after_at_the_edges(crash_after: int, crashes: bool) -> None:
    stream = SyntheticPlugin().collect({"resources_per_task": 10, "crash_after": crash_after}, SECRET, {})
    if crashes:
        with pytest.raises(PluginError):
            list(stream)
    else:
        assert len(list(stream)) == 10


class RecordingSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def test_hang_after_blocks_in_small_steps_then_fails() -> None:
    sleep = RecordingSleep()
    options = {"resources_per_task": 10, "hang_after": 4, "hang_seconds": 1.0}
    stream: Iterator[ResourceInfo] = SyntheticPlugin(sleep=sleep).collect(options, SECRET, {})
    assert len([next(stream) for _ in range(4)]) == 4
    assert sleep.calls == []  # nothing blocks before the 4th item is out
    with pytest.raises(PluginError, match="hung"):
        next(stream)
    assert sum(sleep.calls) == pytest.approx(1.0)
    assert max(sleep.calls) <= HANG_STEP_SECONDS


def test_hang_after_with_real_sleep_and_a_tiny_hang() -> None:
    stream = SyntheticPlugin().collect({"hang_after": 2, "hang_seconds": 0.01}, SECRET, {})
    assert next(stream) and next(stream)
    with pytest.raises(PluginError):
        next(stream)
