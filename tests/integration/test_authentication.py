"""Bad tokens are ERROR_AUTHENTICATE_FAILURE on both transports: never a 500, never a bypass."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims() -> dict[str, Any]:
    now = int(time.time())
    return {"did": "domain-a", "rol": "DOMAIN_ADMIN", "aud": "x", "ver": "2.0", "iat": now, "exp": now + 60}


BAD_TOKENS = {
    "missing": None,
    "malformed": "not-a-token",
    "wrong_key": jwt.encode(_claims(), "another-key-of-sufficient-length-000000", algorithm="HS256"),
    "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}.",
    "unknown_role": None,  # built in the test: needs the server's key
    "expired": None,
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_bad_tokens_fail_authentication(api: Any, application: Any, load_jobs: Any, kind: str) -> None:
    [row] = load_jobs({})
    bad = BAD_TOKENS[kind]
    if kind == "expired":
        bad = application.tokens.issue("domain-a", "DOMAIN_ADMIN", ttl=-10)
    if kind == "unknown_role":
        bad = jwt.encode({**_claims(), "rol": "ROOT"}, application.tokens._key, algorithm="HS256")
    for verb, body in (
        ("get", {"job_id": row["job_id"]}),
        ("list", {}),
        ("delete", {"job_id": row["job_id"]}),
    ):
        reply = api.call(verb, body, bad)
        assert reply.code == "ERROR_AUTHENTICATE_FAILURE", (verb, reply)
    assert api.call("get", {"job_id": row["job_id"]}, application.tokens.issue("domain-a", "DOMAIN_ADMIN")).ok
