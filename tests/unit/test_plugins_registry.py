from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudinv.plugins.builtin.host import HostPlugin
from cloudinv.plugins.builtin.synthetic import SyntheticPlugin
from cloudinv.plugins.grpc_client import GrpcPlugin
from cloudinv.plugins.protocol import ERROR_PLUGIN_NOT_FOUND, PluginError
from cloudinv.plugins.registry import ENDPOINTS_ENV, PluginRegistry, endpoints_from_env, parse_endpoints


@pytest.fixture
def registry() -> Iterator[PluginRegistry]:
    registry = PluginRegistry({"remote": "grpc://127.0.0.1:50070", "synthetic-remote": "grpc://plugins.local:8080"})
    yield registry
    registry.close()


def test_builtins_come_from_entry_points_and_are_instantiated_once(registry: PluginRegistry) -> None:
    assert isinstance(registry.get("synthetic"), SyntheticPlugin)
    assert isinstance(registry.get("host"), HostPlugin)
    assert registry.get("synthetic") is registry.get("synthetic")
    assert {"synthetic", "host", "remote"} <= set(registry.ids())


def test_configured_endpoints_are_grpc_plugins(registry: PluginRegistry) -> None:
    plugin = registry.get("remote")
    assert isinstance(plugin, GrpcPlugin)
    assert plugin.address == "grpc://127.0.0.1:50070"
    assert registry.get("remote") is plugin


def test_a_grpc_address_is_a_plugin_id_and_shares_the_channel_of_an_endpoint(registry: PluginRegistry) -> None:
    plugin = registry.get("grpc://127.0.0.1:50070")
    assert isinstance(plugin, GrpcPlugin)
    assert plugin is registry.get("remote")
    assert isinstance(registry.get("grpc://[::1]:9000"), GrpcPlugin)


def test_an_endpoint_overrides_an_entry_point_of_the_same_name() -> None:
    registry = PluginRegistry({"synthetic": "grpc://127.0.0.1:50071"})
    assert isinstance(registry.get("synthetic"), GrpcPlugin)
    registry.close()


def test_given_instances_override_entry_points() -> None:
    mine = SyntheticPlugin()
    assert PluginRegistry(plugins={"host": mine}).get("host") is mine


@pytest.mark.parametrize("plugin_id", ["nope", "grpc://", "grpc://host-without-port", "grpc://h:1/path", ""])
def test_unknown_or_malformed_ids_are_not_found(registry: PluginRegistry, plugin_id: str) -> None:
    with pytest.raises(PluginError) as caught:
        registry.get(plugin_id)
    assert caught.value.code == ERROR_PLUGIN_NOT_FOUND


def test_direct_grpc_ids_can_be_forbidden() -> None:
    registry = PluginRegistry(allow_direct_endpoints=False)
    with pytest.raises(PluginError) as caught:
        registry.get("grpc://127.0.0.1:1")
    assert caught.value.code == ERROR_PLUGIN_NOT_FOUND


def test_without_entry_points_only_given_plugins_exist() -> None:
    registry = PluginRegistry(load_entry_points=False)
    assert registry.ids() == []
    with pytest.raises(PluginError):
        registry.get("synthetic")


def test_a_bad_configured_endpoint_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="grpc://host:port"):
        PluginRegistry({"x": "grpc://nowhere"})


def test_parse_endpoints() -> None:
    text = " aws = grpc://10.0.0.5:50051 , synthetic=grpc://localhost:7000,, "
    assert parse_endpoints(text) == {"aws": "grpc://10.0.0.5:50051", "synthetic": "grpc://localhost:7000"}
    assert parse_endpoints("") == {}


@pytest.mark.parametrize(
    "text", ["aws", "aws=", "=grpc://h:1", "aws=http://h:1", "aws=grpc://h", "a=grpc://h:1,a=grpc://h:2"]
)
def test_parse_endpoints_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=ENDPOINTS_ENV):
        parse_endpoints(text)


def test_endpoints_from_env() -> None:
    assert endpoints_from_env({ENDPOINTS_ENV: "a=grpc://h:1"}) == {"a": "grpc://h:1"}
    assert endpoints_from_env({}) == {}
