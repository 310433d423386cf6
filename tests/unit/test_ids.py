"""Resource ids: the reference's form, and batches of consecutive ids."""

from __future__ import annotations

import itertools

from cloudinv.domain.ids import is_valid_id, new_id, new_ids


def test_an_id_is_the_prefix_and_twelve_hex_characters() -> None:
    assert is_valid_id(new_id("job"), "job")
    assert not is_valid_id("job-XYZ", "job")


def test_a_batch_of_ids_is_valid_unique_and_consecutive() -> None:
    ids = new_ids("asset", 5000)
    assert all(is_valid_id(i, "asset") for i in ids)
    numbers = [int(i.removeprefix("asset-"), 16) for i in ids]
    # Consecutive, wrapping around past ffffffffffff: neighbours in the primary-key index.
    assert all((b - a) % (1 << 48) == 1 for a, b in itertools.pairwise(numbers))
    assert len(set(ids)) == 5000


def test_batches_start_apart() -> None:
    starts = {new_ids("asset", 1)[0] for _ in range(100)}
    assert len(starts) == 100
