"""The real `spacectl` (the reference's command-line client) against a real `cloudinv serve`.

spacectl needs protobuf 3, so it lives in its own virtualenv: `make spacectl` builds `.spacectl-venv/`
(`make test` does it first). Set SPACECTL to use another spacectl. Without one the module is skipped,
except under CI=true, where it fails: this suite must run there.

spacectl exits 0 even on errors and prints `ERROR: <message>` on stdout, so every assertion reads its
output; data comes from `-o json` and is compared with the imported fixture jobs.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import Server, cloudinv, running_server

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"
COMMAND_DEADLINE_S = 120  # a hung client is a failure, not a hung suite

DOMAIN = "domain-a"
OTHER_DOMAIN = "domain-b"
# Recent jobs: the server purges jobs older than its retention period and fails IN_PROGRESS ones older than
# its job timeout (job-api.md section 5), so fixtures dated in the past would vanish or change under it.
_NOW = datetime.now(UTC).replace(microsecond=0, tzinfo=None)


def _ago(minutes: float) -> str:
    return (_NOW - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


FIXTURE_JOBS: list[dict[str, Any]] = [
    {"job_id": "job-0000000000a1", "status": "SUCCESS", "domain_id": DOMAIN, "workspace_id": "ws-1",
     "collector_id": "collector-1", "plugin_id": "plugin-aws", "total_tasks": 3, "success_tasks": 3,
     "created_at": _ago(50), "finished_at": _ago(48)},
    {"job_id": "job-0000000000a2", "status": "FAILURE", "domain_id": DOMAIN, "workspace_id": "ws-1",
     "collector_id": "collector-1", "plugin_id": "plugin-aws", "total_tasks": 2, "success_tasks": 1,
     "failure_tasks": 1, "created_at": _ago(40), "finished_at": _ago(37)},
    {"job_id": "job-0000000000a3", "status": "SUCCESS", "domain_id": DOMAIN, "workspace_id": "ws-2",
     "collector_id": "collector-2", "plugin_id": "plugin-gcp", "total_tasks": 1, "success_tasks": 1,
     "created_at": _ago(30), "finished_at": _ago(29)},
    {"job_id": "job-0000000000a4", "status": "IN_PROGRESS", "domain_id": DOMAIN, "workspace_id": "*",
     "resource_group": "DOMAIN", "collector_id": "collector-3", "plugin_id": "plugin-azure",
     "total_tasks": 4, "success_tasks": 1, "created_at": _ago(20)},
    {"job_id": "job-0000000000a5", "status": "CANCELED", "domain_id": DOMAIN, "workspace_id": "ws-2",
     "collector_id": "collector-2", "plugin_id": "plugin-gcp", "created_at": _ago(10), "finished_at": _ago(9.5)},
]  # fmt: skip
MISSING_JOB_ID = "job-ffffffffffff"
# Fields compared with spacectl's JSON (proto3 output: unset strings and zero counters are left out).
_COMPARED = ("job_id", "status", "domain_id", "workspace_id", "collector_id", "plugin_id", "created_at",
             "finished_at", "total_tasks", "success_tasks", "failure_tasks")  # fmt: skip


def _not_found(job_id: str) -> str:
    return f"ERROR: Resource cannot be found or access is denied. (job_id = {job_id})"


def _expected(job: dict[str, Any]) -> dict[str, Any]:
    """What JobInfo shows for a fixture job over gRPC: proto3 leaves out empty strings and zeros."""
    expected = {name: job.get(name) for name in _COMPARED}
    expected["remained_tasks"] = job.get("total_tasks", 0) - job.get("success_tasks", 0) - job.get("failure_tasks", 0)
    return {name: value for name, value in expected.items() if value not in (None, 0, "")}


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in (*_COMPARED, "remained_tasks") if name in row}


def _newest_first(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(jobs, key=lambda job: (job["created_at"], job["job_id"]), reverse=True)


# --- the harness: spacectl, a served data directory, a configured spacectl per domain ----------------


def _spacectl_path() -> Path:
    explicit = os.environ.get("SPACECTL")
    path = Path(explicit) if explicit else REPO / ".spacectl-venv" / "bin" / "spacectl"
    if path.is_file() and os.access(path, os.X_OK):
        return path
    if explicit:
        pytest.fail(f"SPACECTL={explicit} is not an executable file")
    reason = f"spacectl is not installed at {path}: run `make spacectl` (or set SPACECTL=/path/to/spacectl)"
    if IN_CI:
        pytest.fail(f"CI=true needs spacectl: {reason}")
    pytest.skip(reason)


def _clean_env(**overrides: str) -> dict[str, str]:
    """The caller's environment without proxies (gRPC honours them, even for loopback) nor cloudinv settings."""
    dropped = ("http_proxy", "https_proxy", "grpc_proxy", "all_proxy")
    env = {
        key: value
        for key, value in os.environ.items()
        if key.lower() not in dropped and not key.startswith("CLOUDINV_")
    }
    env.update(overrides)
    return env


