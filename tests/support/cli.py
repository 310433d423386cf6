"""Run the real `cloudinv` command-line client against a server, with a profile of the test's own."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.server import CLOUDINV


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Cli:
    config: Path  # the profile file (CLOUDINV_CONFIG)

    def __call__(self, *args: str, timeout: float = 120, **env: str) -> Result:
        environ = {**os.environ, "CLOUDINV_CONFIG": str(self.config), "COLUMNS": "200", **env}
        for name in ("CLOUDINV_URL", "CLOUDINV_TOKEN"):
            if name not in env:
                environ.pop(name, None)
        done = subprocess.run(
            [CLOUDINV, *args], env=environ, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str, **env: str) -> Result:
        result = self(*args, **env)
        assert result.code == 0, f"cloudinv {' '.join(args)} exited {result.code}: {result.stderr}"
        return result
