"""The secrets a collect runs with: selected by the secret service, decrypted for the plan's sub-tasks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudinv.collection.planner import SecretTarget
from cloudinv.services.secrets import SecretService


class StoredSecrets:
    def __init__(self, secrets: SecretService) -> None:
        self.secrets = secrets

    def targets(self, collector: Mapping[str, Any], secret_id: str | None) -> list[SecretTarget]:
        secret_filter = {**(collector.get("secret_filter") or {}), "state": collector.get("secret_filter_state")}
        rows = self.secrets.select_for_collector(
            collector["domain_id"],
            collector.get("provider") or "",
            secret_filter,
            collector["workspace_id"],
            collector["resource_group"],
            secret_id,
        )
        return [
            SecretTarget(
                secret_id=row["secret_id"],
                # get_tasks needs the data at planning time, as the reference's plugins expect
                data=self.secrets.get_data_for_worker(collector["domain_id"], row["secret_id"]),
                provider=row.get("provider"),
                workspace_id=row.get("workspace_id"),
                project_id=row.get("project_id"),
                service_account_id=row.get("service_account_id"),
            )
            for row in rows
        ]
