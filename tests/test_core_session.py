"""The session state machine, one test per transition of design §6, never sleeping."""

from __future__ import annotations

import pytest

from player.core import timeline
from player.core.events import (
    ButtonEdge,
    Changed,
    Command,
    Ended,
    Ending,
    Play,
    Selected,
    Shutdown,
    Silence,
    Sounding,
    Started,
    State,
    Tick,
)
from player.core.session import Session
from player.core.sounds import Chime, Speech

from .corekit import actions, finish, plan, routine, run, spoken, step

# Started by a press released at 0.1 s: title 0.1-1.1 s, gap, "Intro." 2.1-3.1 s, rest 1 s;
# "Hold left." 4.1-5.1 s, its hold 5.1-15.1 s, end chime; "Hold right." 15.3-16.3 s, hold
# 16.3-26.3 s, end chime; "Ready?" 26.5-27.5 s, then a wait.
R = routine(
    step("Intro.", rest=1),
    step("Hold {side}.", each_side=True, hold=10),
    step("Ready?", wait=True),
    step("End."),
)
OTHER = routine(step("Other."), rid="other")


def session(**options) -> Session:
    return Session([plan(R), plan(OTHER)], **options)


def press(at: float, length: float = 0.1) -> list[tuple[float, ButtonEdge]]:
    return [(at, ButtonEdge(True)), (at + length, ButtonEdge(False))]


def started(s: Session) -> list:
    return run(s, press(0.0))


def test_session_idle_short_press_starts_the_selected_routine_with_its_title():
    s = session()
    log = started(s)
    assert log[0][2] == [Silence()]
    assert log[1][2] == [
        Started("r", "Title r", ("left", "right")),
        Changed(State.PLAYING),
        Play(Speech("Title r")),
    ]
    assert s.state is State.PLAYING


def test_session_idle_long_press_selects_and_announces_the_next_routine():
    s = session()
    log = run(s, press(0.0, length=2.0))
    assert [Selected("other"), Play(Speech(timeline.announce(OTHER)), timeline=False)] in [
        acts for _, _, acts in log
    ]
    assert s.selected == "other" and s.state is State.IDLE
    run(s, press(5.0), start=2.0)
    assert s.plan is not None and s.plan.routine.id == "other"


def test_session_idle_announcement_after_quiet_waits_for_the_wake_lead_in():
    """A sleepy speaker must hear the hum for `wake_ms` before the announcement's first word;
    a start has it in its timeline already."""
    s = Session([plan(R, lead_in=500), plan(OTHER, lead_in=500)])
    log = run(s, press(0.0, length=2.0))
    finish(s, 2.0, log)
    plays = [(t, a) for t, _, acts in log for a in acts if isinstance(a, Play)]
    assert plays[0][1] == Play(Chime("wake"), timeline=False)
    said = plays[1]
    assert said[1] == Play(Speech(timeline.announce(OTHER)), timeline=False)
    assert said[0] - plays[0][0] >= 0.5


def test_session_start_counts_its_lead_in_from_when_the_device_sounded():
    """Issue 24: a start whose device took 0.8 s to take the hum (a busy Pi, an emulated one)
    still gives the whole lead-in before the title: the timeline counts from `Sounding`."""
    s = Session([plan(R, lead_in=1000)])
    log = run(s, [*press(0.0), (0.9, Sounding())])
    finish(s, 0.9, log)
    plays = [(t, a.sound) for t, _, acts in log for a in acts if isinstance(a, Play)]
    assert plays[0] == (0.1, Chime("wake"))
    assert plays[1] == (pytest.approx(1.9), Speech("Title r"))


def test_session_sounding_after_the_first_sound_moves_nothing():
    """A late `Sounding` (the title already due, or the session paused) changes no time."""
    early, late = Session([plan(R, lead_in=500)]), Session([plan(R, lead_in=500)])
    for s, script in ((early, []), (late, [(0.7, Sounding())])):
        log = run(s, [*press(0.0), *script, *press(3.0), (3.5, Sounding())])
        finish(s, 3.5, log)
        s.log = [(round(t, 6), a) for t, _, acts in log for a in acts if isinstance(a, Play)]
    assert early.log == late.log and early.state is late.state


