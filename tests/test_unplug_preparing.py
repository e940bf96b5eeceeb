"""A sound device that goes away while the daemon prepares routines in the background (a USB
speaker pulled out, as tests/test_daemon.py simulates it): no routine is lost."""

from __future__ import annotations

import logging
import threading

import pytest

from player.core.events import Command, State
from player.core.sounds import Speech
from player.routines import library, prepare

from .daemonkit import Running, press

EVERY = {"short"} | {p.stem for p in library.shipped_folder().glob("*.toml")}


class Unplug:
    """At the background renderer's first routine, the device goes: the mixer is let go and
    opening it fails (SDL's disk driver cannot create its file), as after an unplug."""

    def __init__(self, monkeypatch, disk_audio, tmp_path) -> None:
        self.monkeypatch, self.disk_audio, self.missing = monkeypatch, disk_audio, tmp_path
        self.gone = threading.Event()
        real = prepare.raw_sounds

        def first_unplugs(plan, files, mixer):
            if threading.current_thread().name == "render" and not self.gone.is_set():
                monkeypatch.setenv("SDL_DISKAUDIOFILE", str(tmp_path / "unplugged" / "out.raw"))
                mixer.suspend()
                self.gone.set()
            return real(plan, files, mixer)

        monkeypatch.setattr(prepare, "raw_sounds", first_unplugs)

    def plug_back(self) -> None:
        self.monkeypatch.setenv("SDL_DISKAUDIOFILE", str(self.disk_audio))


def quick(setup) -> str:
    """The test's config without the button's explanation, which would add its seconds of
    real-time speech before every one of the routines played here."""
    return setup.read_text().replace("[player]\n", "[player]\nbutton_intro = false\n")


@pytest.fixture
def unplug(monkeypatch, disk_audio, tmp_path) -> Unplug:
    return Unplug(monkeypatch, disk_audio, tmp_path)


def every_routine_plays(run: Running, pin) -> None:
    for rid in sorted(EVERY):
        run.daemon.runner.post(Command("start", rid))
        title = run.session.plans[rid].routine.title
        run.until(lambda title=title: run.played(Speech(title)))
        assert run.session.state is State.PLAYING and run.daemon.mixer.is_open
        run.daemon.runner.post(Command("stop"))
        run.until(lambda: run.session.state is State.STOPPING)
        press(pin)  # a press cuts the stop note short
        run.until(lambda: run.session.state is State.IDLE)


def test_unplug_while_preparing_loses_no_routine(pins, setup, unplug, caplog):
    """At the mixer's own rate nothing needs the device: every routine is ready meanwhile."""
    caplog.set_level(logging.INFO, logger="routine-player")
    setup.write_text(quick(setup) + "[audio]\nwake_ms = 0\nsample_rate = 22050\n")
    with Running(setup) as run:
        run.until(lambda: set(run.session.plans) == EVERY, timeout=120)
        assert unplug.gone.is_set() and not run.daemon.mixer.is_open
        assert "waits for the sound device" not in caplog.text
        unplug.plug_back()
        every_routine_plays(run, pins.pin(17))


def test_unplug_while_preparing_resampled_routines_wait_for_the_device(pins, setup, unplug, caplog):
    """At another rate the sounds are resampled by pygame, with the device open: routines
    wait for it, and are tried again when it returns."""
    caplog.set_level(logging.INFO, logger="routine-player")
    setup.write_text(quick(setup) + "[audio]\nwake_ms = 0\nsample_rate = 44100\n")
    with Running(setup) as run:
        run.until(lambda: "waits for the sound device" in caplog.text, timeout=120)
        assert set(run.session.plans) != EVERY
        unplug.plug_back()
        run.until(lambda: set(run.session.plans) == EVERY, timeout=120)
        every_routine_plays(run, pins.pin(17))
