"""Helpers for collection tests: create secrets and collectors through the services, run pending work."""

from __future__ import annotations

from typing import Any

from cloudinv.app import Application
from cloudinv.domain.auth import Role, Scope

ADMIN = Scope("domain-a", Role.DOMAIN_ADMIN, subject="tester")


def synthetic_secret(application: Application, account: str = "acct-1", scope: Scope = ADMIN, **extra: Any) -> str:
    request = {"name": f"secret {account}", "schema_id": "synthetic", "data": {"account": account},
               "resource_group": "DOMAIN", **extra}  # fmt: skip
    return str(application.secrets.create(scope, request)["secret_id"])


def synthetic_collector(application: Application, scope: Scope = ADMIN, **options: Any) -> str:
    request = {
        "name": "synthetic",
        "plugin_info": {"plugin_id": "synthetic", "options": {"resources_per_task": 5, **options}},
        "provider": "synthetic",
        "resource_group": "DOMAIN",
    }
    return str(application.collectors.create(scope, request)["collector_id"])


def drain(application: Application, limit: int = 10_000) -> int:
    """Run pending sub-tasks on this thread until none is left; how many ran."""
    ran = 0
    while ran < limit and application.runner.run_next("test-worker"):
        ran += 1
    return ran


def job(application: Application, job_id: str, scope: Scope = ADMIN) -> dict[str, Any]:
    return application.jobs.get(scope, {"job_id": job_id})


def tasks(application: Application, job_id: str, scope: Scope = ADMIN) -> list[dict[str, Any]]:
    return application.job_tasks.list(scope, {"job_id": job_id}).rows