def test_session_playing_press_edge_silences_first_then_short_press_confirms_pause():
    s = session()
    started(s)
    log = run(s, press(7.0), start=0.1)
    edge = next(acts for t, e, acts in log if e == ButtonEdge(True))
    assert edge == [Silence(), Changed(State.PAUSED)]
    release = next(acts for t, e, acts in log if e == ButtonEdge(False))
    assert release == [Play(Chime("pause"), timeline=False)]
    assert s.state is State.PAUSED


def test_session_paused_short_press_resumes_with_recap_ticks_and_the_exact_hold_left():
    s = session()
    started(s)
    run(s, press(7.0) + press(20.0), start=0.1)
    log: list = []
    finish(s, 20.1, log)
    timed = [(round(t, 3), a) for t, _, acts in log for a in acts if isinstance(a, Play)]
    assert timed[:6] == [
        (20.5, Play(Chime("resume"), timeline=False)),
        (20.85, Play(Speech("The left side. Hold left."), timeline=False)),
        (22.0, Play(Chime("tick"), timeline=False)),
        (23.0, Play(Chime("tick"), timeline=False)),
        (24.0, Play(Chime("tick"), timeline=False)),
        (30.1, Play(Chime("tick"))),  # the countdown: the hold went on at 25.0 with 8.1 s left
    ]
    assert (33.1, Play(Chime("hold_end"))) in timed
    assert s.hold_played == [10_000, 10_000]


def test_session_pause_mid_cue_replays_the_cue_from_its_start():
    s = session()
    started(s)
    run(s, press(4.5) + press(6.0), start=0.1)
    log: list = []
    finish(s, 6.1, log)
    said = spoken(log)
    assert said[0] == "Hold left."
    extras = [a.sound for a in actions(log) if isinstance(a, Play) and not a.timeline]
    assert Speech("The left side.") in extras  # the cue follows: not said twice


def test_session_resume_says_where_in_words_never_a_step_number():
    s = session()
    started(s)
    log = run(s, press(2.5) + press(3.0), start=0.1)  # paused in "Intro.", a step with no side
    finish(s, 3.1, log)
    extras = [a.sound for a in actions(log) if isinstance(a, Play) and not a.timeline]
    assert Speech("Going on.") in extras  # the cue "Intro." is said again next, not in the recap
    assert spoken(log)[:2] == ["Intro.", "Intro."]  # cut by the pause, then said whole


@pytest.mark.parametrize("pause_first", [False, True])
def test_session_long_press_stops_with_stop_tone_and_note_and_records_where(pause_first):
    s = session()
    started(s)
    script = (press(7.0) if pause_first else []) + press(9.0, length=2.0)
    log = run(s, script, start=0.1)
    finish(s, 11.0, log)
    done = actions(log)
    (ended,) = [a for a in done if isinstance(a, Ended)]
    assert (ended.ending, ended.step, ended.side) == (Ending.STOPPED, 2, "left")
    extras = [a.sound for a in done if isinstance(a, Play) and not a.timeline]
    assert extras[-2:] == [Chime("stop"), Speech(timeline.STOP_NOTE)]
    assert s.state is State.IDLE


def test_session_paused_double_press_skips_to_the_next_step():
    s = session()
    started(s)
    run(s, press(7.0) + press(9.0) + press(9.25), start=0.1)
    log: list = []
    finish(s, 9.4, log)
    said = spoken(log)
    assert said[0] == "Hold right."
    assert s.hold_played[0] < 10_000  # the rest of that hold was skipped, as asked


def test_session_waiting_short_press_goes_on_and_long_press_stops():
    s = session()
    started(s)
    log: list = []
    finish(s, 0.1, log, horizon=40)
    assert s.state is State.WAITING and Changed(State.WAITING) in actions(log)
    at = log[-1][0]
    run(s, press(at + 5), start=at)
    assert s.state is State.PLAYING
    log = []
    finish(s, at + 6, log)
    assert spoken(log) == ["End.", timeline.CLOSING]
    assert [a.ending for a in actions(log) if isinstance(a, Ended)] == [Ending.COMPLETED]

    s = session()
    started(s)
    finish(s, 0.1, [], horizon=40)
    log = run(s, press(100.0, length=2.0), start=40)
    assert [a.ending for a in actions(log) if isinstance(a, Ended)] == [Ending.STOPPED]


