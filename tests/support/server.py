"""A real `cloudinv serve` process on free ports, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

CLOUDINV = str(Path(sys.executable).with_name("cloudinv"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cloudinv(*args: str, data_dir: Path) -> str:
    """Run a `cloudinv` command; its stdout."""
    env = {**os.environ, "CLOUDINV_DATA_DIR": str(data_dir)}
    env.pop("CLOUDINV_DATABASE_URL", None)
    return subprocess.run([CLOUDINV, *args], env=env, check=True, capture_output=True, text=True).stdout


@dataclass
class Server:
    process: subprocess.Popen[str]
    rest_url: str
    grpc_address: str
    data_dir: Path

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and everything it logged."""
        self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=30)
        return self.process.returncode, output


@contextmanager
def running_server(data_dir: Path, *extra: str) -> Iterator[Server]:
    rest_port, grpc_port = free_port(), free_port()
    # `serve --demo` logs the CLI in: into the test's directory, never the user's own profile.
    env = {**os.environ, "CLOUDINV_DATA_DIR": str(data_dir), "CLOUDINV_CONFIG": str(data_dir / "profile.json")}
    env.pop("CLOUDINV_DATABASE_URL", None)
    process = subprocess.Popen(
        [CLOUDINV, "serve", "--rest-port", str(rest_port), "--grpc-port", str(grpc_port), *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    server = Server(process, f"http://127.0.0.1:{rest_port}", f"127.0.0.1:{grpc_port}", data_dir)
    try:
        _wait_ready(server)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def _wait_ready(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"cloudinv serve exited: {server.process.communicate()[0]}")
        try:
            httpx.post(f"{server.rest_url}/inventory-v2/v1/job/list", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError("cloudinv serve did not start")
