"""Session history: a row for every session, whatever way it ends, and after a crash."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from player import cli
from player.core.events import Command, Ended, Ending, Play, Shutdown
from player.core.session import Session
from player.core.sounds import Speech
from player.core.timeline import REMINDER
from player.records.history import FILE, MIGRATIONS, History, Recorder, repeated_stop

from .corekit import actions, finish, plan, routine, run, step


def ended(ending: Ending, step: int = 0, side: str | None = None) -> Ended:
    return Ended("r", ending, step, side, 61.5, (("left", 30.0), ("right", 31.5)))


def test_history_row_is_written_at_start_and_completed_at_end(tmp_path):
    store = History(tmp_path)
    row = store.start("r", "Title r", 120.0)
    (begun,) = store.since(3600)
    assert (begun.ending, begun.ended, begun.planned_seconds) == ("interrupted", None, 120.0)
    store.end(row, ended(Ending.STOPPED, 4, "left"))
    (done,) = store.since(3600)
    assert (done.ending, done.step, done.side) == ("stopped", 4, "left")
    assert done.side_seconds == {"left": 30.0, "right": 31.5} and done.played_seconds == 61.5
    store.close()


def test_history_every_kind_of_ending_is_kept(tmp_path):
    store = History(tmp_path)
    for ending in Ending:
        store.end(store.start("r", "R", 10.0), ended(ending))
    store.start("r", "R", 10.0)  # never ended: the power went
    assert [r.ending for r in store.since(3600)] == [
        "completed",
        "stopped",
        "pause timeout",
        "service stopped",
        "interrupted",
    ]


def test_history_migrates_and_reopens_with_the_same_rows(tmp_path):
    store = History(tmp_path)
    store.start("r", "R", 10.0)
    store.close()
    again = History(tmp_path)
    assert len(again.since(3600)) == 1
    with sqlite3.connect(tmp_path / FILE) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_history_repeated_stop_at_the_same_step_arms_the_reminder(tmp_path):
    r = routine(step("One.", hold=5), step("Two.", hold=5))
    tl = plan(r)
    session = Session([tl])
    store = History(tmp_path)
    recorder = Recorder(store, session)
    stops = [0, 1, 1]  # in the first hold, then twice in the second
    for now, hold in zip((0.0, 100.0, 200.0), stops, strict=True):
        at = now + tl.seconds(tl.holds[hold].start) + 1
        log = run(session, [(now, Command("start")), (at, Command("stop"))], start=now)
        finish(session, at, log)
        for action in actions(log):  # the session's own actions, as the daemon observes them
            recorder.observe(action)
    assert [(r.ending, r.step) for r in store.since(10**9)] == [("stopped", n) for n in (1, 2, 2)]
    assert session.reminders == {"r"}
    first = session.handle(Command("start"), 300.0)
    assert Play(Speech(REMINDER)) in first  # in the timeline, after the button's explanation
    assert session.reminders == set()  # said once, not at every start
    assert repeated_stop(store.last("r", 3))
    assert not repeated_stop([])


def test_history_reminder_is_off_when_the_config_says_so(tmp_path):
    session = Session([plan(routine(step("One.", hold=5)))])
    store = History(tmp_path)
    for _ in range(2):
        store.end(store.start("r", "R", 1.0), ended(Ending.STOPPED, 1))
    Recorder(store, session, reminders=False)
    assert session.reminders == set()


def test_history_command_shows_sessions_and_a_summary(tmp_path, capsys, own_folders):
    state = own_folders / ".local" / "state" / "routine-player"
    store = History(state)
    store.end(store.start("upper-glutes-hands", "Hands", 600.0), ended(Ending.COMPLETED))
    store.end(store.start("upper-glutes-hands", "Hands", 600.0), ended(Ending.STOPPED, 8, "left"))
    store.close()
    assert cli.main(["history"]) == 0
    out = capsys.readouterr().out
    assert "completed" in out and "stopped at step 8, left side" in out
    assert "Last 7 days: 2 sessions, 2:03 in all; left 1:00, right 1:03." in out
    assert cli.main(["history", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["sessions"] == 2 and data["sessions"][1]["step"] == 8


def test_history_survives_sigkill_mid_session(tmp_path, settings, own_folders):
    routine_file = tmp_path / "long.toml"
    routine_file.write_text('title = "Long"\n[[step]]\nsay = "Hold."\nhold = 60\n')
    env = {
        **os.environ,
        "SDL_AUDIODRIVER": "dummy",
        "XDG_CACHE_HOME": str(settings.paths.cache.parent),
    }
    command = [sys.executable, "-m", "player", "play", str(routine_file)]
    state = own_folders / ".local" / "state" / "routine-player"
    for _ in range(2):
        proc = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().startswith("Playing Long")
        time.sleep(1.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with sqlite3.connect(state / FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT routine, ending FROM sessions").fetchall()
    assert rows == [("long", "interrupted"), ("long", "interrupted")]


def test_history_service_stop_is_recorded(tmp_path):
    session = Session([plan(routine(step("One.", hold=5)))])
    store = History(tmp_path)
    recorder = Recorder(store, session)
    for action in session.handle(Command("start"), 0.0) + session.handle(Shutdown(), 3.0):
        recorder.observe(action)
    assert [r.ending for r in store.since(3600)] == ["service stopped"]
