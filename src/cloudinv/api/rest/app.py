"""The REST adapter: `POST <proto http path>` with a proto-JSON body, for every served verb."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException

from cloudinv.api.codec import decode_json
from cloudinv.api.contracts import ServiceContract, Verb
from cloudinv.api.rest.observe import install_metrics
from cloudinv.domain.auth import Scope
from cloudinv.domain.errors import (
    ERROR_INVALID_ARGUMENT,
    ERROR_LIMIT_EXCEEDED,
    ERROR_NOT_FOUND,
    ERROR_UNKNOWN,
    CloudinvError,
)
from cloudinv.observability.metrics import Metrics
from cloudinv.query.limits import MAX_BODY_BYTES
from cloudinv.services.tokens import TokenService
from cloudinv.web import install_web

log = logging.getLogger(__name__)


def _error_response(error: CloudinvError) -> JSONResponse:
    return JSONResponse(
        status_code=error.http_status, content={"detail": {"code": error.code, "message": error.message}}
    )


def _bearer(headers: Headers) -> str | None:
    header = headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _install_error_handlers(app: FastAPI) -> None:
    async def domain_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CloudinvError)
        return _error_response(exc)

    async def validation_error(_: Request, exc: Exception) -> JSONResponse:
        return _error_response(ERROR_INVALID_ARGUMENT(reason="the request is malformed"))

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return _error_response(ERROR_NOT_FOUND(key="path", value="unknown route"))
        return JSONResponse(
            status_code=exc.status_code,
            content={"detail": {"code": "ERROR_HTTP", "message": str(exc.detail)}},
        )

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error_response(ERROR_UNKNOWN(message=type(exc).__name__))

    app.add_exception_handler(CloudinvError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def _parse_body(raw: bytes) -> dict[str, Any] | None:
    """Any content type is read as JSON (clients often send none); an empty body is an empty request."""
    if not raw.strip():
        return None
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ERROR_INVALID_ARGUMENT(reason=f"the body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ERROR_INVALID_ARGUMENT(reason="the body must be a JSON object")
    return body


def _events(verb: Verb, items: Iterator[Any]) -> Iterator[str]:
    """Server-sent events: one `data:` line of JSON per item; an error mid-stream is the last event."""
    try:
        for item in items:
            yield f"data: {json.dumps(verb.to_json(item))}\n\n"
    except CloudinvError as error:
        yield f"event: error\ndata: {json.dumps({'code': error.code, 'message': error.message})}\n\n"


def _endpoint(verb: Verb, tokens: TokenService) -> Callable[[Request], Awaitable[Any]]:
    def handle(headers: Headers, raw: bytes) -> Any:
        scope: Scope = tokens.scope(_bearer(headers), headers.get("x-domain-id"), headers.get("x-workspace-id"))
        result = verb.call(scope, decode_json(_parse_body(raw), verb.request_cls, verb.sensitive))
        if verb.streaming:
            return StreamingResponse(_events(verb, result), media_type="text/event-stream")
        # Encoded here rather than by FastAPI: json.dumps is several times faster than its validating encoder.
        return Response(json.dumps(verb.to_json(result)), media_type="application/json")

    async def endpoint(request: Request) -> Any:
        # The service is synchronous: it runs in the thread pool, the event loop only moves bytes.
        return await run_in_threadpool(handle, request.headers, await request.body())

    endpoint.__name__ = f"{verb.name}_endpoint"
    return endpoint


def create_app(contracts: Sequence[ServiceContract], tokens: TokenService, metrics: Metrics | None = None) -> FastAPI:
    app = FastAPI(title="cloudinv", docs_url="/docs", redoc_url=None)
    _install_error_handlers(app)
    install_web(app)
    if metrics is not None:
        install_metrics(app, metrics)

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return _error_response(ERROR_LIMIT_EXCEEDED(limit="request body bytes", max=MAX_BODY_BYTES))
        return await call_next(request)

    for contract in contracts:
        for path, verb in contract.rest_routes().items():
            app.add_api_route(path, _endpoint(verb, tokens), methods=["POST"], name=path)
    return app
