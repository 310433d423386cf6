"""The extensions over the wire: cancel, and watch as a gRPC stream and as REST server-sent events."""

from __future__ import annotations

import json
import threading
from typing import Any

import grpc
from google.protobuf import json_format

from cloudinv.api.proto import job_control_pb2, job_control_pb2_grpc
from tests.support.collection import ADMIN, drain, synthetic_collector, synthetic_secret


def _started(application: Any) -> str:
    synthetic_secret(application)
    collector_id = synthetic_collector(application, resources_per_task=6, sub_tasks=3)
    return str(application.collectors.collect(ADMIN, {"collector_id": collector_id})["job_id"])


def _run_later(application: Any) -> threading.Thread:
    thread = threading.Thread(target=drain, args=(application,))
    thread.start()
    return thread


def test_watch_over_rest_streams_until_terminal(rest: Any, application: Any, token: Any) -> None:
    job_id = _started(application)
    worker = _run_later(application)
    response = rest.post("/cloudinv/v1/job/watch", {"job_id": job_id}, token())
    worker.join(60)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(line[len("data: ") :]) for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[0]["job_id"] == job_id
    assert events[-1]["status"] == "SUCCESS"
    assert [t["status"] for t in events[-1]["tasks"]] == ["SUCCESS"]
    assert all(e["status"] == "IN_PROGRESS" for e in events[:-1])


def test_watch_over_grpc_streams_until_terminal(grpc_client: Any, application: Any, token: Any) -> None:
    job_id = _started(application)
    worker = _run_later(application)
    stub = job_control_pb2_grpc.JobControlStub(grpc_client.channel)
    stream = stub.watch(job_control_pb2.JobControlRequest(job_id=job_id), metadata=(("token", token()),), timeout=60)
    snapshots = [json_format.MessageToDict(item) for item in stream]
    worker.join(60)
    assert snapshots[-1]["status"] == "SUCCESS"
    assert snapshots[-1]["job_id"] == job_id


def test_watch_of_an_unknown_job_is_not_found(rest: Any, grpc_client: Any, token: Any) -> None:
    response = rest.post("/cloudinv/v1/job/watch", {"job_id": "job-000000000000"}, token())
    assert response.status_code == 404
    stub = job_control_pb2_grpc.JobControlStub(grpc_client.channel)
    try:
        list(stub.watch(job_control_pb2.JobControlRequest(job_id="job-000000000000"),
                        metadata=(("token", token()),), timeout=10))  # fmt: skip
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.NOT_FOUND
    else:
        raise AssertionError("watch of an unknown job streamed")


def test_cancel_over_rest(rest: Any, application: Any, token: Any) -> None:
    job_id = _started(application)
    response = rest.post("/cloudinv/v1/job/cancel", {"job_id": job_id}, token())
    assert response.status_code == 200
    assert response.json()["status"] == "CANCELED"
    member = token(role="WORKSPACE_MEMBER", workspace_id="ws-1")
    assert rest.post("/cloudinv/v1/job/cancel", {"job_id": job_id}, member).status_code in (403, 404)