def _import_jobs(data_dir: Path, jobs: list[dict[str, Any]], path: Path) -> None:
    """`cloudinv jobs import` of these records, as JSON Lines."""
    path.write_text("".join(json.dumps(job) + "\n" for job in jobs), encoding="utf-8")
    assert f"imported {len(jobs)} jobs" in cloudinv("jobs", "import", str(path), data_dir=data_dir)


@pytest.fixture(scope="module")
def spacectl_bin() -> Path:
    return _spacectl_path()


@pytest.fixture(scope="module")
def server(spacectl_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`cloudinv serve` on SQLite in a temp data directory, with the fixture jobs imported first."""
    root = tmp_path_factory.mktemp("cloudinv-e2e")
    data_dir = root / "data"
    _import_jobs(data_dir, FIXTURE_JOBS, root / "fixture-jobs.jsonl")
    with running_server(data_dir) as served:
        yield served
        code, log = served.stop()
    assert code == 0, f"cloudinv serve exited {code} on SIGTERM:\n{log}"


class Spacectl:
    """spacectl with its own HOME (so its config never touches the user's), configured for one token."""

    def __init__(self, executable: Path, home: Path) -> None:
        self.executable = executable
        home.mkdir(parents=True, exist_ok=True)
        self.env = _clean_env(HOME=str(home), PYTHONWARNINGS="ignore", SPACECTL_DEBUG="false")

    def configure(self, token: str, grpc_address: str) -> None:
        self.run("config", "init", "-e", "local")
        self.run("config", "set", "api_key", token)
        out = self.run("config", "endpoint", "add", "inventory_v2", f"grpc://{grpc_address}")
        assert "ERROR" not in out, out

    def run(self, *args: str) -> str:
        """stdout of `spacectl ARGS`, which exits 0 even when the call failed."""
        completed = subprocess.run(
            [str(self.executable), *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_DEADLINE_S,
            check=False,
        )
        assert completed.returncode == 0, (
            f"spacectl {' '.join(args)} exited {completed.returncode}\n"
            f"stdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
        )
        return completed.stdout

    def json(self, *args: str) -> Any:
        """`-o json` output, parsed; spacectl prints an empty line for an empty message."""
        out = self.run(*args, "-o", "json")
        assert not out.lstrip().startswith("ERROR:"), f"spacectl {' '.join(args)}: {out}"
        return json.loads(out) if out.strip() else {}

    def error(self, *args: str) -> str:
        """The `ERROR: ...` line that spacectl prints (with exit status 0) for a failed call."""
        out = self.run(*args).strip()
        assert out.startswith("ERROR:"), f"spacectl {' '.join(args)} did not fail: {out}"
        return out


@pytest.fixture(scope="module")
def spacectl_for(
    spacectl_bin: Path, server: Server, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Spacectl]:
    """A configured spacectl per domain (a DOMAIN_ADMIN token each), made once and reused."""
    made: dict[str, Spacectl] = {}

    def get(domain_id: str) -> Spacectl:
        if domain_id not in made:
            client = Spacectl(spacectl_bin, tmp_path_factory.mktemp(f"home-{domain_id}"))
            token = cloudinv("token", "issue", "--domain-id", domain_id, "--role", "DOMAIN_ADMIN",
                             data_dir=server.data_dir).strip()  # fmt: skip
            client.configure(token, server.grpc_address)
            made[domain_id] = client
        return made[domain_id]

    return get


@pytest.fixture(scope="module")
def admin(spacectl_for: Callable[[str], Spacectl]) -> Spacectl:
    return spacectl_for(DOMAIN)


@pytest.fixture(scope="module")
def outsider(spacectl_for: Callable[[str], Spacectl]) -> Spacectl:
    return spacectl_for(OTHER_DOMAIN)


# --- the verbs -------------------------------------------------------------------------------------------


def test_list_table_shows_every_job_of_the_domain(admin: Spacectl) -> None:
    out = admin.run("list", "inventory_v2.Job")

    assert "ERROR" not in out, out
    header = out.splitlines()[0]
    assert "job_id" in header and "status" in header
    for job in FIXTURE_JOBS:
        assert job["job_id"] in out
    assert f"Count: {len(FIXTURE_JOBS)} / {len(FIXTURE_JOBS)}" in out


def test_list_json_is_the_fixture_newest_first(admin: Spacectl) -> None:
    data = admin.json("list", "inventory_v2.Job")

    assert data["total_count"] == len(FIXTURE_JOBS)
    assert [_shown(row) for row in data["results"]] == [_expected(j) for j in _newest_first(FIXTURE_JOBS)]


def test_get_returns_the_job(admin: Spacectl) -> None:
    job = FIXTURE_JOBS[1]

    data = admin.json("get", "inventory_v2.Job", "-p", f"job_id={job['job_id']}")

    assert _shown(data) == _expected(job)
    assert data["resource_group"] == "WORKSPACE"
    assert data["updated_at"] == job["created_at"]  # import defaults updated_at to created_at


def test_get_of_an_unknown_id_is_not_found(admin: Spacectl) -> None:
    assert admin.error("get", "inventory_v2.Job", "-p", f"job_id={MISSING_JOB_ID}") == _not_found(MISSING_JOB_ID)


def test_stat_distinct_status(admin: Spacectl) -> None:
    data = admin.json("stat", "inventory_v2.Job", "-j", json.dumps({"query": {"distinct": "status"}}))

    assert data == {"results": sorted({job["status"] for job in FIXTURE_JOBS})}


def test_analyze_counts_per_status(admin: Spacectl) -> None:
    query = {"query": {"group_by": ["status"], "fields": {"n": {"operator": "count"}}}}

    data = admin.json("analyze", "inventory_v2.Job", "-j", json.dumps(query))

    counts = Counter(job["status"] for job in FIXTURE_JOBS)
    # Struct numbers travel as doubles (spacectl prints 2.0); no sort means ascending group keys.
    assert data["results"] == [{"status": status, "n": float(counts[status])} for status in sorted(counts)]
    assert data["more"] is False


def test_exec_delete_removes_the_job(server: Server, admin: Spacectl, tmp_path: Path) -> None:
    # Its own job, so that the other tests see the fixture whatever the order.
    doomed = {"job_id": "job-0000000000d1", "status": "SUCCESS", "domain_id": DOMAIN,
              "workspace_id": "ws-1", "created_at": _ago(60)}  # fmt: skip
    _import_jobs(server.data_dir, [doomed], tmp_path / "doomed.jsonl")
    assert admin.json("get", "inventory_v2.Job", "-p", f"job_id={doomed['job_id']}")["job_id"] == doomed["job_id"]

    out = admin.run("exec", "delete", "inventory_v2.Job", "-p", f"job_id={doomed['job_id']}")

    assert "ERROR" not in out, out
    assert admin.error("get", "inventory_v2.Job", "-p", f"job_id={doomed['job_id']}") == _not_found(doomed["job_id"])
    assert doomed["job_id"] not in {row["job_id"] for row in admin.json("list", "inventory_v2.Job")["results"]}
    assert admin.error("exec", "delete", "inventory_v2.Job", "-p", f"job_id={doomed['job_id']}") == (
        _not_found(doomed["job_id"])
    )


# --- tenancy ---------------------------------------------------------------------------------------------


def test_another_domain_sees_no_jobs(outsider: Spacectl) -> None:
    assert outsider.run("list", "inventory_v2.Job").strip() == "NO DATA"
    # An empty JobsInfo is an empty proto3 message: spacectl prints nothing for it.
    listed = outsider.json("list", "inventory_v2.Job")
    assert listed.get("results", []) == [] and listed.get("total_count", 0) == 0
    stat = outsider.json("stat", "inventory_v2.Job", "-j", json.dumps({"query": {"distinct": "status"}}))
    assert stat.get("results", []) == []
    query = {"query": {"group_by": ["status"], "fields": {"n": {"operator": "count"}}}}
    analyzed = outsider.json("analyze", "inventory_v2.Job", "-j", json.dumps(query))
    assert analyzed.get("results", []) == []


def test_another_domain_gets_not_found_for_a_known_id(outsider: Spacectl, admin: Spacectl) -> None:
    known = FIXTURE_JOBS[0]["job_id"]

    # The same answer as for an id that does not exist at all: nothing leaks.
    assert outsider.error("get", "inventory_v2.Job", "-p", f"job_id={known}") == _not_found(known)
    assert outsider.error("exec", "delete", "inventory_v2.Job", "-p", f"job_id={known}") == _not_found(known)
    assert admin.json("get", "inventory_v2.Job", "-p", f"job_id={known}")["job_id"] == known
