"""The CLI's stored profile: which server to talk to and with which token.

One JSON file, `$CLOUDINV_CONFIG` or `~/.config/cloudinv/profile.json` (`$XDG_CONFIG_HOME` when set), readable by
its owner only since it holds a token. `CLOUDINV_URL` and `CLOUDINV_TOKEN` override what it says (scripts, CI).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


class ProfileError(Exception):
    """No usable profile; the message says how to make one."""


@dataclass(frozen=True)
class Profile:
    url: str
    token: str
    domain_id: str | None = None  # sent as X-Domain-Id: a SYSTEM token acts in that domain


def profile_path() -> Path:
    explicit = os.environ.get("CLOUDINV_CONFIG")
    if explicit:
        return Path(explicit)
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "cloudinv" / "profile.json"


def save_profile(profile: Profile, path: Path | None = None) -> Path:
    """Write the profile with mode 0600 (its directory 0700 when created); the path written."""
    path = path or profile_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Created with 0600 from the start, so the token is never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump({k: v for k, v in asdict(profile).items() if v is not None}, file, indent=2)
        file.write("\n")
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_TRUNC
    return path


def _stored(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ProfileError(f"cannot read the profile {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"the profile {path} is not a JSON object")
    return {k: str(v) for k, v in data.items() if v is not None}


def load_profile(path: Path | None = None) -> Profile:
    path = path or profile_path()
    stored = _stored(path)
    url = os.environ.get("CLOUDINV_URL") or stored.get("url")
    token = os.environ.get("CLOUDINV_TOKEN") or stored.get("token")
    if not url or not token:
        raise ProfileError(
            f"no server configured ({path} is missing or incomplete): "
            "run `cloudinv login --url URL --token TOKEN` (or `cloudinv serve --demo`)"
        )
    return Profile(url=url.rstrip("/"), token=token, domain_id=stored.get("domain_id"))
