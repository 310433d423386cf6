"""Secret data at rest: the key file, configured keys, rotation, and data bound to its secret."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from cloudinv.services.secret_crypto import (
    ERROR_SECRET_DATA_UNREADABLE,
    SECRET_KEY_FILE,
    SecretCipher,
    load_or_create_secret_key,
    secret_keys,
)
from cloudinv.settings import Settings

DATA = {"aws_secret_access_key": "s3cr3t-VALUE-42", "port": 5432}
BOUND = {"domain_id": "domain-a", "secret_id": "secret-000000000001"}


def test_key_file_is_created_once_with_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    key = load_or_create_secret_key(data_dir)
    path = data_dir / SECRET_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret_key(data_dir) == key
    assert [p.name for p in data_dir.iterdir()] == [SECRET_KEY_FILE]  # no temporary file left behind
    Fernet(key)  # a valid key


def test_configured_keys_win_over_the_file_and_create_none(tmp_path: Path) -> None:
    first, second = Fernet.generate_key(), Fernet.generate_key()
    assert secret_keys(f"{first.decode()}, {second.decode()}", tmp_path) == [first, second]
    assert not (tmp_path / SECRET_KEY_FILE).exists()
    assert secret_keys(None, tmp_path) == [(tmp_path / SECRET_KEY_FILE).read_bytes().strip()]


def test_round_trip_and_the_token_does_not_show_the_data() -> None:
    cipher = SecretCipher([Fernet.generate_key()])
    token = cipher.encrypt(DATA, **BOUND)
    assert "s3cr3t-VALUE-42" not in token
    assert cipher.decrypt(token, **BOUND) == DATA


def test_data_is_bound_to_its_secret() -> None:
    cipher = SecretCipher([Fernet.generate_key()])
    token = cipher.encrypt(DATA, **BOUND)
    with pytest.raises(ERROR_SECRET_DATA_UNREADABLE):
        cipher.decrypt(token, domain_id="domain-a", secret_id="secret-000000000002")
    with pytest.raises(ERROR_SECRET_DATA_UNREADABLE):
        cipher.decrypt(token, domain_id="domain-b", secret_id="secret-000000000001")


def test_a_wrong_key_is_a_clear_error_without_data() -> None:
    token = SecretCipher([Fernet.generate_key()]).encrypt(DATA, **BOUND)
    with pytest.raises(ERROR_SECRET_DATA_UNREADABLE) as caught:
        SecretCipher([Fernet.generate_key()]).decrypt(token, **BOUND)
    assert "s3cr3t" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_rotation_new_key_first_still_reads_old_tokens() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = SecretCipher([old]).encrypt(DATA, **BOUND)
    assert SecretCipher([new, old]).decrypt(token, **BOUND) == DATA


@pytest.mark.parametrize("key", [b"not-a-key", b""])
def test_an_invalid_key_is_refused_without_quoting_it(key: bytes) -> None:
    with pytest.raises(ValueError, match="not a Fernet key") as caught:
        SecretCipher([key])
    assert "not-a-key" not in str(caught.value)


def test_settings_never_show_the_key() -> None:
    key = Fernet.generate_key().decode()
    assert key not in repr(Settings(secret_key=key))