def test_session_pause_longer_than_the_timeout_ends_quietly():
    s = session(pause_timeout=60)
    started(s)
    log = run(s, press(7.0), start=0.1)
    finish(s, 7.1, log)
    (ended,) = [a for a in actions(log) if isinstance(a, Ended)]
    assert ended.ending is Ending.PAUSE_TIMEOUT and log[-1][0] == pytest.approx(67.0)
    assert not [a for t, _, acts in log if t > 7.2 for a in acts if isinstance(a, Play)]


def test_session_events_that_mean_nothing_change_nothing():
    s = session()
    for event in (
        Command("resume"),
        Command("pause"),
        Command("stop"),
        Command("skip"),
        Command("start", "nope"),
        Tick(),
        ButtonEdge(False),
    ):
        assert s.handle(event, 1.0) == []
        assert s.state is State.IDLE and s.plan is None


def test_session_press_during_stop_note_silences_it_and_goes_idle():
    s = session()
    started(s)
    run(s, press(7.0, length=2.0), start=0.1)
    assert s.state is State.STOPPING
    log = run(s, press(9.2), start=9.0)
    assert log[0][2] == [Silence(), Changed(State.IDLE)]
    assert s.state is State.IDLE and not [a for a in actions(log) if isinstance(a, Play)]


def test_session_press_during_resume_lead_in_pauses_again_where_it_was():
    s = session()
    started(s)
    run(s, press(7.0) + press(20.0), start=0.1)
    position = s.position
    log = run(s, press(22.5), start=20.1)
    assert log[-2][2][0] == Silence() and s.state is State.PAUSED
    assert s.position == position


def test_session_button_held_at_start_starts_nothing():
    s = session(pressed_at_start=True)
    log = run(s, [(1.0, ButtonEdge(False))])
    finish(s, 1.0, log)
    assert actions(log) == [] and s.state is State.IDLE


def test_session_shutdown_silences_and_records_service_stopped():
    s = session()
    started(s)
    acts = s.handle(Shutdown(), 8.0)
    assert acts[0] == Silence()
    assert [a.ending for a in acts if isinstance(a, Ended)] == [Ending.SERVICE_STOPPED]


def test_session_commands_start_pause_resume_stop():
    s = session()
    assert s.handle(Command("start", "other"), 0.0)[0] == Started(
        "other", "Title other", ("left", "right")
    )
    assert s.handle(Command("pause"), 0.5)[:2] == [Silence(), Changed(State.PAUSED)]
    assert Play(Chime("resume"), timeline=False) in s.handle(Command("resume"), 1.0)
    stop = s.handle(Command("stop"), 2.0)
    assert stop[0] == Silence() and any(isinstance(a, Ended) for a in stop)


def test_session_status_says_step_side_and_hold_left():
    s = session()
    started(s)
    finish(s, 0.1, [], horizon=7.0)
    status = s.status(7.0)
    assert (status.state, status.step, status.side) == (State.PLAYING, 2, "left")
    assert status.hold_left == pytest.approx(8.1, abs=0.01)


@pytest.mark.parametrize(("woken", "played"), [(-1, True), (0, False)])
def test_session_woken_late_plays_a_sound_only_if_some_of_it_is_left(woken, played):
    """A wake-up that comes after a sound's whole length (a stalled machine) must not start
    it from the beginning; one frame before its end, it still starts."""
    tl = plan(routine(step("Hold.", hold=10)))
    cue = next(e for e in tl.entries if e.sound == Speech("Hold."))
    session = Session([tl])
    session.handle(Command("start"), 0.0)
    late = session.handle(Tick(), (cue.end + woken) / tl.rate)
    assert (Play(Speech("Hold.")) in late) is played
