"""The `cloudinv` client commands as a user runs them: real processes against a real `cloudinv serve --demo`."""

from __future__ import annotations

import csv
import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.cli import Cli
from tests.support.server import Server, running_server

pytestmark = pytest.mark.e2e

MISSING_JOB = "job-000000000000"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("cli-server"), "--demo") as running:
        yield running


@pytest.fixture(scope="module")
def cli(server: Server) -> Cli:
    """Logged in by `serve --demo` itself: it wrote the profile (running_server points CLOUDINV_CONFIG at it)."""
    profile = server.data_dir / "profile.json"
    assert json.loads(profile.read_text())["url"] == server.rest_url
    assert stat.S_IMODE(profile.stat().st_mode) == 0o600
    return Cli(profile)


@pytest.fixture(scope="module")
def demo_jobs(cli: Cli) -> list[dict[str, object]]:
    """The demo's two jobs, once finished (`jobs watch` follows each to its end)."""
    jobs = cli.ok("jobs", "list", "-o", "json").json()["results"]
    for job in jobs:
        cli.ok("jobs", "watch", str(job["job_id"]))
    return list(cli.ok("jobs", "list", "-o", "json").json()["results"])


def test_list_in_every_output_format(cli: Cli, demo_jobs: list[dict[str, object]]) -> None:
    ids = {job["job_id"] for job in demo_jobs}
    assert len(ids) == 2
    table = cli.ok("jobs", "list").stdout
    assert all(str(job_id) in table for job_id in ids) and "SUCCESS" in table and "2 of 2 jobs" in table
    rows = list(csv.DictReader(io.StringIO(cli.ok("jobs", "list", "-o", "csv").stdout)))
    assert {row["job_id"] for row in rows} == ids
    assert {row["status"] for row in rows} == {"SUCCESS"} and rows[0]["total_tasks"] == "1"
    assert {job["job_id"] for job in yaml.safe_load(cli.ok("jobs", "list", "-o", "yaml").stdout)["results"]} == ids


def test_filters_compile_to_the_query_language(cli: Cli, demo_jobs: list[dict[str, object]]) -> None:
    def ids(*filters: str) -> set[object]:
        args = [arg for f in filters for arg in ("-f", f)]
        return {job["job_id"] for job in cli.ok("jobs", "list", *args, "-o", "json").json()["results"]}

    synthetic = next(job for job in demo_jobs if job["plugin_id"] == "synthetic")
    assert ids("status=SUCCESS", "created_at>=2020-01-01") == {job["job_id"] for job in demo_jobs}
    assert ids("status!=SUCCESS") == set()
    assert ids("status=FAILURE,CANCELED") == set()
    assert ids("plugin_id=synthetic", "total_tasks>=1", "created_at>now-1d") == {synthetic["job_id"]}
    assert ids(f"job_id~{str(synthetic['job_id'])[-6:].upper()}") == {synthetic["job_id"]}


def test_query_file_with_filters_sort_and_paging(cli: Cli, demo_jobs: list[dict[str, object]], tmp_path: Path) -> None:
    query = tmp_path / "query.yaml"
    query.write_text("filter:\n  - {k: status, v: SUCCESS, o: eq}\n")
    answer = cli.ok("jobs", "list", "--query", str(query), "-f", "plugin_id!=nothing", "--sort", "plugin_id",
                    "-n", "1", "--page", "2", "-o", "json").json()  # fmt: skip
    assert answer["total_count"] == 2
    assert [job["plugin_id"] for job in answer["results"]] == ["synthetic"]  # host, synthetic: the second page


def test_get_analyze_stat(cli: Cli, demo_jobs: list[dict[str, object]]) -> None:
    job_id = str(demo_jobs[0]["job_id"])
    assert cli.ok("jobs", "get", job_id, "-o", "json").json()["job_id"] == job_id
    assert job_id in cli.ok("jobs", "get", job_id).stdout
    groups = cli.ok("jobs", "analyze", "-g", "status", "-o", "json").json()
    assert groups == {"results": [{"status": "SUCCESS", "count": 2}], "more": False}
    assert cli.ok("jobs", "stat", "--distinct", "status", "-o", "json").json() == {"results": ["SUCCESS"]}
    assert "SUCCESS" in cli.ok("jobs", "stat", "--distinct", "status").stdout


def test_errors_are_one_line_and_exit_non_zero(cli: Cli, tmp_path: Path) -> None:
    missing = cli("jobs", "get", MISSING_JOB)
    assert missing.code == 1 and missing.stdout == ""
    assert missing.stderr == (
        f"error: ERROR_NOT_FOUND: Resource cannot be found or access is denied. (job_id = {MISSING_JOB})\n"
    )
    bad_key = cli("jobs", "list", "-f", "no_such_field=1")
    assert bad_key.code == 1 and bad_key.stderr.startswith("error: ERROR_INVALID_PARAMETER: ")
    bad_filter = cli("jobs", "list", "-f", "=oops")
    assert bad_filter.code == 1 and "cannot read the filter" in bad_filter.stderr
    no_stat = cli("jobs", "stat")
    assert no_stat.code == 1 and "needs --distinct" in no_stat.stderr
    nowhere = cli("jobs", "list", CLOUDINV_URL="http://127.0.0.1:9", CLOUDINV_TOKEN="x")
    assert nowhere.code == 1 and nowhere.stderr.startswith("error: ERROR_UNREACHABLE: cannot reach http://127.0.0.1:9")
    for result in (missing, bad_key, bad_filter, no_stat, nowhere):
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    no_profile = Cli(tmp_path / "none.json")("jobs", "list")
    assert no_profile.code == 1 and "cloudinv login --url URL --token TOKEN" in no_profile.stderr


