"""Items/s of the synthetic plugin's collect stream, in-process and over gRPC on localhost, and their ratio.

The gRPC server is a separate process (`cloudinv plugin serve synthetic`), as a plugin container would be,
so the two sides do not share a GIL. Each figure is the best of --repeats runs, to damp other load.

    .venv/bin/python bench/plugin_stream.py [--items 100000] [--resource-size 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cloudinv.plugins.builtin.synthetic import SyntheticPlugin
from cloudinv.plugins.grpc_client import GrpcPlugin
from cloudinv.plugins.protocol import CollectorPlugin

SECRET = {"account": "bench"}
# The plugin CLI module alone: `cloudinv plugin serve` without loading the whole application.
SERVE = "import sys; from cloudinv.cli.plugin import plugin_cli; sys.argv[0] = 'cloudinv-plugin'; plugin_cli()"


def items_per_second(plugin: CollectorPlugin, options: dict[str, Any], repeats: int) -> float:
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        count = sum(1 for _ in plugin.collect(options, SECRET, {}))
        best = max(best, count / (time.perf_counter() - started))
    return best


@contextmanager
def served_synthetic() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "synthetic", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "serving on" not in line:
            raise RuntimeError(f"plugin server did not start: {line!r}")
        yield "grpc://" + line.split()[-1]
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(label: str, run: Callable[[], float], items: int) -> float:
    rate = run()
    print(f"{label:<28} {rate:>12,.0f} items/s   ({items / rate:6.2f} s for {items:,})")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--resource-size", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    options = {"resources_per_task": args.items, "resource_size": args.resource_size}

    print(f"synthetic plugin, {args.items:,} items of ~{args.resource_size} bytes of data, best of {args.repeats}")
    local = measure("in-process", lambda: items_per_second(SyntheticPlugin(), options, args.repeats), args.items)
    with served_synthetic() as address:
        remote_plugin = GrpcPlugin(address)
        remote = measure(
            "gRPC (localhost, 2 procs)", lambda: items_per_second(remote_plugin, options, args.repeats), args.items
        )
        remote_plugin.close()
    print(f"ratio in-process / gRPC: {local / remote:.1f}x")


if __name__ == "__main__":
    main()
