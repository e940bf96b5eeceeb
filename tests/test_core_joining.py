"""A phone asks to join and the button allows it (issue 27), in the core: `now` stepped by
hand, never sleeping. The rule under test is the session's rule 6."""

from __future__ import annotations

from player.core import joining, timeline
from player.core.events import (
    AskToJoin,
    ButtonEdge,
    Changed,
    Command,
    Play,
    Silence,
    Started,
    State,
)
from player.core.session import Session
from player.core.sounds import Chime, Speech

from .corekit import CHIME_FRAMES, RATE, actions, plan, routine, run, speech_frames, step

R = routine(step("Intro.", hold=5))
WORD = "river"
HEARD = 2.3  # the ask (1 s), a gap, the word's line (1 s), a gap: the announcement's end


def session(rendered: bool = True) -> Session:
    """A session whose speech includes the joining lines (as the daemon renders them)."""
    if not rendered:
        return Session([plan(R)])
    texts = [*timeline.speech_texts(R), *joining.lines()]
    speech = {text: speech_frames(text) for text in texts}
    return Session([timeline.plan(R, speech, CHIME_FRAMES, RATE, 0)])


def press(at: float, length: float = 0.1) -> list:
    return [(at, ButtonEdge(True)), (at + length, ButtonEdge(False))]


def test_core_join_asked_while_idle_says_the_ask_and_the_word_then_waits():
    s = session()
    log = run(s, [(0.0, AskToJoin(WORD))])
    assert log[0][2] == [Changed(State.ASKING), Play(Speech(joining.ASK), timeline=False)]
    assert s.state is State.ASKING and s.asking == WORD and s.next_deadline() == 1.15
    later = run(s, [(HEARD, Command("status"))], start=0.0)
    word = Play(Speech(joining.word_line(WORD)), timeline=False)
    assert word in actions(later) and s.state is State.ASKING


def test_core_join_a_short_press_after_the_word_allows_that_phone_alone():
    s = session()
    log = run(s, [(0.0, AskToJoin(WORD)), *press(HEARD + 5)])
    assert s.state is State.IDLE and s.allowed == WORD and s.asking is None
    done = actions(log)
    assert Play(Speech(joining.ALLOWED), timeline=False) in done
    assert not any(isinstance(a, Started) for a in done)  # the press started nothing


def test_core_join_a_press_during_the_announcement_allows_nobody_and_starts_nothing():
    s = session()
    log = run(s, [(0.0, AskToJoin(WORD)), *press(1.0)])
    assert log[1][2] == [Silence(), Changed(State.IDLE)]  # the ask is cut short and refused
    assert s.state is State.IDLE and s.allowed is None and s.asking is None
    assert not any(isinstance(a, Started) for a in actions(log))
    run(s, press(5.0), start=1.1)
    assert s.state is State.PLAYING  # the next press is an ordinary one


def test_core_join_a_long_press_refuses_with_the_stop_tone():
    s = session()
    log = run(s, [(0.0, AskToJoin(WORD)), *press(HEARD + 1, length=2.0)])
    assert Play(Chime("stop"), timeline=False) in actions(log)
    assert s.state is State.IDLE and s.allowed is None


def test_core_join_unanswered_is_refused_quietly_after_its_half_minute():
    s = session()
    run(s, [(0.0, AskToJoin(WORD))])
    assert s.next_deadline() == 1.15
    log = run(s, [(HEARD + joining.ASK_SECONDS + 1, Command("status"))], start=0.0)
    assert s.state is State.IDLE and s.allowed is None
    assert Changed(State.IDLE) in actions(log)
    assert not any(isinstance(a, Play) and a.sound == Speech(joining.ALLOWED) for a in actions(log))
    run(s, press(HEARD + joining.ASK_SECONDS + 2), start=HEARD + joining.ASK_SECONDS + 1)
    assert s.state is State.PLAYING and s.allowed is None  # a late press starts, allows none


def test_core_join_is_never_asked_while_a_routine_plays_or_the_button_is_down():
    s = session()
    run(s, press(0.0))
    assert s.state is State.PLAYING
    assert s.handle(AskToJoin(WORD), 0.5) == [] and s.state is State.PLAYING
    held = session()
    held.handle(ButtonEdge(True), 0.0)
    assert held.handle(AskToJoin(WORD), 0.1) == [] and held.asking is None
    log = run(held, [(0.2, ButtonEdge(False))], start=0.1)
    assert any(isinstance(a, Started) for a in actions(log))  # the press meant to start did


def test_core_join_stop_refuses_and_start_waits_for_the_answer():
    s = session()
    run(s, [(0.0, AskToJoin(WORD)), (3.0, Command("status"))])
    assert s.handle(Command("start"), 3.0) == [] and s.state is State.ASKING
    assert s.handle(Command("stop"), 3.1) == [Silence(), Changed(State.IDLE)]
    assert s.state is State.IDLE and s.allowed is None


def test_core_join_needs_a_known_word_and_its_lines_rendered():
    assert session().handle(AskToJoin("password"), 0.0) == []
    assert session(rendered=False).handle(AskToJoin(WORD), 0.0) == []


def test_core_join_a_new_ask_forgets_the_last_phone_allowed():
    s = session()
    run(s, [(0.0, AskToJoin(WORD)), *press(HEARD + 1)])
    assert s.allowed == WORD
    run(s, [(20.0, AskToJoin("apple"))], start=HEARD + 1.1)
    assert s.allowed is None and s.asking == "apple"
