"""The timeline: exact frames, chimes placed by rule, never two sounds at once."""

from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings

from player.core import timeline
from player.core.routine import Chimes
from player.core.sounds import Chime, Speech

from .corekit import CHIME_FRAMES, RATE, plan, routine, routines, speech_frames, step


def chimes_of(tl, number, side=None):
    return [
        (e.start, e.sound.name)
        for e in tl.entries
        if isinstance(e.sound, Chime) and e.step == number and e.side == side
    ]


def test_timeline_hold_starts_when_the_cue_ends_and_the_end_chime_follows_it():
    tl = plan(routine(step("Hold it.", hold=10, rest=2)))
    cue = next(e for e in tl.entries if e.sound == Speech("Hold it."))
    (hold,) = tl.holds
    assert (hold.start, hold.end) == (cue.end, cue.end + 10 * RATE)
    assert chimes_of(tl, 1) == [
        (hold.start, "hold_start"),
        (hold.end - 3000, "tick"),
        (hold.end - 2000, "tick"),
        (hold.end - 1000, "tick"),
        (hold.end, "hold_end"),
    ]
    (span,) = tl.steps
    assert span.end == hold.end + CHIME_FRAMES["hold_end"] + 2 * RATE


def test_timeline_length_is_the_sum_of_speech_holds_chimes_gaps_and_rests():
    r = routine(step("One.", hold=5, rest=1), step("Two.", rest=3))
    tl = plan(r)
    gaps = 2 * round(timeline.GAP_SECONDS * RATE)
    speech = sum(speech_frames(t) for t in (r.title, "One.", "Two.", timeline.CLOSING))
    assert tl.length == speech + gaps + 5 * RATE + CHIME_FRAMES["hold_end"] + 4 * RATE
    assert tl.seconds() == tl.length / RATE


def test_timeline_halfway_wins_over_a_countdown_tick_at_the_same_moment():
    tl = plan(routine(step("x", hold=4, chimes=Chimes(halfway=True, countdown=3))))
    (hold,) = tl.holds
    assert chimes_of(tl, 1) == [
        (hold.start, "hold_start"),
        (hold.start + 1000, "tick"),
        (hold.start + 2000, "halfway"),
        (hold.start + 3000, "tick"),
        (hold.end, "hold_end"),
    ]


def test_timeline_every_n_ticks_and_countdown_never_double_up():
    tl = plan(routine(step("x", hold=10, chimes=Chimes(start=False, every=2, countdown=4))))
    (hold,) = tl.holds
    ticks = [at - hold.start for at, name in chimes_of(tl, 1) if name == "tick"]
    assert ticks == [2000, 4000, 6000, 7000, 8000, 9000]


def test_timeline_chime_that_would_overlap_the_start_chime_is_dropped():
    tl = plan(routine(step("x", hold=1, chimes=Chimes(countdown=1, halfway=True))))
    (hold,) = tl.holds
    # The countdown tick would fall at the hold start, on the start chime: it is dropped.
    assert chimes_of(tl, 1) == [
        (hold.start, "hold_start"),
        (hold.start + 500, "halfway"),
        (hold.end, "hold_end"),
    ]


def test_timeline_each_side_run_plays_whole_for_one_side_then_the_next():
    r = routine(
        step("Intro."),
        step("A {side}.", each_side=True),
        step("B {side}.", each_side=True),
        step("Done."),
    )
    said = [e.sound.text for e in plan(r).entries if isinstance(e.sound, Speech)]
    assert said == [
        "Title r",
        "Intro.",
        "A left.",
        "B left.",
        "A right.",
        "B right.",
        "Done.",
        timeline.CLOSING,
    ]


def test_timeline_wait_sits_after_the_cue_and_before_the_hold():
    tl = plan(routine(step("Ready?", wait=True, hold=3)))
    cue = next(e for e in tl.entries if e.sound == Speech("Ready?"))
    assert tl.waits == (cue.end,) and tl.holds[0].start == cue.end


def test_timeline_wake_lead_in_comes_first():
    tl = plan(routine(step("x")), lead_in=300)
    assert tl.entries[0].sound == Chime("wake") and tl.entries[1].start == 300


