"""Resource ids: `<prefix>-` + 12 lowercase hex characters."""

from __future__ import annotations

import re
import secrets

_ID_RE = re.compile(r"^[a-z_]+-[0-9a-f]{12}$")


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def new_ids(prefix: str, count: int) -> list[str]:
    """`count` new ids, drawing the randomness for all of them at once (ingestion creates thousands a batch)."""
    text = secrets.token_hex(6 * count)
    return [f"{prefix}-{text[i : i + 12]}" for i in range(0, 12 * count, 12)]


def is_valid_id(value: str, prefix: str) -> bool:
    return value.startswith(prefix + "-") and bool(_ID_RE.match(value))
