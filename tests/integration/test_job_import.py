"""`cloudinv jobs import`: all or nothing, idempotent by job_id, errors with line and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cloudinv.domain.auth import Role, Scope
from cloudinv.services.job_import import ImportFailure, import_jobs
from cloudinv.store.jobs import JobRepository

ADMIN = Scope("domain-58010aa2e451", Role.DOMAIN_ADMIN)

# The seed document's list example, JSON typos fixed and counters made consistent.
SEED_RECORDS = [
    {"job_id": "job-3b124006c2d2", "status": "SUCCESS", "total_tasks": 2, "success_tasks": 2,
     "resource_group": "DOMAIN", "domain_id": "domain-58010aa2e451", "created_at": "2022-06-17T08:00:01.225Z",
     "updated_at": "2022-06-17T08:00:01.225Z", "finished_at": "2022-06-17T08:00:15.197Z"},
    {"job_id": "job-587a3d3b4db3", "status": "FAILURE", "total_tasks": 3, "success_tasks": 2, "failure_tasks": 1,
     "resource_group": "DOMAIN", "domain_id": "domain-58010aa2e451", "created_at": "2022-06-17T08:00:00.407Z",
     "updated_at": "2022-06-17T08:05:00.407Z", "finished_at": "2022-06-17T08:10:00.407Z"},
]  # fmt: skip


def _lines(*records: Any) -> list[str]:
    return [json.dumps(r) if not isinstance(r, str) else r for r in records]


def test_import_then_reimport_is_idempotent(application: Any) -> None:
    repo = JobRepository(application.database)
    assert import_jobs(repo, _lines(*SEED_RECORDS)) == 2
    assert import_jobs(repo, _lines(*SEED_RECORDS)) == 2
    result = application.jobs.list(ADMIN, {})
    assert result.total_count == 2
    job = application.jobs.get(ADMIN, {"job_id": "job-587a3d3b4db3"})
    assert (job["status"], job["remained_tasks"], job["workspace_id"]) == ("FAILURE", 0, "*")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("{not json", "line"),
        ({**SEED_RECORDS[0], "job_id": "job-XYZ"}, "job_id"),
        ({**SEED_RECORDS[0], "status": "DONE"}, "record"),
        ({**SEED_RECORDS[0], "status": "NONE"}, "status"),
        ({**SEED_RECORDS[0], "created_at": "yesterday"}, "created_at"),
        ({**SEED_RECORDS[0], "domain_id": ""}, "domain_id"),
        ({**SEED_RECORDS[0], "remained_tasks": 1}, "remained_tasks"),
        ({**SEED_RECORDS[0], "colour": "red"}, "record"),
    ],
)
def test_invalid_line_imports_nothing(application: Any, bad: Any, field: str) -> None:
    repo = JobRepository(application.database)
    with pytest.raises(ImportFailure) as failure:
        import_jobs(repo, _lines(SEED_RECORDS[1], bad))
    assert failure.value.line == 2
    assert failure.value.field == field
    assert application.jobs.list(ADMIN, {}).total_count == 0


def test_cli_import_reports_line_and_field(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cloudinv.cli.main import cli

    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(_lines(*SEED_RECORDS)) + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(_lines(SEED_RECORDS[0], {**SEED_RECORDS[1], "finished_at": "soon"})) + "\n")
    runner = CliRunner()
    data_dir = str(tmp_path / "data")
    result = runner.invoke(cli, ["jobs", "import", str(bad), "--data-dir", data_dir])
    assert result.exit_code == 1
    assert "line 2: finished_at" in result.output
    assert "nothing was imported" in result.output
    result = runner.invoke(cli, ["jobs", "import", str(good), "--data-dir", data_dir])
    assert result.exit_code == 0, result.output
    assert "imported 2 jobs" in result.output
