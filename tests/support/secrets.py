"""Helpers for Secret tests: request bodies, and a client that checks every reply for the secret's data."""

from __future__ import annotations

import json
from typing import Any

from tests.support.clients import SECRET_SERVICE, Reply

# Distinctive strings: none may ever appear in a reply, an error message, a log line, or the stored row.
VALUE = "s3cr3t-VALUE-7d1f0c"
KEY_ID = "AKIA-KEYID-5b2e"
DATA = {"aws_access_key_id": KEY_ID, "aws_secret_access_key": VALUE, "port": 5432}
NEW_VALUE = "n3w-s3cr3t-44aa91"


def create_body(**overrides: Any) -> dict[str, Any]:
    """A DOMAIN-level AWS secret, unless overridden."""
    body: dict[str, Any] = {
        "name": "aws prod",
        "schema_id": "aws_access_key",
        "data": DATA,
        "resource_group": "DOMAIN",
        "tags": {"env": "prod"},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def assert_no_secret(text: str) -> None:
    for needle in (VALUE, KEY_ID, NEW_VALUE):
        assert needle not in text, f"secret data leaked: {needle}"


class SecretApi:
    """`api` bound to the Secret service; every reply, success or error, is checked for the data."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.transport = api.transport

    def __call__(self, verb: str, body: Any, token: str | None) -> Reply:
        reply: Reply = self.api.call(verb, body, token, service=SECRET_SERVICE)
        assert_no_secret(json.dumps(reply.data, default=str) + reply.code + reply.message)
        return reply


def shown(info: dict[str, Any]) -> dict[str, Any]:
    """A reply without its unset fields: REST shows them as null, gRPC leaves them out."""
    return {k: v for k, v in info.items() if v is not None}
