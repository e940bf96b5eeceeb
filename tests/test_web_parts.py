"""The web page's parts without a server: pairing codes and rate limits on a clock we pass in,
notes as the control socket checks them, the history read-only and its migration, exports."""

from __future__ import annotations

import csv
import datetime
import io
import sqlite3
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from player import cli, config
from player.core import joining
from player.core.errors import PlayerError
from player.records import history, notes
from player.service.control import parse
from player.web import live
from player.web.chart import minutes_chart
from player.web.pairing import (
    ASK_EVERY,
    ASK_WAIT,
    CODE_SECONDS,
    WRONG_PER_CODE,
    Asks,
    Codes,
    Window,
)
from player.web.records import Records, to_csv, week_of
from player.web.serve import listen_address


def test_web_code_is_good_once_and_expires():
    codes = Codes()
    code = codes.new(now=0.0)
    assert len(code) == 6 and code.isdecimal()
    assert codes.redeem(code, now=1.0) == "ok"
    assert codes.redeem(code, now=2.0) == "expired"  # used up
    late = codes.new(now=100.0)
    assert codes.redeem(late, now=100.0 + CODE_SECONDS) == "expired"


def test_web_code_guesses_are_limited_per_address_and_spare_the_owners():
    """Issue 27: five wrong guesses and five tries a minute were for everyone together, so
    one guessing device kept the owner out. Now they are per address."""
    codes = Codes()
    code = codes.new(now=0.0)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    guesser = [codes.redeem(wrong, now=float(n), peer="10.0.0.66") for n in range(5)]
    assert guesser == ["wrong"] * 5
    assert codes.redeem(code, now=5.0, peer="10.0.0.66") == "limited"
    assert codes.retry_after(now=5.0, peer="10.0.0.66") == pytest.approx(55.0)
    assert codes.redeem(code, now=61.0, peer="10.0.0.66") == "spent"  # its chances are over
    assert codes.retry_after(now=5.0, peer="10.0.0.7") == 0.0
    assert codes.redeem(code, now=6.0, peer="10.0.0.7") == "ok"  # the owner's are not


def test_web_code_is_burnt_by_many_wrong_guesses_from_every_address():
    codes = Codes()
    code = codes.new(now=0.0)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    for n in range(WRONG_PER_CODE):
        assert codes.redeem(wrong, now=1.0, peer=f"10.0.{n // 5}.{n % 5}") == "wrong"
    assert codes.redeem(code, now=2.0, peer="10.0.0.7") == "expired"


def test_web_asks_one_at_a_time_each_address_once_in_two_minutes():
    asks = Asks()
    ask = asks.begin("nonce", "10.0.0.66", now=0.0)
    assert ask.word in joining.WORDS and asks.current(now=1.0) == ask
    asks.asked("10.0.0.66", now=0.0)
    assert asks.wait("10.0.0.66", now=30.0) == pytest.approx(ASK_EVERY - 30.0)
    assert asks.wait("10.0.0.7", now=30.0) == 0.0
    assert asks.current(now=ASK_WAIT) is None  # no longer waited for
    mine = asks.begin("other", "10.0.0.7", now=ASK_WAIT)
    asks.end(ask)  # an old request ending leaves the new one
    assert asks.current(now=ASK_WAIT + 1) == mine
    asks.end(mine)
    assert asks.current(now=ASK_WAIT + 1) is None


def test_web_a_new_code_replaces_the_last():
    codes = Codes()
    first = codes.new(now=0.0)
    second = codes.new(now=1.0)
    assert first == second or codes.redeem(first, now=2.0) == "wrong"
    assert codes.redeem(second, now=3.0) == "ok"


@given(st.lists(st.floats(0, 100, allow_nan=False), max_size=60).map(sorted))
def test_web_window_never_allows_more_than_its_count_in_its_span(times):
    window = Window(5, 10.0)
    allowed = [t for t in times if window.allow(t)]
    for t in allowed:
        assert sum(t - 10.0 < u <= t for u in allowed) <= 5


