"""Real `cloudinv` processes (workers, schedulers, servers) for the distributed tests: each in a session of its
own, so that a test can kill one with its children, logging to a file, all killed at the end of the test."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CLOUDINV = str(Path(sys.executable).with_name("cloudinv"))
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}):\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} did not log {text!r}:\n{self.log()[-3000:]}")
            time.sleep(0.05)

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        """The process and every child it started (a worker's pool)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, then SIGKILL after `timeout`; the exit code."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill_group()
        self.kill_group()  # what a killed parent left behind
        return self.popen.wait(10)


class Processes:
    def __init__(self, env: Mapping[str, str], log_dir: Path) -> None:
        self.env = dict(env)
        self.log_dir = log_dir
        self.started: list[Proc] = []

    def start(self, name: str, *args: str, env: Mapping[str, str] | None = None, python: bool = False) -> Proc:
        """`cloudinv ARGS`, or with `python`, `python ARGS` (run from the project root, for test scripts)."""
        log_path = self.log_dir / f"{name}-{len(self.started)}.log"
        command = [sys.executable, *args] if python else [CLOUDINV, *args]
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                command, env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, cwd=ROOT,
            )  # fmt: skip
        proc = Proc(name, popen, log_path)
        self.started.append(proc)
        return proc

    def worker(self, concurrency: int = 1, wait: bool = True, env: Mapping[str, str] | None = None) -> Proc:
        proc = self.start("worker", "worker", "--concurrency", str(concurrency), env=env)
        if wait:
            proc.wait_for_log(" ready.")
        return proc

    def scheduler(self, env: Mapping[str, str] | None = None) -> Proc:
        proc = self.start("scheduler", "scheduler", env=env)
        proc.wait_for_log("cloudinv scheduler running")
        return proc

    def close(self) -> None:
        for proc in self.started:
            proc.kill_group()
        for proc in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(10)
