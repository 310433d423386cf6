"""Settings: command-line options over `CLOUDINV_*` environment variables over defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cloudinv.store.engine import sqlite_url


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

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)
