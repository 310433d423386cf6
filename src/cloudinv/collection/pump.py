"""Pull a plugin's stream on a thread of its own, so the worker can give up on a plugin that hangs.

A plugin is arbitrary code: it may block forever inside `next()`. The pump thread appends each item to a
shared buffer; the worker takes everything buffered at once (a batch), waiting at most the task timeout for
something to arrive. Once an item has arrived, the worker lets the batch fill for at most `linger` seconds:
a stream slower than its consumer (a plugin over gRPC) would otherwise be stored an item or two at a time,
a transaction each. So no item waits longer than that, and what a plugin sent before it hung or crashed is
always ingested. The buffer is bounded, so memory stays flat however long the stream.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any


class StreamTimeout(Exception):
    """The plugin sent nothing for the task timeout."""


class _Buffer:
    def __init__(self, limit: int, batch: int) -> None:
        self.items: list[Any] = []
        self.limit = limit
        self.batch = batch
        self.done = False
        self.error: BaseException | None = None
        self.abandoned = False
        self.cond = threading.Condition()

    def put(self, item: Any) -> bool:
        """Append (waiting while full); False once the worker abandoned the stream."""
        with self.cond:
            while len(self.items) >= self.limit and not self.abandoned:
                self.cond.wait()
            if self.abandoned:
                return False
            self.items.append(item)
            if len(self.items) == 1 or len(self.items) == self.batch:  # what `take` may be waiting for
                self.cond.notify_all()
            return True

    def close(self, error: BaseException | None = None) -> None:
        with self.cond:
            self.done, self.error = True, error
            self.cond.notify_all()

    def take(self, wait: float, most: int, linger: float) -> list[Any] | None:
        """Up to `most` buffered items, waiting at most `wait` seconds for one (an empty list when none came),
        then at most `linger` seconds for `most`; None at the end of the stream. Raises what the plugin raised."""
        with self.cond:
            if not self.items and not self.done and not self.cond.wait_for(lambda: self.items or self.done, wait):
                return []
            if linger > 0 and len(self.items) < most and not self.done:
                self.cond.wait_for(lambda: len(self.items) >= most or self.done, linger)
            if self.items:
                batch, self.items = self.items[:most], self.items[most:]
                self.cond.notify_all()
                return batch
            if self.error is not None:
                raise self.error
            return None

    def abandon(self) -> None:
        with self.cond:
            self.abandoned = True
            self.items = []
            self.cond.notify_all()


def batches(
    stream: Iterator[Any],
    timeout: float,
    batch_size: int = 500,
    idle: float | None = None,
    prepare: Callable[[Any], Any] | None = None,
    linger: float = 0.0,
) -> Iterator[list[Any]]:
    """The stream's items in lists of up to `batch_size`, as they are available. Raises the plugin's own
    exception (after the items sent before it), or StreamTimeout after `timeout` seconds without an item.
    With `idle`, an empty list comes every `idle` seconds without an item, so the caller can show it is alive.
    With `prepare`, each item is passed through it on the pump thread: that work overlaps the caller's.
    With `linger`, a batch that has begun may wait that long to fill."""
    buffer = _Buffer(limit=2 * batch_size, batch=batch_size)

    def pump() -> None:
        try:
            for item in stream:
                if not buffer.put(item if prepare is None else prepare(item)):
                    return
        except BaseException as exc:  # everything a plugin raises ends its task, with the error recorded
            buffer.close(exc)
            return
        buffer.close()

    threading.Thread(target=pump, name="plugin-stream", daemon=True).start()
    try:
        last_item = time.monotonic()
        while True:
            silent = time.monotonic() - last_item
            if silent >= timeout:
                raise StreamTimeout(f"the plugin sent nothing for {timeout:g} seconds")
            wait = timeout - silent if idle is None else min(idle, timeout - silent)
            batch = buffer.take(wait, batch_size, linger)
            if batch is None:
                return
            if batch:
                last_item = time.monotonic()
            if batch or idle is not None:
                yield batch
    finally:
        buffer.abandon()
