"""The CLI's REST client against a stub transport, its stored profile, and the watch display's summary."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest

from cloudinv.cli.client import ApiError, Client
from cloudinv.cli.profile import Profile, ProfileError, load_profile, profile_path, save_profile
from cloudinv.cli.watching import summary

PROFILE = Profile(url="http://cloudinv.test", token="t0ken", domain_id="domain-a")


def client_answering(handler: httpx.MockTransport) -> Client:
    return Client(PROFILE, transport=handler)


def test_calls_carry_the_token_and_domain_and_errors_are_one_line() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/get"):
            detail = {"code": "ERROR_NOT_FOUND", "message": "Resource cannot be found. (job_id = x)"}
            return httpx.Response(404, json={"detail": detail})
        if request.url.path.startswith("/inventory-v2/v1/asset/"):
            detail = {"code": "ERROR_NOT_FOUND", "message": "Resource cannot be found. (path = unknown route)"}
            return httpx.Response(404, json={"detail": detail})
        if request.url.path.endswith("/stat"):
            return httpx.Response(502, text="Bad Gateway")
        return httpx.Response(200, json={"results": [], "total_count": 0})

    with client_answering(httpx.MockTransport(handle)) as client:
        assert client.call("/inventory-v2/v1/job/list", {"query": {}}) == {"results": [], "total_count": 0}
        with pytest.raises(ApiError) as missing:
            client.call("/inventory-v2/v1/job/get", {"job_id": "x"})
        with pytest.raises(ApiError) as unserved:
            client.call("/inventory-v2/v1/asset/list")
        with pytest.raises(ApiError) as gateway:
            client.call("/inventory-v2/v1/job/stat")
    assert str(missing.value) == "ERROR_NOT_FOUND: Resource cannot be found. (job_id = x)"
    assert str(unserved.value) == "ERROR_NOT_FOUND: the server does not serve POST /inventory-v2/v1/asset/list"
    assert str(gateway.value) == "HTTP_502: Bad Gateway"
    assert seen[0].headers["authorization"] == "Bearer t0ken" and seen[0].headers["x-domain-id"] == "domain-a"
    assert json.loads(seen[0].content) == {"query": {}}


def test_watch_reads_server_sent_events_until_the_stream_ends() -> None:
    events = 'data: {"job_id": "job-1", "status": "IN_PROGRESS"}\n\ndata: {"job_id": "job-1", "status": "SUCCESS"}\n\n'

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=events, headers={"content-type": "text/event-stream"})

    with client_answering(httpx.MockTransport(handle)) as client:
        snapshots = list(client.stream("/cloudinv/v1/job/watch", {"job_id": "job-1"}))
    assert [s["status"] for s in snapshots] == ["IN_PROGRESS", "SUCCESS"]


def test_an_error_event_ends_the_watch_with_its_code() -> None:
    events = 'data: {"status": "IN_PROGRESS"}\n\nevent: error\ndata: {"code": "ERROR_NOT_FOUND", "message": "gone"}\n\n'

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=events)

    with (
        client_answering(httpx.MockTransport(handle)) as client,
        pytest.raises(ApiError, match="ERROR_NOT_FOUND: gone"),
    ):
        list(client.stream("/cloudinv/v1/job/watch", {"job_id": "job-1"}))


def test_an_unreachable_server_is_a_readable_error() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with client_answering(httpx.MockTransport(handle)) as client, pytest.raises(ApiError) as error:
        client.call("/inventory-v2/v1/job/list")
    assert str(error.value) == "ERROR_UNREACHABLE: cannot reach http://cloudinv.test: connection refused"


def test_the_profile_is_private_and_environment_overrides_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLOUDINV_URL", "CLOUDINV_TOKEN", "CLOUDINV_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = profile_path()
    assert path == tmp_path / "xdg" / "cloudinv" / "profile.json"
    with pytest.raises(ProfileError, match="cloudinv login"):
        load_profile()
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    path.chmod(0o644)
    save_profile(Profile(url="http://a:1", token="secret"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # an existing file is made private too
    assert load_profile() == Profile(url="http://a:1", token="secret")
    monkeypatch.setenv("CLOUDINV_URL", "http://b:2/")
    monkeypatch.setenv("CLOUDINV_TOKEN", "other")
    assert load_profile() == Profile(url="http://b:2", token="other")
    monkeypatch.setenv("CLOUDINV_CONFIG", str(tmp_path / "elsewhere.json"))
    assert profile_path() == tmp_path / "elsewhere.json"


def test_a_new_profile_directory_is_private(tmp_path: Path) -> None:
    path = save_profile(PROFILE, tmp_path / "new" / "profile.json")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text()) == {"url": "http://cloudinv.test", "token": "t0ken", "domain_id": "domain-a"}


def test_summary_line() -> None:
    job = {"job_id": "job-1", "status": "FAILURE", "total_tasks": 2, "success_tasks": 1, "failure_tasks": 1,
           "tasks": [{"created_count": 5, "updated_count": 2, "failure_count": 0},
                     {"created_count": 0, "updated_count": 0, "failure_count": 3}]}  # fmt: skip
    assert summary(job) == "job-1 FAILURE: 1 of 2 task(s) succeeded, 1 failed; 7 resources, 3 failures"
