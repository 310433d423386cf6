"""gRPC over HTTP/2 on h2 and asyncio: the transport of a served plugin (`cloudinv plugin serve`).

Why not grpcio's server: its Python servers send a streamed message and wait until it is written before they
take the next one, about eight thread switches a message; on two cores that streams ~6,000 resources/s, a
third of what a grpcio client reads. Here a stream's messages are written as the plugin produces them, as many
per write as are ready, within HTTP/2 flow control (bench/plugin_stream.py measures both).

Only what the plugin protocol needs: unary and server-streaming calls, uncompressed messages, the status and
its message in trailers. Any gRPC client speaks to it; the tests use grpcio's. A method runs on a thread of its
own (plugins are blocking code); the event loop only moves bytes.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import h2.config
import h2.connection
import h2.events
import h2.exceptions

log = logging.getLogger(__name__)

OK, INVALID_ARGUMENT, UNIMPLEMENTED, INTERNAL, UNAVAILABLE = 0, 3, 12, 13, 14
_PREFIX = struct.Struct(">?I")  # compressed flag, message length
_OUTBOX_LIMIT = 1 << 20  # bytes a stream may hold unsent before its producer waits
# How long a streamed message may wait for others to share its write: woken for each message, the loop and the
# plugin's thread would trade the GIL every few messages (measured: a wake-up per three messages).
_COALESCE_SECONDS = 0.002
_MESSAGE_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")


class GrpcError(Exception):
    """Ends a call with this status (not OK) and message."""

    def __init__(self, code: int, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Method:
    """A request message type and what answers it: one message (unary), or an iterator of them (streaming)."""

    request: Any
    call: Callable[[Any], Any]
    streaming: bool = False


def _frame(message: Any) -> bytes:
    payload: bytes = message.SerializeToString()
    return _PREFIX.pack(False, len(payload)) + payload


def _trailers(code: int, details: str) -> list[tuple[str, str]]:
    trailers = [("grpc-status", str(code))]
    if details:
        trailers.append(("grpc-message", quote(details, safe=_MESSAGE_SAFE)))
    return trailers


def as_grpc_error(exc: BaseException) -> GrpcError:
    """The error itself, or INTERNAL naming an exception nobody expected (logged with its traceback)."""
    if isinstance(exc, GrpcError):
        return exc
    log.exception("plugin method failed unexpectedly", exc_info=exc)
    return GrpcError(INTERNAL, f"{type(exc).__name__}: {exc}")


class _Call:
    """One call on one HTTP/2 stream: the request as it arrives, then the response frames waiting to be sent."""

    def __init__(self, method: Method | None) -> None:
        self.method = method
        self.body = bytearray()
        self.outbox: deque[bytes] = deque()  # frames from the method's thread; guarded by `ready`
        self.outbox_bytes = 0
        self.ready = threading.Condition()
        self.pending = bytearray()  # taken from the outbox, not yet within the flow-control window
        self.status: tuple[int, str] | None = None  # set when the method is done
        self.headers_sent = False
        self.cancelled = False

    def parse(self) -> Any:
        assert self.method is not None
        if len(self.body) < _PREFIX.size:
            raise GrpcError(INTERNAL, "the request has no message")
        compressed, length = _PREFIX.unpack_from(self.body)
        if compressed:
            raise GrpcError(UNIMPLEMENTED, "compressed messages are not supported")
        if len(self.body) != _PREFIX.size + length:
            raise GrpcError(INTERNAL, "the request is not one whole message")
        try:
            return self.method.request.FromString(bytes(self.body[_PREFIX.size :]))
        except Exception as exc:
            raise GrpcError(INTERNAL, f"the request cannot be parsed: {exc}") from exc

    def put(self, frame: bytes) -> bool | None:
        """From the method's thread: queue a frame, waiting while too much is unsent. None once cancelled, else
        whether the outbox was empty (then the loop must be told: it drains the outbox whenever it sends)."""
        with self.ready:
            while self.outbox_bytes > _OUTBOX_LIMIT and not self.cancelled:
                self.ready.wait()
            if self.cancelled:
                return None
            self.outbox.append(frame)
            self.outbox_bytes += len(frame)
            return len(self.outbox) == 1

    def take(self) -> None:
        """On the loop: move what the method queued to `pending`, and let the method go on."""
        with self.ready:
            while self.outbox:
                self.pending += self.outbox.popleft()
            self.outbox_bytes = 0
            self.ready.notify_all()

    def cancel(self) -> None:
        with self.ready:
            self.cancelled = True
            self.ready.notify_all()


class _Connection(asyncio.Protocol):
    def __init__(self, server: H2Server) -> None:
        self.server = server
        self.loop = server.loop
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.calls: dict[int, _Call] = {}
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.connections.add(self)
        self.h2.initiate_connection()
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        for call in self.calls.values():
            call.cancel()
        self.calls.clear()

    def data_received(self, data: bytes) -> None:
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            self._flush()  # h2 has queued a GOAWAY saying why
            self.close()
            return
        for event in events:
            self._on(event)
        self._flush()

    def _on(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RequestReceived):
            # str with header_encoding set (h2's annotations say bytes)
            path = next((str(value) for name, value in event.headers or [] if name == ":path"), "")  # type: ignore[comparison-overlap]
            self.calls[event.stream_id] = _Call(self.server.methods.get(path))
        elif isinstance(event, h2.events.DataReceived):
            self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            call = self.calls.get(event.stream_id)
            if call is not None:
                call.body += event.data or b""
        elif isinstance(event, h2.events.StreamEnded):
            self._start(event.stream_id)
        elif isinstance(event, h2.events.StreamReset):
            call = self.calls.pop(event.stream_id, None)
            if call is not None:
                call.cancel()
        elif isinstance(event, h2.events.WindowUpdated):
            for stream_id in [event.stream_id] if event.stream_id else list(self.calls):
                self._send(stream_id)
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.close()

    def _start(self, stream_id: int) -> None:
        call = self.calls.get(stream_id)
        if call is None:
            return
        if call.method is None:
            call.status = (UNIMPLEMENTED, "no such method")
            self._send(stream_id)
            return
        threading.Thread(target=self._run, args=(stream_id, call), name="plugin-call", daemon=True).start()

    def _run(self, stream_id: int, call: _Call) -> None:
        """On the call's own thread: run the method, queueing its response frames."""
        assert call.method is not None
        status = (OK, "")
        try:
            answer = call.method.call(call.parse())
            messages: Iterator[Any] = answer if call.method.streaming else iter([answer])
            try:
                for message in messages:
                    queued = call.put(_frame(message))
                    if queued is None:
                        break  # cancelled: closing the iterator lets the plugin clean up
                    if queued:  # sent a moment later, with whatever else the plugin has produced by then
                        self.loop.call_soon_threadsafe(self.loop.call_later, _COALESCE_SECONDS, self._send, stream_id)
            finally:
                close = getattr(messages, "close", None)
                if close is not None:
                    close()
        except BaseException as exc:
            error = as_grpc_error(exc)
            status = (error.code, error.details)
        call.status = status
        self.loop.call_soon_threadsafe(self._send, stream_id)

    def _send(self, stream_id: int) -> None:
        """On the loop: send what the call has, as far as flow control lets; its trailers once it is done."""
        call = self.calls.get(stream_id)
        if call is None or self.transport is None or self.transport.is_closing():
            return
        call.take()
        try:
            if not call.headers_sent and (call.pending or call.status is None or call.status[0] == OK):
                self.h2.send_headers(stream_id, [(":status", "200"), ("content-type", "application/grpc")])
                call.headers_sent = True
            while call.pending:
                size = min(
                    len(call.pending), self.h2.local_flow_control_window(stream_id), self.h2.max_outbound_frame_size
                )
                if size <= 0:
                    break  # a WindowUpdated event sends the rest
                self.h2.send_data(stream_id, bytes(call.pending[:size]))
                del call.pending[:size]
            if call.status is not None and not call.pending and not call.outbox:
                trailers = _trailers(*call.status)
                if not call.headers_sent:  # trailers-only: the call failed before any message
                    trailers = [(":status", "200"), ("content-type", "application/grpc"), *trailers]
                self.h2.send_headers(stream_id, trailers, end_stream=True)
                del self.calls[stream_id]
        except h2.exceptions.StreamClosedError:
            call.cancel()
            self.calls.pop(stream_id, None)
        self._flush()

    def _flush(self) -> None:
        data = self.h2.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class H2Server:
    """Bound at construction (so the port is known), served on a thread of its own from `start()`."""

    def __init__(self, methods: Mapping[str, Method], host: str, port: int) -> None:
        self.methods = dict(methods)
        self.socket = socket.create_server((host, port), reuse_port=False)
        self.port = int(self.socket.getsockname()[1])
        self.loop = asyncio.new_event_loop()
        self.connections: set[_Connection] = set()
        self._thread = threading.Thread(target=self.loop.run_forever, name="plugin-server", daemon=True)
        self._server: asyncio.Server | None = None

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result()

    async def _listen(self) -> None:
        self._server = await self.loop.create_server(lambda: _Connection(self), sock=self.socket)

    def stop(self, grace: float | None = None) -> threading.Event:
        """Stop accepting, let running calls finish for `grace` seconds, then close. The event is set when done."""
        stopped = threading.Event()

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            deadline = self.loop.time() + (grace or 0)
            while any(c.calls for c in self.connections) and self.loop.time() < deadline:
                await asyncio.sleep(0.05)
            for connection in list(self.connections):
                connection.close()
            await asyncio.sleep(0)

        def finish(_: Any) -> None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            stopped.set()

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(shutdown(), self.loop).add_done_callback(finish)
        else:
            self.socket.close()
            stopped.set()
        return stopped
