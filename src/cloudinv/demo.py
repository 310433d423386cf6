"""`make run`'s demo: a domain with a `host` collector scheduled hourly that has run once, a `synthetic`
collector with a secret, and an admin token to look at them with."""

from __future__ import annotations

from typing import Any

import typer

from cloudinv.app import Application
from cloudinv.cli.profile import Profile, save_profile
from cloudinv.domain.auth import Role, Scope

DEMO_DOMAIN = "domain-demo00000001"
_ADMIN = Scope(DEMO_DOMAIN, Role.DOMAIN_ADMIN, subject="demo")


def _existing(application: Application, name: str) -> dict[str, Any] | None:
    found = application.collectors.list(_ADMIN, {"name": name})
    return found.rows[0] if found.rows else None


def _ensure_collectors(application: Application) -> list[str]:
    """Create the demo collectors once; return their ids."""
    host = _existing(application, "this machine") or application.collectors.create(
        _ADMIN,
        {"name": "this machine", "plugin_info": {"plugin_id": "host"}, "provider": "host", "resource_group": "DOMAIN",
         "schedule": {"state": "ENABLED", "hours": list(range(24))}},
    )  # fmt: skip
    synthetic = _existing(application, "synthetic cloud")
    if synthetic is None:
        application.secrets.create(
            _ADMIN,
            {
                "name": "demo account",
                "schema_id": "synthetic",
                "data": {"account": "demo-account"},
                "resource_group": "DOMAIN",
            },
        )
        synthetic = application.collectors.create(
            _ADMIN,
            {"name": "synthetic cloud", "provider": "synthetic", "resource_group": "DOMAIN",
             "plugin_info": {"plugin_id": "synthetic", "options": {"resources_per_task": 200, "sub_tasks": 4}}},
        )  # fmt: skip
    return [str(host["collector_id"]), str(synthetic["collector_id"])]


def prepare_demo(application: Application, host: str, rest_port: int, grpc_port: int) -> None:
    jobs = [
        application.collectors.collect(_ADMIN, {"collector_id": cid})["job_id"]
        for cid in _ensure_collectors(application)
    ]
    token = application.tokens.issue(DEMO_DOMAIN, Role.DOMAIN_ADMIN)
    # The CLI is logged in to this server: `cloudinv jobs list` works at once.
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    profile = save_profile(Profile(url=f"http://{local}:{rest_port}", token=token))
    typer.echo(
        f"\ncloudinv demo: domain {DEMO_DOMAIN}; collecting now: {', '.join(jobs)}\n"
        f"  REST  http://{host}:{rest_port}/inventory-v2/v1/job/list\n"
        f"  gRPC  {host}:{grpc_port}  (service spaceone.api.inventory_v2.v1.Job)\n"
        f"  admin token:\n{token}\n\n"
        f"  web page: http://{local}:{rest_port}/  (log in with the token)\n"
        f"  CLI: logged in (profile {profile}); try: cloudinv jobs list\n\n"
        f"  try: curl -s -X POST http://{host}:{rest_port}/inventory-v2/v1/job/list \\\n"
        f"         -H 'Authorization: Bearer {token[:12]}...' -d '{{}}'\n"
    )