@settings(deadline=None)
@given(routines)
def test_timeline_no_two_sounds_overlap_and_holds_are_exact(r):
    tl = plan(r)
    entries = sorted(tl.entries, key=lambda e: e.start)
    for a, b in itertools.pairwise(entries):
        assert a.end <= b.start, (a, b)
    for hold in tl.holds:
        source = r.steps[hold.step - 1]
        assert hold.end - hold.start == round(source.hold * RATE)
        inside = [e for e in tl.entries if hold.start < e.start < hold.end]
        assert all(isinstance(e.sound, Chime) for e in inside)
    assert tl.length >= max(e.end for e in tl.entries)


def test_timeline_progress_lines_sit_between_cues_at_side_change_and_halfway():
    r = routine(
        step("Intro.", rest=20),
        step("A {side}.", each_side=True, hold=20),
        step("B {side}.", each_side=True, hold=20),
        step("Done."),
    )
    r = replace(r, progress=True)
    tl = plan(r)
    said = [e.sound.text for e in tl.entries if isinstance(e.sound, Speech)]
    assert said == [
        "Title r",
        "Intro.",
        "A left.",
        "B left.",
        "Halfway through. On to the right side.",
        "A right.",
        "B right.",
        "Done.",
        timeline.CLOSING,
    ]
    line = next(
        e for e in tl.entries if e.sound == Speech("Halfway through. On to the right side.")
    )
    before = max((e for e in tl.entries if e.end <= line.start), key=lambda e: e.end)
    after = min((e for e in tl.entries if e.start >= line.end), key=lambda e: e.start)
    assert isinstance(after.sound, Speech) and after.sound.text == "A right."  # right before it
    assert before.end <= line.start and line.end < after.start  # never over another sound
    assert set(timeline.speech_texts(r)) >= {"Halfway through.", "On to the right side."}


def test_timeline_without_progress_has_no_progress_lines():
    said = [
        e.sound.text
        for e in plan(routine(step("A {side}.", each_side=True))).entries
        if isinstance(e.sound, Speech)
    ]
    assert not any("side." in s and s.startswith("On to") for s in said)


@pytest.mark.parametrize("rate", [22050, 44100])
def test_timeline_fractional_holds_and_rests_are_exact_to_the_frame_at_real_rates(rate):
    """0.7 s at 44100 Hz is 30869.999... in floating point: truncating would lose a frame."""
    written = ["0.7", "2.3", "4.1", "12.6"]  # none a tie at either rate
    r = routine(*(step(f"Step {i}.", hold=float(h), rest=float(h)) for i, h in enumerate(written)))
    speech = {text: 1000 for text in timeline.speech_texts(r)}
    tl = timeline.plan(r, speech, {name: 500 for name in CHIME_FRAMES}, rate)
    exact = [round(Fraction(h) * rate) for h in written]  # the seconds as a person wrote them
    assert [hold.end - hold.start for hold in tl.holds] == exact
    ends = [e for e in tl.entries if e.sound == Chime("hold_end")]
    assert [span.end - end.end for span, end in zip(tl.steps, ends, strict=True)] == exact


def test_timeline_a_chime_that_ends_exactly_as_the_hold_does_is_kept():
    """Touching is not overlapping: a halfway chime as long as the second half of the hold
    ends where the end chime begins, and both are played."""
    r = routine(step("x", hold=2, chimes=Chimes(start=False, halfway=True, countdown=0)))
    tl = timeline.plan(
        r, {t: 1000 for t in timeline.speech_texts(r)}, CHIME_FRAMES | {"halfway": 1000}, RATE
    )
    (hold,) = tl.holds
    assert chimes_of(tl, 1) == [(hold.start + 1000, "halfway"), (hold.end, "hold_end")]


def test_timeline_recap_says_the_side_in_words_and_the_cue_already_said_if_it_fits():
    short, long = step("Roll {side}."), step(" ".join(["word"] * timeline.MAX_WORDS))
    assert timeline.recap(short, "left", "right", said=False) == "The left side."
    assert timeline.recap(short, "left", "right", said=True) == "The left side. Roll left."
    assert timeline.recap(short, None, None, said=True) == "Going on. Roll {side}."
    assert timeline.recap(long, "left", "right", said=True) == "The left side."
    for line in timeline.speech_texts(routine(short, long)):
        assert len(line.split()) <= timeline.MAX_WORDS, line
