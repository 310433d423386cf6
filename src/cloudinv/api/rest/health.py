"""`GET /healthz`: 200 when the database (and the broker, when configured) answer, 503 otherwise."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from cloudinv.services.health import HealthReport


def add_health_route(app: FastAPI, check: Callable[[], HealthReport]) -> None:
    async def healthz() -> JSONResponse:
        report = await run_in_threadpool(check)  # probes block: never on the event loop
        return JSONResponse(report.as_json(), status_code=200 if report.serving else 503)

    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
