"""Faults and hostile input: what a person made is never changed, and nothing gives a traceback.
docs/reliability.md lists each fault with the test that shows it."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
import threading
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player import cli, config
from player.core.errors import ConfigError
from player.core.events import Command, State

from .daemonkit import Running, press, silenced_in_the_callback

SHORT = 'title = "Read only"\n[[step]]\nsay = "Hold."\nhold = 1\n'


def test_routine_files_are_only_read_never_written(tmp_path, settings, capsys, monkeypatch):
    path = tmp_path / "mine.toml"
    path.write_text(SHORT)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    before = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime
    conf = tmp_path / "c.toml"
    conf.write_text(f'[paths]\ncache = "{settings.paths.cache}"\n')
    assert cli.main(["check", str(path), "--config", str(conf)]) == 0
    assert (
        cli.main(["render", str(path), "-o", str(tmp_path / "out.wav"), "--config", str(conf)]) == 0
    )
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    played = subprocess.run(
        [sys.executable, "-m", "player", "play", str(path), "--config", str(conf)],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert played.returncode == 0, played.stderr
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime) == before


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_config_bytes_give_a_config_or_clear_lines(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("c") / "config.toml"
    path.write_bytes(data)
    try:
        config.load(path)
    except ConfigError as error:
        assert error.lines() and all(line.startswith(str(path)) for line in error.lines())


sections = st.sampled_from(["button", "audio", "voice", "player", "paths", "buton"])
values = st.one_of(
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        sections,
        st.dictionaries(
            st.sampled_from(
                [
                    "pin",
                    "hold_seconds",
                    "buffer_frames",
                    "volume",
                    "name",
                    "rate",
                    "routine",
                    "cache",
                    "sample_rate",
                    "device",
                    "wake_ms",
                    "x",
                ]
            ),
            values,
            max_size=4,
        ),
        max_size=4,
    )
)
def test_any_config_shape_gives_a_config_or_clear_lines(tmp_path_factory, document):
    def value(v):
        if isinstance(v, float):
            return "nan" if math.isnan(v) else repr(v)
        return json.dumps(v)

    text = "\n".join(
        f"[{name}]\n" + "\n".join(f"{k} = {value(v)}" for k, v in table.items())
        for name, table in document.items()
    )
    path = tmp_path_factory.mktemp("c") / "config.toml"
    path.write_text(text)
    try:
        loaded = config.load(path)
    except ConfigError as error:
        assert error.lines()
    else:
        assert 0 <= loaded.button.pin <= 27


def test_press_storm_neither_starves_the_loop_nor_delays_silence(pins, setup):
    pin = pins.pin(17)
    with Running(setup) as run:
        press(pin)
        run.until(lambda: run.session.state is State.PLAYING)

        def storm() -> None:
            for _ in range(500):  # a thousand edges, as fast as Python can make them
                pin.drive_low()
                pin.drive_high()

        thread = threading.Thread(target=storm)
        thread.start()
        thread.join(timeout=60)
        time.sleep(1.0)  # let the last gestures settle
        # The loop kept up: it plays again when asked, and a press still silences at once.
        run.until(lambda: run.session.state in (State.IDLE, State.PAUSED, State.PLAYING))
        idle = run.session.state is State.IDLE
        run.daemon.runner.post(Command("start" if idle else "resume"))
        run.until(run.daemon.mixer.busy)
        assert silenced_in_the_callback(run, pin)
        time.sleep(2.0)  # a long press: stop
        pin.drive_high()
        run.until(lambda: run.session.state in (State.IDLE, State.STOPPING))
        assert run.thread.is_alive()


def test_only_the_monotonic_clock_times_sounds():
    """An NTP step moves the wall clock; sounds are timed by the monotonic one, so it cannot
    stretch a hold. The wall clock is only written into history: sessions, their notes, and
    when the web page's devices were paired and last seen."""
    import inspect
    from pathlib import Path

    import player
    from player.service.runner import Runner

    assert inspect.signature(Runner).parameters["clock"].default is time.monotonic
    readers = sorted(
        p.name
        for p in Path(player.__file__).parent.rglob("*.py")
        if "time.time(" in p.read_text() or "datetime.now(" in p.read_text()
    )
    assert readers == ["devices.py", "history.py", "notes.py"]
