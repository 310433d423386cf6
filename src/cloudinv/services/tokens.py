"""Tokens: JWTs with the reference's claims, issued and verified here; scope derived from their claims."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jwt

from cloudinv.domain.auth import WORKSPACE_ROLES, Role, Scope
from cloudinv.domain.errors import ERROR_AUTHENTICATE_FAILURE

SIGNING_KEY_FILE = "signing.key"
DEFAULT_TTL_SECONDS = 30 * 24 * 3600


def load_or_create_signing_key(data_dir: Path) -> bytes:
    """The HS256 key in the data directory, created on first use with 0600 permissions."""
    path = data_dir / SIGNING_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


class TokenService:
    """Issues HS256 tokens; verifies those and, when configured, RS256 tokens of an identity service."""

    def __init__(self, signing_key: bytes, public_keys: Sequence[str] = ()) -> None:
        self._key = signing_key
        self._public_keys = tuple(public_keys)

    def issue(
        self,
        domain_id: str,
        role: Role,
        workspace_id: str | None = None,
        ttl: int = DEFAULT_TTL_SECONDS,
        subject: str = "cloudinv-admin",
    ) -> str:
        if role in WORKSPACE_ROLES and not workspace_id:
            raise ValueError(f"role {role} needs a workspace id")
        now = int(time.time())
        claims: dict[str, Any] = {
            "did": domain_id, "rol": Role(role).value, "aud": subject, "ver": "2.0", "iat": now, "exp": now + ttl,
        }  # fmt: skip
        if workspace_id:
            claims["wid"] = workspace_id
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str | None) -> Mapping[str, Any]:
        if not token:
            raise ERROR_AUTHENTICATE_FAILURE(message="token is missing")
        try:
            header = jwt.get_unverified_header(token)
            options = {"require": ["exp", "did", "rol"], "verify_aud": False}
            if header.get("alg") == "RS256" and self._public_keys:
                return self._verify_rs256(token, options)
            return jwt.decode(token, self._key, algorithms=["HS256"], options=options)  # type: ignore[arg-type]
        except jwt.ExpiredSignatureError as exc:
            raise ERROR_AUTHENTICATE_FAILURE(message="token has expired") from exc
        except jwt.PyJWTError as exc:
            raise ERROR_AUTHENTICATE_FAILURE(message=f"invalid token: {exc}") from exc

    def _verify_rs256(self, token: str, options: Mapping[str, Any]) -> Mapping[str, Any]:
        last: jwt.PyJWTError = jwt.InvalidSignatureError("no public key matched")
        for key in self._public_keys:
            try:
                return jwt.decode(token, key, algorithms=["RS256"], options=options)  # type: ignore[arg-type]
            except jwt.InvalidSignatureError as exc:
                last = exc
        raise last

    def scope(self, token: str | None, x_domain_id: str | None = None, x_workspace_id: str | None = None) -> Scope:
        """The caller's scope. SYSTEM tokens act in the domain (and workspace) their headers name."""
        claims = self.verify(token)
        try:
            role = Role(claims["rol"])
        except ValueError as exc:
            raise ERROR_AUTHENTICATE_FAILURE(message=f"unknown role {claims['rol']!r}") from exc
        subject = str(claims.get("aud", ""))
        if role == Role.SYSTEM:
            if not x_domain_id:
                raise ERROR_AUTHENTICATE_FAILURE(message="a SYSTEM token needs x_domain_id")
            return Scope(x_domain_id, role, x_workspace_id or None, subject)
        if role in WORKSPACE_ROLES:
            workspace_id = claims.get("wid")
            if not workspace_id:
                raise ERROR_AUTHENTICATE_FAILURE(message="a workspace token has no workspace (wid)")
            return Scope(str(claims["did"]), role, str(workspace_id), subject)
        return Scope(str(claims["did"]), role, None, subject)
