"""Settings: command-line options over `CLOUDINV_*` environment variables over defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cloudinv.store.engine import sqlite_url


def _env_float(name: str, default: float) -> float:
    text = os.environ.get(name)
    try:
        return float(text) if text else default
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {text!r}") from None


def _env_int(name: str, default: int) -> int:
    return int(_env_float(name, default))


def default_data_dir() -> Path:
    return Path(os.environ.get("CLOUDINV_DATA_DIR") or Path.home() / ".cloudinv")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str | None = field(default_factory=lambda: os.environ.get("CLOUDINV_DATABASE_URL") or None)
    token_public_keys: tuple[Path, ...] = field(
        default_factory=lambda: tuple(
            Path(p) for p in os.environ.get("CLOUDINV_TOKEN_PUBLIC_KEYS", "").split(os.pathsep) if p
        )
    )

    runner_threads: int = field(default_factory=lambda: _env_int("CLOUDINV_RUNNER_THREADS", 4))
    job_timeout: float = field(default_factory=lambda: _env_float("CLOUDINV_JOB_TIMEOUT", 2 * 3600))
    task_timeout: float = field(default_factory=lambda: _env_float("CLOUDINV_TASK_TIMEOUT", 600))
    retention_days: float = field(default_factory=lambda: _env_float("CLOUDINV_RETENTION_DAYS", 60))
    reaper_interval: float = field(default_factory=lambda: _env_float("CLOUDINV_REAPER_INTERVAL", 30))
    scheduler_interval: float = field(default_factory=lambda: _env_float("CLOUDINV_SCHEDULER_INTERVAL", 60))

    # Fernet key(s) for secret data, comma-separated, newest first; unset = `secret.key` in the data directory.
    secret_key: str | None = field(default_factory=lambda: os.environ.get("CLOUDINV_SECRET_KEY") or None, repr=False)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)
