"""A slow plugin stream: with `idle`, the worker hears from it (an empty batch) every idle interval, so it can
show it is alive; silence past the timeout is still a StreamTimeout."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from cloudinv.collection.pump import StreamTimeout, batches


def _slow(items: int, pause: float) -> Iterator[int]:
    for index in range(items):
        time.sleep(pause)
        yield index


def test_idle_batches_come_while_the_plugin_is_slow() -> None:
    got = list(batches(_slow(2, 0.35), timeout=5, idle=0.1))
    assert [item for batch in got for item in batch] == [0, 1]
    assert sum(1 for batch in got if not batch) >= 4  # about three per pause


def test_without_idle_no_empty_batch_is_seen() -> None:
    got = list(batches(_slow(2, 0.2), timeout=5))
    assert all(got)


def test_silence_past_the_timeout_still_ends_the_stream() -> None:
    with pytest.raises(StreamTimeout):
        list(batches(_slow(1, 3.0), timeout=0.5, idle=0.1))


def test_a_stream_slower_than_its_consumer_still_comes_in_full_batches_with_linger() -> None:
    """Without linger, a consumer faster than the stream takes it an item or two at a time."""
    lingering = list(batches(_slow(100, 0.002), timeout=5, batch_size=1000, linger=1.0))
    eager = list(batches(_slow(100, 0.002), timeout=5, batch_size=1000))
    assert sum(map(len, lingering)) == sum(map(len, eager)) == 100
    assert len(lingering) <= 2 < 20 <= len(eager)


def test_linger_holds_an_item_no_longer_than_the_linger() -> None:
    started = time.monotonic()
    got = []
    for batch in batches(_slow(2, 0.6), timeout=5, batch_size=1000, linger=0.1):
        got.append((batch, time.monotonic() - started))
    assert [batch for batch, _ in got] == [[0], [1]]  # each stored before the next one came
    assert got[0][1] < 1.0
