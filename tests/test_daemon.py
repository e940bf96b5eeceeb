"""The daemon end to end, in-process: gpiozero's MockFactory for the button and SDL's disk
driver for the speaker. Presses are `pin.drive_low()`, which runs the callbacks right here."""

from __future__ import annotations

import array
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from player import config
from player.core.events import Ended, Ending, State
from player.core.sounds import Speech
from player.core.timeline import STOP_NOTE
from player.service import daemon as daemon_module
from player.service import device
from player.voice.cache import SpeechCache

from .daemonkit import CUE, LOUD, Running, press


def test_daemon_press_starts_the_default_routine(pins, setup):
    with Running(setup) as run:
        assert run.session.state is State.IDLE
        press(pins.pin(17))
        run.until(lambda: run.session.state is State.PLAYING)
        run.until(lambda: run.played(Speech("Daemon test")))


def test_daemon_press_mid_cue_is_silent_within_one_buffer(pins, setup, disk_audio):
    with Running(setup) as run:
        press(pins.pin(17))
        run.until(lambda: run.played(Speech(CUE)))
        time.sleep(1.0)
        pins.pin(17).drive_low()  # the callback silences before drive_low returns
        at = os.path.getsize(disk_audio) // 2
        time.sleep(0.6)
        pins.pin(17).drive_high()
        run.until(lambda: run.session.state is State.PAUSED)
        buffer, second = run.daemon.mixer.buffer_frames, run.daemon.mixer.rate
    played = array.array("h", disk_audio.read_bytes())
    assert any(abs(x) > LOUD for x in played[at - 4000 : at])  # the cue was sounding
    last_loud = max(i for i, x in enumerate(played[: at + second // 2]) if abs(x) > LOUD)
    assert last_loud - at <= buffer + 2048  # one buffer, plus SDL's 4 KiB file buffer


def test_daemon_short_press_resumes_with_the_exact_hold_left(pins, setup):
    with Running(setup) as run:
        press(pins.pin(17))
        run.until(lambda: run.session.status(time.monotonic()).hold_left is not None)
        time.sleep(1.0)
        press(pins.pin(17))  # pause, a second into the first hold
        run.until(lambda: run.session.state is State.PAUSED)
        time.sleep(1.0)
        press(pins.pin(17))  # resume
        run.until(lambda: any(isinstance(a, Ended) for _, a in run.actions))
        ended = next(a for _, a in run.actions if isinstance(a, Ended))
        assert ended.ending is Ending.COMPLETED
        plan = run.session.plans["short"]
        assert run.session.hold_played == [h.end - h.start for h in plan.holds]


def test_daemon_long_press_stops_and_speaks_the_stop_note(pins, setup, caplog):
    caplog.set_level(logging.INFO, logger="routine-player")
    with Running(setup) as run:
        press(pins.pin(17))
        run.until(lambda: run.played(Speech(CUE)))
        press(pins.pin(17), length=1.8)
        run.until(lambda: run.played(Speech(STOP_NOTE)))
        ended = next(a for _, a in run.actions if isinstance(a, Ended))
        assert (ended.ending, ended.step) == (Ending.STOPPED, 1)
    assert "stopped: short at step 1" in caplog.text


def test_daemon_button_held_at_start_up_starts_nothing(pins, setup):
    pins.pin(17).drive_low()
    with Running(setup) as run:
        time.sleep(0.3)
        pins.pin(17).drive_high()
        time.sleep(0.5)
        assert run.session.state is State.IDLE and run.actions == []


def test_daemon_contact_bounce_is_one_press(pins, setup):
    with Running(setup) as run:
        pin = pins.pin(17)
        for level in (False, True, False, True, False):  # chatter within a few ms
            pin.drive_low() if not level else pin.drive_high()
        time.sleep(0.1)
        for level in (True, False, True):
            pin.drive_high() if level else pin.drive_low()
        run.until(lambda: run.session.state is State.PLAYING)
        time.sleep(0.5)
        assert run.session.state is State.PLAYING  # not started and then paused
        assert sum(1 for _, a in run.actions if type(a).__name__ == "Started") == 1


def daemon_process(setup: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "player", "daemon", "--config", str(setup)],
        env={**os.environ, "GPIOZERO_PIN_FACTORY": "mock", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_daemon_notifies_systemd_and_exits_0_on_sigterm(setup, tmp_path):
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(30)
        proc = daemon_process(setup, NOTIFY_SOCKET=address, WATCHDOG_USEC="200000")
        seen: list[str] = []
        while not ("READY=1" in seen and "WATCHDOG=1" in seen):
            seen += sock.recv(4096).decode().splitlines()
        assert any(line.startswith("STATUS=idle") for line in seen)
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        while "STOPPING=1" not in seen:
            seen += sock.recv(4096).decode().splitlines()
    out = proc.stdout.read()
    assert "ready: short selected" in out and "stopping" in out
    assert "Traceback" not in proc.stderr.read()


def test_daemon_refuses_to_start_with_a_broken_selected_routine(setup, tmp_path):
    (tmp_path / "routines" / "short.toml").write_text('title = "x"\n[[step]]\nsya = "x"\n')
    proc = daemon_process(setup)
    assert proc.wait(timeout=30) == 1
    err = proc.stderr.read()
    assert err.splitlines() == [
        f'{setup}: player.routine: expected a routine the player can see, found "short"'
    ]
    assert "skipped a broken routine:" in proc.stdout.read()


def test_daemon_skips_a_broken_routine_but_starts(pins, setup, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="routine-player")
    (tmp_path / "routines" / "broken.toml").write_text("title = ")
    with Running(setup) as run:
        assert run.session.state is State.IDLE
    assert "skipped a broken routine:" in caplog.text and "broken.toml" in caplog.text


def test_daemon_bad_config_is_one_line_per_problem_and_no_start(setup):
    setup.write_text("[button]\npin = 99\n[player]\nroutine = 'short'\nsafety = 1\n")
    proc = daemon_process(setup)
    assert proc.wait(timeout=30) == 1
    assert proc.stderr.read().splitlines() == [
        f"{setup}: button.pin: expected a BCM GPIO number from 0 to 27, found 99",
        f'{setup}: player.safety: unknown field (did you mean "safety_reminder"?)',
    ]


def test_daemon_waits_for_a_sound_device_and_starts_when_one_appears(
    pins, setup, tmp_path, monkeypatch, caplog
):
    caplog.set_level(logging.INFO, logger="routine-player")
    later = tmp_path / "plugged-in-later" / "out.raw"
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(later))  # no such folder yet: no device
    monkeypatch.setattr(device, "DEVICE_RETRY_SECONDS", 0.1)
    daemon = daemon_module.Daemon(config.load(setup))
    starting = threading.Thread(target=daemon.start)
    starting.start()
    time.sleep(0.5)
    assert starting.is_alive() and not daemon.mixer.is_open
    later.parent.mkdir()
    starting.join(timeout=30)
    assert daemon.mixer.is_open and daemon.session.state is State.IDLE
    daemon.shut_down()
    daemon.close()
    assert caplog.text.count("waiting for a sound device") == 1  # said once, not every retry


def test_daemon_sigterm_while_rendering_exits_0_and_leaves_no_half_files(tmp_path, settings):
    cache = tmp_path / "cold-cache"
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[paths]\ncache = "{cache}"\nstate = "{tmp_path / "state"}"\n'
        f'control_socket = "{tmp_path / "c.sock"}"\n'
    )
    proc = daemon_process(config_file, SDL_AUDIODRIVER="dummy")
    while not (cache / "speech").exists() or len(list((cache / "speech").iterdir())) < 3:
        time.sleep(0.01)  # rendering the foam roller's speech has begun
    proc.terminate()
    assert proc.wait(timeout=30) == 0
    assert "Traceback" not in proc.stderr.read()
    leftovers = [
        p.name
        for p in (cache / "speech").iterdir()
        if not p.name.endswith(".wav") or p.name.startswith(".")
    ]
    assert leftovers == []


def test_daemon_stop_waits_for_one_line_of_the_background_render(pins, setup, monkeypatch):
    """A stop while the other routines render waits for the line in hand, not the routine:
    in the emulated Pi a whole routine outlasted the unit's 5 s TimeoutStopSec (SIGKILL)."""
    steps = "".join(f'[[step]]\nsay = "Slow line {n}."\n' for n in range(1, 11))
    (setup.parent / "routines" / "slow.toml").write_text(f'title = "Slow"\n{steps}')
    seen, reached, released = [], threading.Event(), threading.Event()
    path = SpeechCache.path

    def counted(cache: SpeechCache, text: str) -> Path:
        if text.startswith("Slow line"):
            seen.append(text)
            if len(seen) == 2:  # the render thread holds a line of the slow routine
                reached.set()
                released.wait(60)
        return path(cache, text)

    monkeypatch.setattr(SpeechCache, "path", counted)
    with Running(setup) as run:
        assert reached.wait(300), "the background render never reached the slow routine"
        run.daemon.shut_down()
        released.set()
    assert seen == ["Slow line 1.", "Slow line 2."]


def test_daemon_sigterm_while_waiting_for_a_device_exits_0(setup, tmp_path):
    proc = daemon_process(
        setup,
        SDL_AUDIODRIVER="disk",
        SDL_DISKAUDIOFILE=str(tmp_path / "no-such-folder" / "out.raw"),
    )
    line = proc.stdout.readline()
    assert line.startswith("waiting for a sound device:")
    proc.terminate()
    assert proc.wait(timeout=30) == 0
    assert "Traceback" not in proc.stderr.read()


def test_daemon_reload_takes_new_routines_and_keeps_the_old_when_broken(pins, setup, caplog):
    caplog.set_level(logging.INFO, logger="routine-player")
    with Running(setup) as run:
        run.until(lambda: len(run.session.plans) > 1)  # the shipped ones rendered meanwhile
        (setup.parent / "routines" / "extra.toml").write_text(
            'title = "Extra"\n[[step]]\nsay = "More."\n'
        )
        text = setup.read_text()
        setup.write_text(text.replace('routine = "short"', 'routine = "extra"'))
        run.daemon.runner.call(run.daemon.reload)
        run.until(lambda: "extra" in run.session.plans and run.session.selected == "extra")
        setup.write_text(text + "\n[button]\npin = 99\n")
        run.daemon.runner.call(run.daemon.reload)
        run.until(lambda: "reload kept the old config" in caplog.text)
        assert run.session.selected == "extra" and run.daemon.settings.player.routine == "extra"


def test_daemon_lets_the_device_go_when_idle_and_takes_it_back_to_play(
    pins, setup, monkeypatch, disk_audio
):
    monkeypatch.setattr(device, "RELEASE_SECONDS", 0.3)
    with Running(setup) as run:
        run.until(lambda: not run.daemon.mixer.is_open)  # idle: SDL's audio thread is gone
        press(pins.pin(17))
        run.until(lambda: run.played(Speech("Daemon test")))
        assert run.daemon.mixer.is_open
        time.sleep(1.0)
    played = array.array("h", disk_audio.read_bytes())
    assert max(abs(x) for x in played) > LOUD  # the reopened device really sounded


def test_daemon_device_lost_mid_routine_pauses_and_keeps_the_session(
    pins, setup, monkeypatch, tmp_path, caplog
):
    caplog.set_level(logging.INFO, logger="routine-player")
    with Running(setup) as run:
        press(pins.pin(17))
        run.until(lambda: run.played(Speech(CUE)))
        monkeypatch.setenv("SDL_DISKAUDIOFILE", str(tmp_path / "unplugged" / "out.raw"))
        run.daemon.mixer.suspend()  # the device goes; reopening it now fails
        run.until(lambda: run.session.state is State.PAUSED)
        assert "sound device lost, paused" in caplog.text and run.thread.is_alive()
        monkeypatch.setenv("SDL_DISKAUDIOFILE", str(tmp_path / "out.raw"))  # plugged back in
        press(pins.pin(17))
        run.until(lambda: run.session.state is State.PLAYING and run.daemon.mixer.is_open)


def test_daemon_device_removed_while_open_pauses_and_keeps_the_session(pins, setup, caplog):
    import pygame

    caplog.set_level(logging.INFO, logger="routine-player")
    with Running(setup) as run:
        press(pins.pin(17))
        run.until(lambda: run.played(Speech(CUE)))
        # What SDL 2.32 posted in `make vm-test` when the card went away while it played: the
        # open device's id, then, from its hotplug scan, which=0 for each device it had listed.
        pygame.event.post(pygame.event.Event(pygame.AUDIODEVICEREMOVED, which=2, iscapture=0))
        run.until(lambda: run.session.state is State.PAUSED)
        assert caplog.text.count("sound device lost, paused") == 1
        for capture in (0, 1, 0, 1):
            pygame.event.post(
                pygame.event.Event(pygame.AUDIODEVICEREMOVED, which=0, iscapture=capture)
            )
        press(pins.pin(17))  # plugged back in: a press resumes where it was
        run.until(lambda: run.session.state is State.PLAYING)
        time.sleep(2.5)  # two device checks: the listed devices' events are not ours
        assert run.session.state is State.PLAYING
        assert caplog.text.count("sound device lost, paused") == 1


def test_daemon_arms_the_reminder_for_routines_rendered_in_the_background(pins, setup):
    from player.core.events import Ended as EndedAction
    from player.records.history import History

    store = History(setup.parent / "state")
    for _ in range(2):
        row = store.start("upper-glutes-hands", "Hands", 600.0)
        store.end(row, EndedAction("upper-glutes-hands", Ending.STOPPED, 5, "left", 60.0, ()))
    store.close()
    with Running(setup) as run:
        run.until(lambda: "upper-glutes-hands" in run.session.plans)
        run.until(lambda: "upper-glutes-hands" in run.session.reminders)
        assert "short" not in run.session.reminders
