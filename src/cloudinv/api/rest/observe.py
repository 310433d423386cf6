"""Request metrics for the REST app (a plain ASGI middleware: cheaper per request than Starlette's
BaseHTTPMiddleware) and the `GET /metrics` route."""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cloudinv.observability.metrics import CONTENT_TYPE, Metrics

# Requests that matched no route share one label, so that scanners cannot grow the label set without bound.
UNMATCHED = "unmatched"


def _route(scope: Scope) -> str:
    # The router records the route it matched in the scope; its path is the template (e.g. `/static`).
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else UNMATCHED


class RequestMetrics:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # when the app raises before it answers, the server answers 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            self.metrics.observe_request("rest", _route(scope), str(status), time.perf_counter() - start)


def install_metrics(app: FastAPI, metrics: Metrics) -> None:
    """Time and count every request; serve the metrics at `GET /metrics` (unauthenticated, as Prometheus
    expects: it carries counts only, no tenant's ids or data)."""
    app.add_middleware(RequestMetrics, metrics=metrics)

    def metrics_endpoint() -> Any:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