def test_web_note_checks_say_the_field():
    good = {"session": 3, "effort": 0, "pain": 10, "where": " hip ", "text": "fine"}
    assert notes.check(good) == notes.Note(3, 0, 10, "hip", "fine")
    for change, message in (
        ({"session": 0}, "expected a session id for the note"),
        ({"effort": 11}, "expected effort as a whole number from 0 to 10"),
        ({"pain": True}, "expected pain as a whole number from 0 to 10"),
        ({"text": "x" * 501}, "expected text as text of at most 500 characters"),
        ({"where": "\x1b[2J"}, "expected where without control characters"),
    ):
        with pytest.raises(ValueError, match=message):
            notes.check({**good, **change})
    request = parse(b'{"command": "note", "note": {"session": 1, "effort": 2, "pain": 3}}')
    assert request["note"] == notes.Note(1, 2, 3)
    with pytest.raises(ValueError, match="expected a note"):
        parse(b'{"command": "note", "note": [1]}')


def test_web_migration_keeps_every_old_row_and_adds_notes(tmp_path):
    db = sqlite3.connect(tmp_path / history.FILE)
    db.executescript(f"{history.MIGRATIONS[0]} PRAGMA user_version = 1;")
    db.execute(
        "INSERT INTO sessions (started, routine, title, planned_seconds, ending)"
        " VALUES (1000, 'old', 'Old', 60, 'completed')"
    )
    db.commit()
    db.close()
    history.History(tmp_path).close()
    (old,) = Records(tmp_path).every()
    assert (old.routine, old.ending, old.note) == ("old", "completed", None)
    book = notes.NoteBook(tmp_path)
    assert book.write(notes.Note(old.id, 4, 1, "", "=cmd|' /C calc'!A0"))["ok"]
    assert not book.write(notes.Note(old.id + 1, 4, 1))["ok"]
    book.close()
    (noted,) = Records(tmp_path).every()
    assert noted.note.effort == 4
    row = next(csv.DictReader(io.StringIO(to_csv([noted]))))
    assert row["note"] == "'=cmd|' /C calc'!A0"  # a spreadsheet shows it, never runs it


def test_web_records_read_only_and_never_create_the_history(tmp_path):
    assert Records(tmp_path).every() == [] and not (tmp_path / history.FILE).exists()
    history.History(tmp_path).close()
    (tmp_path / history.FILE).chmod(0o444)
    assert Records(tmp_path).latest() is None


def test_web_week_is_monday_to_sunday():
    days = week_of(1, today=datetime.date(2026, 11, 28))  # a Saturday
    assert days[0] == datetime.date(2026, 11, 16) and days[-1] == datetime.date(2026, 11, 22)


def test_web_chart_has_a_bar_per_day_and_escapes_labels():
    svg = minutes_chart([("Mon", 12.0), ("<b>", 0.0)])
    assert svg.count("<rect") == 2 and "&lt;b&gt;" in svg and "<b>" not in svg


def test_web_stream_sends_changes_and_keeps_alive_without_waking_the_page():
    now = [0.0]
    states = iter([{"ok": True, "state": "idle"}] * 40 + [{"ok": False, "error": "gone"}] * 2000)
    events = live.stream(
        lambda: next(states), sleep=lambda s: now.__setitem__(0, now[0] + s), clock_=lambda: now[0]
    )
    sent = list(events)
    assert sent[0] == "retry: 2000\n\n"
    assert sum(e.startswith("data:") for e in sent) == 2  # idle, then unreachable
    assert ": still here\n\n" in sent and now[0] >= live.STREAM_SECONDS


def test_web_listen_address_must_be_an_address(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[web]\nlisten = "my-pi"\n')
    with pytest.raises(PlayerError) as error:
        listen_address(config.load(path))
    assert error.value.lines() == [f'{path}: web.listen: expected an IP address, found "my-pi"']


def test_web_without_its_extra_is_one_line(setup, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "waitress", None)  # as if not installed
    assert cli.main(["--config", str(setup), "web"]) == 1
    assert capsys.readouterr().err == (
        "routine-player web: expected the web page's libraries, found no waitress "
        "(pip install 'routine-player[web]', or sudo make install WEB=1)\n"
    )
