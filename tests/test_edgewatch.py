"""The button can never go deaf: a dead edge path is noticed, said once and healed, and a press
still silences; a raising callback costs a log line; edges during start-up are kept; the
start-up proof claims the line again and gives up in one line. gpiozero's MockFactory, with a
pin whose edges can be made never to reach their callback (docs/reliability.md)."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from gpiozero.pins.mock import MockPin

from player.button.alerts import AlertThread
from player.button.watch import EdgeWatch
from player.core.errors import ButtonError
from player.core.events import Silence, State
from player.core.sounds import Speech
from player.routines.prepare import Preparer

from .daemonkit import CUE, Running, loop_held, press

DEAF = "the button stopped reporting its edges"


class DeafPin(MockPin):
    """A pin whose edges never reach its callback while `deaf`, as when lgpio's alert thread
    missed its one wake-up. Claiming its edges again cures it (from the second arming on), as a
    second `gpio_claim_alert` wakes lgpio's thread."""

    def __init__(self, factory, info):
        super().__init__(factory, info)
        self.deaf = False
        self.curable = True
        self.armings = 0

    def _enable_event_detect(self):
        self.armings += 1
        if self.armings > 1 and self.curable:
            self.deaf = False

    def _call_when_changed(self):
        if not self.deaf:
            super()._call_when_changed()


@pytest.fixture
def deaf_pin(pins):
    return pins.pin(17, pin_class=DeafPin)


def test_edgewatch_path_dead_mid_cue_a_press_still_silences_said_once_and_healed(
    deaf_pin, setup, caplog
):
    caplog.set_level(logging.INFO, logger="routine-player")
    with Running(setup) as run:
        press(deaf_pin)
        run.until(lambda: run.played(Speech(CUE)))
        deaf_pin.deaf = True  # the edge path dies while the cue plays
        pressed = time.monotonic()
        deaf_pin.drive_low()  # no callback: only the line's level says it
        run.until(lambda: run.session.state is State.PAUSED)
        assert any(isinstance(a, Silence) and at >= pressed for at, a in run.actions)
        assert not run.daemon.mixer.busy()
        assert caplog.text.count(DEAF) == 1
        assert "a press was read from the line's level" in caplog.text
        run.until(lambda: deaf_pin.armings == 2 and not deaf_pin.deaf)  # claimed again
        deaf_pin.drive_high()  # heard through the callback again
        run.until(lambda: "the button's edges arrive again" in caplog.text)
        press(deaf_pin)  # a short press while paused
        press(deaf_pin)
        run.until(lambda: run.session.state is State.PLAYING)
    assert caplog.text.count(DEAF) == 1


def test_edgewatch_a_press_only_in_the_level_silences_without_the_loop(deaf_pin, setup):
    """The watch silences a press it reads in the level in its own thread, while the loop is
    held. Which thread silenced is checked, not how soon: a cue that ends by itself meanwhile,
    as it may on a busy machine, proves nothing either way."""
    with Running(setup) as run:
        real, silenced = run.daemon.watch._silence, []  # what the button was handed at wiring
        run.daemon.watch._silence = lambda: (silenced.append(threading.current_thread()), real())
        press(deaf_pin)
        run.until(lambda: run.played(Speech(CUE)) and run.daemon.mixer.busy())
        deaf_pin.deaf = True
        silenced.clear()
        with loop_held(run):  # for 10 s at most
            deaf_pin.drive_low()
            run.until(lambda: silenced, timeout=8)
            assert silenced[0] is run.daemon.watch._thread and not run.daemon.mixer.busy()
        deaf_pin.drive_high()


def held_until_read(run: Running, pin: DeafPin, armings: int) -> None:
    """Press a deaf pin and hold it until the watch has read the press from the line's level,
    which it follows by claiming the line again (the `armings`-th time); then release. A press
    held for a fixed time is lost if a busy machine holds the watch's thread that long."""
    pin.drive_low()
    run.until(lambda: pin.armings == armings)
    pin.drive_high()


def test_edgewatch_deaf_from_start_up_the_first_press_still_starts(deaf_pin, setup, caplog):
    caplog.set_level(logging.INFO, logger="routine-player")
    deaf_pin.deaf = True  # the first claim of its edges is lost, as lgpio's first wake-up can be
    with Running(setup) as run:
        held_until_read(run, deaf_pin, armings=2)  # a short press, started at its release
        run.until(lambda: run.session.state is State.PLAYING)
        assert caplog.text.count(DEAF) == 1 and deaf_pin.armings == 2
        press(deaf_pin)  # now through the callback, at once
        run.until(lambda: run.session.state is State.PAUSED)
        assert caplog.text.count(DEAF) == 1


def test_edgewatch_a_path_that_stays_dead_is_said_once_and_every_press_counts(
    deaf_pin, setup, caplog
):
    caplog.set_level(logging.INFO, logger="routine-player")
    deaf_pin.deaf, deaf_pin.curable = True, False  # claiming it again does not help
    with Running(setup) as run:
        held_until_read(run, deaf_pin, armings=2)
        run.until(lambda: run.session.state is State.PLAYING)
        held_until_read(run, deaf_pin, armings=4)  # claimed for the press, its release, this one
        run.until(lambda: run.session.state is State.PAUSED)
        assert caplog.text.count(DEAF) == 1 and deaf_pin.armings >= 4


