"""`spaceone.api.secret.v1.Secret`. `get_data` is internal (it has no REST route either) and is not served:
workers call `SecretService.get_data_for_worker` in-process."""

from __future__ import annotations

from dataclasses import replace

from spaceone.api.secret.v1 import secret_pb2

from cloudinv.api.contracts import ServiceContract, Verb, contract, empty_verb, info_verb, list_verb, struct_verb
from cloudinv.services.secrets import SecretService

# Request fields whose values may never be echoed, even in a parse error.
_SENSITIVE = ("data",)


def _sensitive(verb: Verb) -> Verb:
    return replace(verb, sensitive=_SENSITIVE)


def secret_contract(service: SecretService) -> ServiceContract:
    info = secret_pb2.SecretInfo
    return contract(
        secret_pb2.DESCRIPTOR.services_by_name["Secret"],
        [
            _sensitive(info_verb("create", secret_pb2.CreateSecretRequest, service.create, info)),
            info_verb("update", secret_pb2.UpdateSecretRequest, service.update, info),
            empty_verb("delete", secret_pb2.SecretRequest, service.delete),
            info_verb("enable", secret_pb2.SecretRequest, service.enable, info),
            info_verb("disable", secret_pb2.SecretRequest, service.disable, info),
            _sensitive(empty_verb("update_data", secret_pb2.UpdateSecretDataRequest, service.update_data)),
            info_verb("get", secret_pb2.SecretRequest, service.get, info),
            list_verb("list", secret_pb2.SecretQuery, service.list, info, secret_pb2.SecretsInfo),
            struct_verb("stat", secret_pb2.SecretStatQuery, service.stat),
        ],
    )
