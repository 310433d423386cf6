"""A small REST client for the CLI: POST a JSON body, get JSON back or one readable error; server-sent events
for the streaming verbs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any

import httpx

from cloudinv.cli.profile import Profile

INVENTORY = "/inventory-v2/v1"
SECRET = "/secret/v1"
JOB_CONTROL = "/cloudinv/v1/job"


class ApiError(Exception):
    """An error the server answered, or the failure to reach it: `CODE: message`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _error(response: httpx.Response, path: str) -> ApiError:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, dict) and "code" in detail:
        if response.status_code == 404 and "unknown route" in str(detail.get("message")):
            # Said plainly: the resource exists on newer servers, this one does not serve the verb.
            return ApiError("ERROR_NOT_FOUND", f"the server does not serve POST {path}")
        return ApiError(str(detail["code"]), str(detail.get("message", "")))
    return ApiError(f"HTTP_{response.status_code}", response.text.strip()[:200] or response.reason_phrase)


class Client:
    def __init__(self, profile: Profile, timeout: float = 60.0, transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {profile.token}"}
        if profile.domain_id:
            headers["X-Domain-Id"] = profile.domain_id
        self.url = profile.url
        self._http = httpx.Client(base_url=profile.url, headers=headers, timeout=timeout, transport=transport)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def call(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """POST `body`; the JSON answer, or ApiError."""
        try:
            response = self._http.post(path, json=dict(body or {}))
        except httpx.TransportError as exc:
            raise ApiError("ERROR_UNREACHABLE", f"cannot reach {self.url}: {exc}") from exc
        if response.is_error:
            raise _error(response, path)
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError("ERROR_BAD_RESPONSE", f"{path} answered something that is not JSON") from exc

    def stream(self, path: str, body: Mapping[str, Any]) -> Iterator[Any]:
        """POST `body` to a streaming verb; each server-sent event's JSON until the stream ends. An `error` event
        is raised as ApiError. No read timeout: a quiet job may send nothing for a long time."""
        timeout = httpx.Timeout(self._http.timeout.connect, read=None)
        try:
            with self._http.stream("POST", path, json=dict(body), timeout=timeout) as response:
                if response.is_error:
                    response.read()
                    raise _error(response, path)
                yield from _events(response.iter_lines())
        except httpx.TransportError as exc:
            raise ApiError("ERROR_UNREACHABLE", f"cannot reach {self.url}: {exc}") from exc


def _events(lines: Iterator[str]) -> Iterator[Any]:
    """Parse `event:`/`data:` lines; a blank line ends an event."""
    name, data = "message", []
    for line in lines:
        if line.startswith("data:"):
            data.append(line[5:].strip())
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif not line.strip() and data:
            payload = json.loads("\n".join(data))
            if name == "error":
                raise ApiError(str(payload.get("code", "ERROR_UNKNOWN")), str(payload.get("message", "")))
            yield payload
            name, data = "message", []
