"""The booted machine's measuring clock (`SampleClock` in tests/vm/guest/checks.py), on this
computer: check 3 holds the player to a bound in milliseconds, so the clock that dates the
recording must not add the recorder's own lateness to the player's."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

GUEST = Path(__file__).parent / "vm" / "guest" / "checks.py"
RATE, CHUNK = 48000, 256


@pytest.fixture(scope="module")
def checks():
    spec = importlib.util.spec_from_file_location("vm_checks", GUEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recorded(checks, chunks: int, lost_after: int | None = None, lost: int = 0):
    """A clock stamped as the recorder stamps it, each stamp late by 0 to 20 ms (a busy
    machine), with `lost` samples dropped by an overrun after chunk `lost_after`; and the true
    moment of each kept sample."""
    clock, shuffle = checks.SampleClock(RATE), random.Random(7)
    start, dropped, kept = 100.0, 0, 0
    for number in range(chunks):
        if number == lost_after:
            clock.gap(kept)
            dropped = lost
        kept += CHUNK
        true_last = start + (kept - 1 + dropped) / RATE
        clock.stamp(kept, true_last + shuffle.choice([0.0, 0.002, 0.008, 0.020]))

    def truth(index: int) -> float:
        shift = dropped if lost_after is not None and index >= lost_after * CHUNK else 0
        return start + (index + shift) / RATE

    return clock, truth


def test_a_late_stamp_does_not_make_its_samples_late(checks):
    clock, truth = recorded(checks, 2000)
    worst = max(abs(clock.time_of(i) - truth(i)) for i in range(0, 2000 * CHUNK, 331))
    assert worst < 1e-6


def test_a_moment_maps_to_the_first_sample_at_or_after_it(checks):
    clock, truth = recorded(checks, 2000)
    for index in range(0, 2000 * CHUNK, 997):
        assert clock.index_at(truth(index) - 1e-7) == index
        assert clock.index_at(truth(index) + 1e-7) == index + 1


def test_samples_lost_to_an_overrun_start_a_new_run(checks):
    clock, truth = recorded(checks, 2000, lost_after=900, lost=1000)
    first_after = 900 * CHUNK
    for index in (0, first_after - 1, first_after, 2000 * CHUNK - 1):
        assert abs(clock.time_of(index) - truth(index)) < 1e-6
    in_the_gap = truth(first_after - 1) + 500 / RATE
    assert clock.index_at(in_the_gap) == first_after


def test_what_is_not_captured_yet(checks):
    clock, truth = recorded(checks, 10)
    assert clock.time_of(10 * CHUNK) == float("inf")
    assert clock.index_at(truth(10 * CHUNK - 1) + 1.0) == 10 * CHUNK
    assert clock.index_at(0.0) == 0
    assert checks.SampleClock(RATE).index_at(5.0) == 0
