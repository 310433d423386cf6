"""Benchmark: one synthetic sub-task of 1,000,000 resources in embedded mode, and the worker's peak memory.

The whole stream goes through the runner and the asset ingestor into SQLite in a temporary data directory;
the figure is this process's peak resident set (ru_maxrss), next to its resident set before the collect (the
baseline: the interpreter, the libraries and the application, before any resource exists).

    .venv/bin/python bench/ingest_memory.py [--resources 1000000]

Target: peak under 300 MB.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from cloudinv import app as composition
from cloudinv.domain.auth import Role, Scope
from cloudinv.settings import Settings

ADMIN = Scope("domain-bench", Role.DOMAIN_ADMIN, subject="bench")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        application = composition.build(Settings(data_dir=Path(data_dir), database_url=None, token_public_keys=()))
        application.secrets.create(ADMIN, {"name": "s", "schema_id": "synthetic", "data": {"account": "a"},
                                           "resource_group": "DOMAIN"})  # fmt: skip
        collector = application.collectors.create(
            ADMIN,
            {"name": "big", "provider": "synthetic", "resource_group": "DOMAIN",
             "plugin_info": {"plugin_id": "synthetic", "options": {"resources_per_task": args.resources}}},
        )  # fmt: skip
        before = rss_mb()
        started = application.collectors.collect(ADMIN, {"collector_id": collector["collector_id"]})
        begin = time.perf_counter()
        while application.runner.run_next("bench"):
            pass
        elapsed = time.perf_counter() - begin
        job = application.jobs.get(ADMIN, {"job_id": started["job_id"]})
        [task] = application.job_tasks.list(ADMIN, {"job_id": started["job_id"]}).rows
        application.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"one sub-task of {args.resources:,} synthetic resources, embedded (SQLite)")
    print(f"  job {job['status']}, created {task['created_count']:,}, failed {task['failure_count']:,}, "
          f"{elapsed:.0f} s ({args.resources / elapsed:,.0f}/s)")  # fmt: skip
    print(f"  resident set before the collect {before:6.0f} MB (baseline)")
    print(
        f"  peak resident set               {peak:6.0f} MB   (target < 300 MB; {peak - before:+.0f} MB over baseline)"
    )


if __name__ == "__main__":
    main()