def test_edgewatch_a_raising_callback_is_logged_and_the_next_press_works(pins, setup, caplog):
    caplog.set_level(logging.INFO, logger="routine-player")
    with Running(setup) as run:
        real = run.daemon.mixer.silence  # what the button was handed at wiring
        calls = []

        def broken() -> None:
            calls.append(threading.current_thread())
            if len(calls) == 1:
                raise RuntimeError("a broken mixer")
            real()

        run.daemon.watch._silence = broken
        press(pins.pin(17))  # the callback raises inside; nothing reaches lgpio's thread
        run.until(lambda: run.session.state is State.PLAYING)  # the edge was handed on
        assert "a broken mixer" in caplog.text
        calls.clear()
        press(pins.pin(17))
        assert calls[0] is threading.current_thread()  # silenced in the callback's own thread
        run.until(lambda: run.session.state is State.PAUSED)


def test_edgewatch_edges_while_starting_are_kept(pins, setup, monkeypatch):
    first = Preparer.first

    def slow_first(preparer, loaded, *progress):
        press(pins.pin(17))  # a press while the daemon renders, before the loop exists
        return first(preparer, loaded, *progress)

    monkeypatch.setattr(Preparer, "first", slow_first)
    with Running(setup) as run:
        run.until(lambda: run.session.state is State.PLAYING)


def test_edgewatch_watchdog_reports_are_never_a_press(pins):
    edges: list[bool] = []
    watch = EdgeWatch(17, lambda: None, edges.append)
    watch.attach(lambda pressed, at: edges.append(pressed))
    try:
        press(pins.pin(17), length=0)
        watch.button._changed(0.0, 2)  # lgpio's level for a watchdog timeout
        pins.pin(17).drive_low()
        assert edges == [True, False, True]
    finally:
        watch.close()


class FakeAlert:
    """lgpio's alert thread as the start-up proof sees it: parked or polling, per look."""

    def __init__(self, verdicts: list[bool], alive: bool | None = None) -> None:
        self.verdicts, self.reclaims, self.rate, self.polling = verdicts, 0, 2000.0, alive

    def prove(self) -> bool:
        return self.verdicts.pop(0)

    def alive(self) -> bool | None:
        return self.polling

    def reclaim(self) -> None:
        self.reclaims += 1


def test_edgewatch_start_up_proof_claims_again_until_the_reader_polls(pins, caplog):
    watch = EdgeWatch(17, lambda: None, lambda line: None)
    try:
        watch.alert = FakeAlert([False, True])  # parked at the first claim, as in the race
        watch.prove()
        assert watch.alert.reclaims == 1
        assert "did not start: claiming it again" in caplog.text
        watch.alert = FakeAlert([False] * 5)
        with pytest.raises(ButtonError) as failed:
            watch.prove()
        assert failed.value.lines() == [
            "button: expected lgpio to report the button's edges, found its reader asleep "
            "after 5 claims; exiting so that the service is started again"
        ]
    finally:
        watch.close()


def test_lgpio_alerts_census_tells_a_polling_thread_from_a_parked_one():
    stop, parked, ids = threading.Event(), threading.Event(), []

    def poller() -> None:  # as lgpio's alert thread: ppoll every 0.5 ms
        ids.append(threading.get_native_id())
        while not stop.is_set():
            time.sleep(0.0005)
        parked.set()
        threading.Event().wait(10)  # as after a lost wake-up: no switch at all

    threading.Thread(target=poller, daemon=True).start()
    while not ids:
        time.sleep(0.001)
    alert = AlertThread(pin=None, candidates=[ids[0]])
    assert alert.alive() is None  # never proven: cannot tell
    assert alert.prove()
    stop.set()
    parked.wait()
    verdicts = [alert.alive() for _ in range(20) if not time.sleep(0.01)]
    assert verdicts[-1] is False
    assert not AlertThread(pin=None, candidates=[ids[0]]).prove(within=0.1)


def test_edgewatch_a_lost_release_never_hides_the_next_press(pins, caplog):
    edges: list[bool] = []
    watch = EdgeWatch(17, lambda: None, edges.append)
    watch.attach(lambda pressed, at: edges.append(pressed))
    try:
        watch.button._changed(0.0, 0)  # pressed, as lgpio reports it
        watch.button._changed(0.0, 0)  # pressed again: the release between was lost (lg #18)
        assert edges == [True, False, True]
        assert "one was lost" in caplog.text
    finally:
        watch.close()


def test_edgewatch_a_reader_that_stops_and_stays_asleep_ends_the_daemon_with_1(pins, setup, caplog):
    with Running(setup) as run:
        run.daemon.watch.alert = FakeAlert([False] * 99, alive=False)  # parked while running
        run.thread.join(timeout=30)  # the loop ends by itself
        assert not run.thread.is_alive() and run.daemon.serve() == 1  # systemd restarts it
        run.daemon.watch.look(time.monotonic())  # ending: no more claims, nothing said again
        assert run.daemon.watch.alert.reclaims == 5
    assert caplog.text.count("could not be brought back after 5 claims") == 1
