"""`make run`'s demo: a domain with a few days of job history, and an admin token to look at it with."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import typer

from cloudinv.app import Application
from cloudinv.domain.auth import Role
from cloudinv.domain.clock import utcnow
from cloudinv.domain.job import ALL_WORKSPACES, JobStatus, ResourceGroup
from cloudinv.store.jobs import JobRepository

DEMO_DOMAIN = "domain-demo00000001"
DEMO_WORKSPACE = "workspace-demo00000001"
_COLLECTORS = ("collector-0a1b2c3d4e5f", "collector-6a7b8c9d0e1f")


def demo_jobs(count: int = 40, seed: int = 7) -> list[dict[str, Any]]:
    """Jobs of the last five days, one every three hours, mostly successful: deterministic for a seed."""
    rng = random.Random(seed)
    now = utcnow()
    rows = []
    for index in range(count):
        created = now - timedelta(hours=3 * index, minutes=rng.randint(0, 59))
        total = rng.randint(1, 5)
        failed = 1 if rng.random() < 0.2 else 0
        running = index == 0
        status = JobStatus.IN_PROGRESS if running else (JobStatus.FAILURE if failed else JobStatus.SUCCESS)
        success = 0 if running else total - failed
        failure = 0 if running else failed
        workspace = DEMO_WORKSPACE if index % 2 else ALL_WORKSPACES
        rows.append({
            "job_id": f"job-{rng.getrandbits(48):012x}",
            "status": status.value,
            "total_tasks": total,
            "remained_tasks": total - success - failure,
            "success_tasks": success,
            "failure_tasks": failure,
            "request_secret_id": None,
            "request_workspace_id": workspace if workspace != ALL_WORKSPACES else None,
            "resource_group": (ResourceGroup.WORKSPACE if index % 2 else ResourceGroup.DOMAIN).value,
            "domain_id": DEMO_DOMAIN,
            "workspace_id": workspace,
            "collector_id": _COLLECTORS[index % 2],
            "plugin_id": "host",
            "created_at": created,
            "updated_at": created + timedelta(seconds=rng.randint(5, 300)),
            "finished_at": None if running else created + timedelta(seconds=rng.randint(5, 300)),
        })  # fmt: skip
    return rows


def prepare_demo(application: Application, host: str, rest_port: int, grpc_port: int) -> None:
    JobRepository(application.database).upsert_many(demo_jobs())
    token = application.tokens.issue(DEMO_DOMAIN, Role.DOMAIN_ADMIN)
    typer.echo(
        f"\ncloudinv demo: domain {DEMO_DOMAIN} has 40 jobs.\n"
        f"  REST  http://{host}:{rest_port}/inventory-v2/v1/job/list\n"
        f"  gRPC  {host}:{grpc_port}  (service spaceone.api.inventory_v2.v1.Job)\n"
        f"  admin token:\n{token}\n\n"
        f"  try: curl -s -X POST http://{host}:{rest_port}/inventory-v2/v1/job/list \\\n"
        f"         -H 'Authorization: Bearer {token[:12]}...' -d '{{}}'\n"
    )
