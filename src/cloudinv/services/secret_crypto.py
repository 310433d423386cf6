"""Secret data at rest: Fernet, with the key from configuration or from a file in the data directory.

`CLOUDINV_SECRET_KEY` (`Settings.secret_key`) holds a Fernet key, or several separated by commas to rotate keys:
the first encrypts, every one decrypts. Without it, `secret.key` in the data directory is used, created on first
use with 0600 permissions.

Each token seals the data together with the secret it belongs to (domain and id), and decrypting checks them: a
ciphertext copied onto another row by someone who can write the database but has no key is refused, instead of
handing one secret's credentials to another secret's collector.

Nothing here puts data or keys into an exception message or a log line.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from cloudinv.domain.errors import CloudinvError

SECRET_KEY_FILE = "secret.key"


class ERROR_SECRET_DATA_UNREADABLE(CloudinvError):
    """The stored data cannot be decrypted with the configured keys (a lost or rotated-out key)."""

    template = "Secret data cannot be decrypted. (secret_id = {secret_id})"


def load_or_create_secret_key(data_dir: Path) -> bytes:
    """The Fernet key in the data directory, created on first use with 0600 permissions."""
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        _create_key_file(path)
    return path.read_bytes().strip()


def _create_key_file(path: Path) -> None:
    # Written under a temporary name and linked into place: processes starting together (a server and a worker)
    # end up with one key, and none of them reads a half-written file.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process created it first: its key is the key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def secret_keys(configured: str | None, data_dir: Path) -> list[bytes]:
    """The configured keys (comma-separated, newest first), else the data directory's key file."""
    if configured:
        keys = [key.strip().encode() for key in configured.split(",") if key.strip()]
        if keys:
            return keys
    return [load_or_create_secret_key(data_dir)]


class SecretCipher:
    """Encrypts and decrypts one secret's data, bound to that secret."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("no secret key configured")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except (ValueError, TypeError):
            # `from None`: the underlying error may quote the key material.
            raise ValueError(
                "the secret key is not a Fernet key (32 url-safe base64-encoded bytes, e.g. from "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
            ) from None

    def encrypt(self, data: Mapping[str, Any], *, domain_id: str, secret_id: str) -> str:
        envelope = {"bind": _binding(domain_id, secret_id), "data": dict(data)}
        plaintext = json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()
        return self._fernet.encrypt(plaintext).decode("ascii")

    def decrypt(self, token: str, *, domain_id: str, secret_id: str) -> dict[str, Any]:
        try:
            envelope = json.loads(self._fernet.decrypt(token.encode("ascii")))
        except (InvalidToken, ValueError):
            raise ERROR_SECRET_DATA_UNREADABLE(secret_id=secret_id) from None
        if not isinstance(envelope, dict) or envelope.get("bind") != _binding(domain_id, secret_id):
            raise ERROR_SECRET_DATA_UNREADABLE(secret_id=secret_id)
        data: dict[str, Any] = envelope["data"]
        return data


def _binding(domain_id: str, secret_id: str) -> str:
    return f"{domain_id}/{secret_id}"