def test_login_checks_the_token_and_keeps_the_profile_private(cli: Cli, server: Server, tmp_path: Path) -> None:
    token = json.loads(cli.config.read_text())["token"]
    other = Cli(tmp_path / "config" / "profile.json")
    refused = other("login", "--url", server.rest_url, "--token", "not-a-token")
    assert (
        refused.code == 1 and "ERROR_AUTHENTICATE_FAILURE" in refused.stderr and "nothing was saved" in refused.stderr
    )
    assert not other.config.exists()
    assert "logged in" in other.ok("login", "--url", server.rest_url + "/", "--token", token).stdout
    assert stat.S_IMODE(other.config.stat().st_mode) == 0o600
    assert json.loads(other.config.read_text()) == {"url": server.rest_url, "token": token}
    assert other.ok("jobs", "list", "-o", "json").json()["total_count"] >= 2


def test_collectors_secrets_and_watch_exit_codes(cli: Cli) -> None:
    secret = cli.ok("secrets", "create", "--name", "cli secret", "--schema-id", "synthetic",
                    "--data", '{"account": "cli-account"}', "-o", "json").json()  # fmt: skip
    assert "cli secret" in cli.ok("secrets", "list").stdout
    good = cli.ok("collectors", "create", "--name", "cli good", "--plugin-id", "synthetic", "--provider", "synthetic",
                  "--options", '{"resources_per_task": 50, "sub_tasks": 2}', "-o", "json").json()  # fmt: skip
    bad = cli.ok("collectors", "create", "--name", "cli bad", "--plugin-id", "synthetic", "--provider", "synthetic",
                 "--options", '{"failure_rate": 1.0}', "-o", "json").json()  # fmt: skip
    renamed = cli.ok("collectors", "update", good["collector_id"], "--name", "cli good 2", "--schedule-hours", "3,4",
                     "-o", "json").json()  # fmt: skip
    assert renamed["name"] == "cli good 2" and renamed["schedule"] == {"state": "ENABLED", "hours": [3, 4]}

    succeeded = cli("collectors", "collect", good["collector_id"], "--secret-id", secret["secret_id"], "--watch")
    assert succeeded.code == 0, succeeded.stderr
    assert " SUCCESS: 1 of 1 task(s) succeeded, 0 failed; 50 resources, 0 failures" in succeeded.stdout
    failed = cli("collectors", "collect", bad["collector_id"], "--secret-id", secret["secret_id"], "-w")
    assert failed.code == 3
    assert " FAILURE: " in failed.stdout and "FAILURE" in failed.stderr  # the progress lines, then the summary

    job_id = failed.stdout.split()[0]
    [task] = cli.ok("job-tasks", "list", "-f", f"job_id={job_id}", "-o", "json").json()["results"]
    assert task["status"] == "FAILURE" and task["failure_count"] > 0
    detail = cli.ok("job-tasks", "get", task["job_task_id"], "--detail", "-o", "json").json()
    assert {e["error_code"] for e in detail["failure_info"]["errors"]} == {"ERROR_PLUGIN"}

    assert cli.ok("collectors", "delete", bad["collector_id"]).stdout.strip() == f"deleted {bad['collector_id']}"
    assert cli("collectors", "get", bad["collector_id"]).code == 1
    assert cli.ok("secrets", "delete", secret["secret_id"]).stdout.strip() == f"deleted {secret['secret_id']}"


def test_delete_a_job(cli: Cli) -> None:
    collector = cli.ok("collectors", "list", "-f", "name=synthetic cloud", "-o", "json").json()["results"][0]
    job = cli.ok("collectors", "collect", collector["collector_id"], "-o", "json").json()
    cli.ok("jobs", "watch", job["job_id"])
    assert cli.ok("jobs", "delete", job["job_id"]).stdout.strip() == f"deleted {job['job_id']}"
    assert cli("jobs", "get", job["job_id"]).code == 1


def test_assets_list_or_a_readable_error(cli: Cli) -> None:
    """The Asset API arrives separately: until a server serves it, the command says so in one line."""
    result = cli("assets", "list", "-n", "5", "-o", "json")
    if result.code == 0:
        assert "results" in result.json()
    else:
        assert result.stderr == "error: ERROR_NOT_FOUND: the server does not serve POST /inventory-v2/v1/asset/list\n"
