"""The player explains the button before every routine: long for a new person, short later."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from player import config
from player.core import intro
from player.core.errors import ConfigError
from player.core.events import Command, Ended, Ending, Play, Started
from player.core.routine import load
from player.core.session import Session
from player.core.sounds import Speech
from player.core.timeline import REMINDER
from player.records.history import History, Recorder
from player.routines import plans

from .corekit import actions, finish, plan, routine, routines, run, spoken, step
from .test_core_properties import PROPERTY, expand, scripts

OPENING = (intro.BUTTON,)


def first_lines(session: Session, count: int = 1, at: float = 0.0, **start) -> list[str]:
    """The first lines of speech a session started at `at` says."""
    log = run(session, [(at, Command("start", **start))], start=at)
    finish(session, at, log)
    return spoken(log)[:count]


@PROPERTY
@given(routines, st.booleans(), st.booleans(), scripts)
def test_intro_every_session_s_first_speech_is_the_button(r, brief, by_press, script):
    session = Session([plan(r, opening=OPENING)], pause_timeout=120)
    session.brief = brief
    start = [(0.0, Command("start"))] if not by_press else expand([(0.0, "short")])
    log = run(session, [*start, *expand(script)])
    finish(session, log[-1][0], log)
    firsts, waiting = [], False
    for action in actions(log):
        if isinstance(action, Started):
            waiting = True
        elif waiting and isinstance(action, Play) and isinstance(action.sound, Speech):
            firsts.append(action.sound.text)
            waiting = False
    assert firsts and set(firsts) == {intro.BUTTON_SHORT if brief else intro.BUTTON}


def test_intro_is_two_short_sentences_and_the_reminder_one_line():
    assert intro.BUTTON.count(". ") + intro.BUTTON.endswith(".") == 2
    for needle in (
        "once to pause",
        "again to go on",
        "come off the pressure, then hold",
        intro.PAIN,
    ):
        assert needle in intro.BUTTON.lower(), needle
    assert intro.BUTTON_SHORT.count(". ") <= 1 and len(intro.BUTTON_SHORT) < len(intro.BUTTON)


def test_intro_comes_before_the_title_and_the_repeated_stop_reminder():
    r = routine(step("One.", hold=5))
    session = Session([plan(r, opening=OPENING)])
    session.reminders.add("r")
    assert first_lines(session, 3) == [intro.BUTTON, REMINDER, "Title r"]
    assert first_lines(session, 2, at=100.0) == [intro.BUTTON, "Title r"]  # the reminder: once


def test_intro_long_for_a_new_person_short_once_history_shows_finished_sessions(tmp_path):
    r = routine(step("One.", hold=1))
    session = Session([plan(r, opening=OPENING)])
    store = History(tmp_path)
    recorder = Recorder(store, session)
    heard = []
    for number in range(intro.SESSIONS_TO_LEARN + 1):
        log = run(session, [(number * 100.0, Command("start"))], start=number * 100.0)
        finish(session, number * 100.0, log)
        for action in actions(log):
            recorder.observe(action)
        heard.append(spoken(log)[0])
    assert heard == [intro.BUTTON] * intro.SESSIONS_TO_LEARN + [intro.BUTTON_SHORT]
    assert [row.ending for row in store.since(3600)] == ["completed"] * len(heard)


def test_intro_short_after_a_restart_when_history_already_knows(tmp_path):
    session = Session([plan(routine(step("One.", hold=5)), opening=OPENING)])
    store = History(tmp_path)
    for _ in range(intro.SESSIONS_TO_LEARN):
        store.end(store.start("r", "R", 10.0), Ended("r", Ending.COMPLETED, 0, None, 1.0, ()))
    Recorder(store, session)
    assert first_lines(session) == [intro.BUTTON_SHORT]


def test_intro_stopped_sessions_do_not_count_as_learned(tmp_path):
    session = Session([plan(routine(step("One.", hold=5)), opening=OPENING)])
    store = History(tmp_path)
    for _ in range(intro.SESSIONS_TO_LEARN):
        store.end(store.start("r", "R", 10.0), Ended("r", Ending.STOPPED, 1, None, 1.0, ()))
    Recorder(store, session)
    assert first_lines(session) == [intro.BUTTON]


def test_intro_is_in_the_planned_length_and_the_config_can_turn_it_off(write, settings):
    r = routine(step("One.", hold=1))
    assert plans.opening(settings) == (intro.BUTTON,)
    off = replace(settings, player=replace(settings.player, button_intro=False))
    assert plans.opening(off) == ()
    loaded = load(write("r.toml", 'title = "Intro"\n[[step]]\nsay = "One."\nhold = 1\n'))
    with_intro = plans.prepare(loaded, settings).timeline
    without = plans.prepare(loaded, off).timeline
    said = [e.sound.text for e in with_intro.entries if isinstance(e.sound, Speech)]
    assert said[:2] == [intro.BUTTON, "Intro"]
    assert with_intro.length - without.length >= with_intro.speech[intro.BUTTON]
    assert first_lines(Session([without])) == ["Intro"]
    assert first_lines(Session([plan(r)])) == ["Title r"]  # a plan with no opening says none


def test_intro_config_key_is_checked_like_any_other(write):
    assert config.load(write("on.toml", "")).player.button_intro is True
    assert (
        config.load(write("off.toml", "[player]\nbutton_intro = false\n")).player.button_intro
        is False
    )
    bad = write("bad.toml", '[player]\nbutton_intro = "no"\n')
    with pytest.raises(ConfigError) as error:
        config.load(bad)
    assert error.value.lines() == [
        f'{bad}: player.button_intro: expected true or false, found "no"'
    ]
