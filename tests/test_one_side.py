"""One side only: `play`/`render ROUTINE --side left`, the socket's start with "side", history."""

from __future__ import annotations

import json
import sqlite3
import wave

from player import cli
from player.core.events import Command, Ended, Started, State
from player.core.routine import load
from player.core.session import Session
from player.records.history import FILE, MIGRATIONS, History, Recorder
from player.routines import library, plans

from .corekit import actions, finish, plan, routine, run, spoken, step
from .daemonkit import Running
from .test_control import ask

R = routine(
    step("Start."),
    step("Roll {side}.", each_side=True, hold=5),
    step("Hold {side}, not {other_side}.", each_side=True, hold=5),
    step("End."),
)


def test_one_side_timeline_plays_that_side_s_steps_and_every_shared_step():
    left = plan(R, side="left")
    assert {span.side for span in left.steps} == {None, "left"}
    assert [span.step for span in left.steps] == [1, 2, 3, 4]
    assert left.sides == ("left",) and plan(R).sides == ("left", "right")
    assert left.length < plan(R).length


def test_one_side_start_command_plays_one_side_and_ends_with_its_seconds_only():
    session = Session([plan(R)])
    log = run(session, [(0.0, Command("start", "r", "right"))])
    finish(session, 0.0, log)
    said = spoken(log)
    assert "Roll right." in said and "Hold right, not left." in said
    assert not [line for line in said if "Roll left" in line or "Hold left" in line]
    (started,) = [a for a in actions(log) if isinstance(a, Started)]
    (ended,) = [a for a in actions(log) if isinstance(a, Ended)]
    assert started.sides == ("right",) and [s for s, _ in ended.side_seconds] == ["right"]


def test_one_side_a_side_the_routine_lacks_starts_nothing():
    session = Session([plan(R)])
    assert session.handle(Command("start", "r", "up"), 0.0) == []
    assert session.state is State.IDLE
    assert session.handle(Command("start", None, "left"), 0.0)[0] == Started(
        "r", "Title r", ("left",)
    )


def test_one_side_history_records_the_sides_and_migrates_older_rows(tmp_path):
    with sqlite3.connect(tmp_path / FILE) as db:  # a database from before the column
        db.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
        db.execute(
            "INSERT INTO sessions (started, routine, title, planned_seconds, side_seconds)"
            " VALUES (1.0, 'r', 'R', 1.0, ?)",
            (json.dumps({"left": 1.0, "right": 2.0}),),
        )
    store = History(tmp_path)
    session = Session([plan(R)])
    recorder = Recorder(store, session)
    for action in session.handle(Command("start", "r", "left"), 0.0):
        recorder.observe(action)
    old, new = store.last("r", 2)[::-1]
    assert old.sides == ["left", "right"] and new.sides == ["left"]
    assert new.planned_seconds == session.plan.seconds() < session.plans["r"].seconds()


def test_one_side_render_is_that_side_s_length(tmp_path, settings, capsys):
    conf = tmp_path / "c.toml"
    conf.write_text(f'[paths]\ncache = "{settings.paths.cache}"\n')
    name, out = "upper-glutes-first-time", tmp_path / "left.wav"
    code = cli.main(["render", name, "--side", "left", "-o", str(out), "--config", str(conf)])
    assert code == 0, capsys.readouterr().err
    with wave.open(str(out)) as w:
        seconds = w.getnframes() / w.getframerate()
    routine_file = load(library.locate(name, settings))
    whole, _ = plans.planned_seconds(routine_file, settings)
    left, exact = plans.planned_seconds(routine_file, settings, side="left")
    assert exact and seconds == left and 4 * 60 < whole - left < 7 * 60


def test_one_side_unknown_side_is_one_line(tmp_path, write, capsys):
    path = write("r.toml", 'title = "T"\nsides = ["left", "right"]\n[[step]]\nsay = "a"\n')
    for command in ("play", "render"):
        extra = ["-o", str(tmp_path / "o.wav")] if command == "render" else []
        assert cli.main([command, str(path), "--side", "up", *extra]) == 1
        (line,) = capsys.readouterr().err.splitlines()
        assert line == f'{path}: --side: expected one of left, right, found "up"'


def test_one_side_socket_start_with_a_side(pins, setup, capsys):
    conf = ["--config", str(setup)]
    with Running(setup) as run_:
        reply = json.loads(ask(setup.parent / "control.sock", b'{"command": "start", "side": 1}\n'))
        assert reply == {"ok": False, "error": "expected a side name, such as left"}
        assert cli.main(["start", "short", "--side", "up", *conf]) == 1
        assert 'side: expected one of left, right, found "up"' in capsys.readouterr().err
        assert run_.session.state is State.IDLE
        assert cli.main(["start", "short", "--side", "left", *conf]) == 0
        assert run_.session.plan is not None and run_.session.plan.side == "left"
        assert [a.sides for _, a in run_.actions if isinstance(a, Started)] == [("left",)]
