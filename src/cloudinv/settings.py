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

    # Distributed mode (README "Running at scale"): a broker URL switches dispatch from the embedded pool to Celery.
    broker_url: str | None = field(default_factory=lambda: os.environ.get("CLOUDINV_BROKER_URL") or None, repr=False)
    broker_queue: str = field(default_factory=lambda: os.environ.get("CLOUDINV_BROKER_QUEUE") or "cloudinv")
    # Unset: job timeout + task timeout, longer than any sub-task can legitimately run.
    broker_visibility_timeout: float = field(
        default_factory=lambda: _env_float("CLOUDINV_BROKER_VISIBILITY_TIMEOUT", 0)
    )
    heartbeat_interval: float = field(default_factory=lambda: _env_float("CLOUDINV_HEARTBEAT_INTERVAL", 1))
    stale_after: float = field(default_factory=lambda: _env_float("CLOUDINV_STALE_AFTER", 60))
    max_attempts: int = field(default_factory=lambda: _env_int("CLOUDINV_MAX_ATTEMPTS", 3))
    relay_interval: float = field(default_factory=lambda: _env_float("CLOUDINV_RELAY_INTERVAL", 2))
    redispatch_after: float = field(default_factory=lambda: _env_float("CLOUDINV_REDISPATCH_AFTER", 300))
    health_interval: float = field(default_factory=lambda: _env_float("CLOUDINV_HEALTH_INTERVAL", 2))

    def __post_init__(self) -> None:
        # A live worker beats every heartbeat_interval; a takeover threshold close to it would take over live
        # work (harmless, as attempts are fenced, but wasteful).
        if self.stale_after < 3 * self.heartbeat_interval:
            raise SystemExit("CLOUDINV_STALE_AFTER must be at least 3 x CLOUDINV_HEARTBEAT_INTERVAL")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)

    @property
    def visibility_timeout(self) -> float:
        return self.broker_visibility_timeout or self.job_timeout + self.task_timeout
