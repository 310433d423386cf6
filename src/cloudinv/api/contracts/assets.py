"""`spaceone.api.inventory_v2.v1.Asset` (export and history are not served yet)."""

from __future__ import annotations

from spaceone.api.inventory_v2.v1 import asset_pb2 as a

from cloudinv.api.contracts import ServiceContract, contract, empty_verb, info_verb, list_verb, struct_verb
from cloudinv.services.assets import AssetService


def asset_contract(service: AssetService) -> ServiceContract:
    return contract(
        a.DESCRIPTOR.services_by_name["Asset"],
        [
            info_verb("create", a.AssetCreateRequest, service.create, a.AssetInfo),
            info_verb("update", a.UpdateAssetRequest, service.update, a.AssetInfo),
            empty_verb("delete", a.AssetRequest, service.delete),
            info_verb("get", a.AssetRequest, service.get, a.AssetInfo),
            list_verb("list", a.AssetQuery, service.list, a.AssetInfo, a.AssetsInfo),
            struct_verb("analyze", a.AssetAnalyzeQuery, service.analyze),
            struct_verb("stat", a.AssetStatQuery, service.stat),
        ],
    )
