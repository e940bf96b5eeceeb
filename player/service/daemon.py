"""`routine-player daemon`: the service. One button, one speaker, started by systemd at boot.

Start-up does everything that can fail before READY=1: the config, the selected routine and its
speech, the mixer and the button. The other routines render in the background. A routine file
that is broken is skipped with one log line; a broken selected routine or config stops the start.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass, replace
from functools import partial

from player import config
from player.audio.mixer import SHARED, Mixer
from player.audio.sounds import raw_sounds
from player.button.watch import EdgeWatch
from player.core import routine
from player.core.errors import AudioError, ConfigError, PlayerError, Problem, RoutineError
from player.core.events import (
    Action,
    ButtonEdge,
    Changed,
    Command,
    Ended,
    Selected,
    Shutdown,
    Started,
    State,
)
from player.core.gestures import Stuck
from player.core.session import Session
from player.core.timeline import Timeline
from player.records.history import History, Recorder
from player.records.notes import NoteBook
from player.routines import library, plans, prepare
from player.service import preflight
from player.service.control import ControlServer
from player.service.notify import Notifier
from player.service.runner import Runner

log = logging.getLogger("routine-player")
DEVICE_RETRY_SECONDS = 2.0
DEVICE_CHECK_SECONDS = 1.0  # while sound plays: did SDL see the device go?
RELEASE_SECONDS = 30.0  # idle this long, the sound device is let go until the next sound


@dataclass(frozen=True, slots=True)
class Library:
    """The routines that loaded, and one line for each that did not."""

    routines: dict[str, routine.Routine]
    broken: dict[str, str]  # id: its first problem


def read_library(settings: config.Config) -> Library:
    """Every routine the player can see; broken ones become one line each."""
    found, broken = {}, {}
    for entry in library.entries(settings):
        try:
            found[entry.id] = routine.load(entry.path)
        except RoutineError as error:
            more = len(error.problems) - 1
            broken[entry.id] = error.lines()[0] + (f" (and {more} more)" if more else "")
    return Library(found, broken)


class Daemon:
    """The service: a session, a runner, a mixer, a button and systemd's notify socket."""

    def __init__(self, settings: config.Config, notifier: Notifier | None = None) -> None:
        self.settings = settings
        self.notifier = notifier or Notifier()
        self.stopping = False
        self.failed = False  # the button could not be kept alive: exit non-zero
        self._stop = threading.Event()
        self._renderer: threading.Thread | None = None
        self._generation = 0  # a reload's rendering supersedes the one before it
        self._quiet_since: float | None = None
        self.mixer: Mixer | None = None
        self.watch: EdgeWatch | None = None
        self.runner: Runner | None = None
        self.session: Session | None = None
        self.history: History | None = None
        self.recorder: Recorder | None = None
        self.notes: NoteBook | None = None
        self.control: ControlServer | None = None
        self.library = Library({}, {})
        self._ready = threading.Event()  # start-up is over: requests can be answered
        self._last_state = State.IDLE  # for the log: was a change to playing a resume?

    # Start-up --------------------------------------------------------------------------

    def start(self) -> None:
        """Everything before READY=1; raises PlayerError (one line per problem) on failure.
        The control socket comes first: a second daemon on it refuses before it takes the
        sound card (a request during start-up is told to ask again)."""
        preflight.require(self.settings)
        self.control = ControlServer(self.settings.paths.control_socket, self._answer)
        self.control.start()
        found = self.library = read_library(self.settings)
        for line in found.broken.values():
            log.warning("skipped a broken routine: %s", line)
        chosen = self.settings.player.routine
        if chosen not in found.routines:
            where = self.settings.source or "config"
            message = f'expected a routine the player can see, found "{chosen}"'
            raise PlayerError([Problem(where, message, field="player.routine")])
        # The button first: its edges are kept from here on, and proven to arrive before READY.
        self.watch = EdgeWatch(self.settings.button.pin, self._silence, self._button_lost)
        self.watch.prove()
        self.watch.start()
        self.mixer = self._open_mixer()
        self.mixer.watch_device()
        first = self._plan(found.routines[chosen])
        self.session = Session(
            [first],
            hold_seconds=self.settings.button.hold_seconds,
            pause_timeout=self.settings.player.pause_timeout_minutes * 60,
            pressed_at_start=self.watch.pressed_at_start,
        )
        self.history = History(self.settings.paths.state)
        self.recorder = Recorder(self.history, self.session, self.settings.player.safety_reminder)
        self.notes = NoteBook(self.settings.paths.state)
        self.runner = Runner(self.session, self.mixer, self._observe, lost=self._lost)
        runner = self.runner
        self.watch.attach(lambda pressed, at: runner.post(ButtonEdge(pressed), at))
        others = [r for rid, r in found.routines.items() if rid != chosen]
        self._render_in_background([first], others, chosen)
        self._ready.set()
        self.notifier.ready(self._status())
        log.info("ready: %s selected", chosen)

    def _open_mixer(self) -> Mixer:
        """Open the sound device, waiting for one to appear (a USB speaker plugged in late)."""
        said = ""
        while True:
            try:
                mixer = Mixer(self.settings.audio)
            except AudioError as error:
                if error.lines()[0] != said:
                    said = error.lines()[0]
                    log.warning("waiting for a sound device: %s", said)
                self.notifier.send(
                    "STATUS=waiting for a sound device", "EXTEND_TIMEOUT_USEC=15000000"
                )
                if self._stop.wait(DEVICE_RETRY_SECONDS):
                    raise
                continue
            if mixer.device == SHARED and not self.settings.audio.device:
                log.warning(
                    "the sound card is busy: sharing it through ALSA's default device, "
                    "which may let a press take longer to silence"
                )
            return mixer

    def _plan(self, loaded: routine.Routine) -> Timeline:
        """Render a routine's speech and load its sounds into the mixer."""
        assert self.mixer is not None
        prepared = plans.prepare(loaded, self.settings, rate=self.mixer.rate)
        self.mixer.load(raw_sounds(prepared.timeline, prepared.files, self.mixer))
        return prepared.timeline

    def _render_in_background(
        self, done: list[Timeline], todo: list[routine.Routine], selected: str
    ) -> None:
        self._renderer = threading.Thread(
            target=self._render, args=(done, todo, selected), name="render", daemon=True
        )
        self._renderer.start()

    def _render(self, done: list[Timeline], todo: list[routine.Routine], selected: str) -> None:
        """In the background: render routines' speech and hand them to the session. Preparing
        needs no open device unless sounds must be resampled; a routine that failed for want
        of the device is tried again every few seconds, until the device returns."""
        generation = self._generation
        ready, todo, first = list(done), list(todo), True
        while True:
            waiting = []
            for loaded in todo:
                if self._stop.is_set() or generation != self._generation:
                    return  # shutting down (the mixer is about to close), or reloaded
                try:
                    ready.append(self._plan(loaded))
                except AudioError as error:
                    log.warning("%s waits for the sound device: %s", loaded.id, error.lines()[0])
                    waiting.append(loaded)
                except PlayerError as error:
                    log.warning("skipped %s: %s", loaded.id, error.lines()[0])
            if first or len(waiting) < len(todo):
                assert self.runner is not None
                self.runner.call(partial(self._use, list(ready), selected))
            todo, first = waiting, False
            if not todo or self._stop.wait(DEVICE_RETRY_SECONDS):
                return

    def _use(self, ready: list[Timeline], selected: str) -> None:
        assert self.session is not None and self.recorder is not None
        self.session.replace_plans(ready, selected)
        self.recorder.arm_all()
        log.info("routines ready: %s", ", ".join(p.routine.id for p in ready))

    def reload(self) -> None:
        """SIGHUP: read the config and routines again; keep the old ones if the new are broken."""
        try:
            settings = config.load(self.settings.source or None)
            preflight.require(settings, preflight.PATHS)  # a new voice: _render_with_voice
        except ConfigError as error:
            for line in error.lines():
                log.warning("reload kept the old config: %s", line)
            return
        found = read_library(settings)
        for line in found.broken.values():
            log.warning("skipped a broken routine: %s", line)
        if settings.player.routine not in found.routines:
            log.warning(
                'reload kept the old routines: "%s" cannot be played', settings.player.routine
            )
            return
        for part in ("button", "audio"):
            if getattr(settings, part) != getattr(self.settings, part):
                log.warning("reload: the [%s] settings take effect after a restart", part)
        old_voice = self.settings.voice
        self.settings = replace(settings, button=self.settings.button, audio=self.settings.audio)
        self.library = found
        assert self.session is not None
        self.session.pause_timeout = settings.player.pause_timeout_minutes * 60
        todo = list(found.routines.values())
        self._generation += 1
        threading.Thread(
            target=self._render_with_voice,
            args=(old_voice, todo, settings.player.routine),
            daemon=True,
        ).start()

    def _render_with_voice(self, old: config.VoiceConfig, todo: list, selected: str) -> None:
        """After a reload: keep the old voice if the new one does not load, then render."""
        self.settings, kept = prepare.voice_kept(old, self.settings)
        for line in kept:
            log.warning("reload kept the old voice: %s", line)
        self._render([], todo, selected)

    # The loop ---------------------------------------------------------------------------

    def _silence(self) -> None:
        """A press: silence in the caller's thread (the button's), before anything else."""
        if self.mixer is not None:
            self.mixer.silence()

    def _button_lost(self, line: str) -> None:
        """The button's watch could not bring its edges back: exit non-zero, so that systemd
        starts a new process (whose start-up proves the button again)."""
        log.error(line)
        self.failed = True
        self.shut_down()

    def serve(self) -> int:
        """Run until SIGTERM or SIGINT; pet the watchdog from this loop; let the sound device
        go after a while idle, so SDL's audio thread stops waking and the card is free."""
        assert self.runner is not None
        interval = self.notifier.watchdog_interval
        next_pet = time.monotonic()
        while not self.stopping:
            now = time.monotonic()
            if interval is not None and now >= next_pet:
                self.notifier.watchdog()
                next_pet = now + interval
            release = self._release_at(now)
            if release is not None and now >= release:
                assert self.mixer is not None
                self.mixer.suspend()
                release = None
            check = self._check_device(now)
            assert self.watch is not None and self.session is not None
            self.watch.hurry(self.session.sounding(now))
            wakes = [
                t - now for t in (release, check, next_pet if interval else None) if t is not None
            ]
            self.runner.step(max(0.0, min(wakes)) if wakes else None)
        return 1 if self.failed else 0

    def _release_at(self, now: float) -> float | None:
        """When to let the sound device go: after RELEASE_SECONDS of quiet idleness."""
        assert self.session is not None and self.mixer is not None
        rendering = self._renderer is not None and self._renderer.is_alive()
        quiet = self.session.state is State.IDLE and not self.session.sounding(now)
        if not (quiet and self.mixer.is_open and not rendering and not self.mixer.busy()):
            self._quiet_since = None
            return None
        self._quiet_since = self._quiet_since or now
        return self._quiet_since + RELEASE_SECONDS

    def _check_device(self, now: float) -> float | None:
        """While sound plays, look once a second whether SDL saw the device go away (a
        speaker unplugged while open gives no error, only this event)."""
        assert self.session is not None and self.mixer is not None
        if not (self.mixer.is_open and self.session.sounding(now)):
            return None
        if self.mixer.device_removed():
            self.mixer.suspend()  # the next sound tries to open it again
            self._lost(AudioError([Problem("audio", "expected the sound device, found it gone")]))
        return now + DEVICE_CHECK_SECONDS

    def _lost(self, error: AudioError) -> None:
        """The device would not play: pause, keep the session, try again at the next press."""
        assert self.runner is not None and self.session is not None
        if self.session.state is State.PLAYING:
            log.warning("sound device lost, paused: %s", error.lines()[0])
            self.runner.post(Command("pause"))

    @property
    def stop_requested(self) -> bool:
        """True once SIGTERM, SIGINT or a test asked the daemon to stop."""
        return self._stop.is_set()

    def shut_down(self) -> None:
        """Silence at once, record the session, and let the loop end. Safe in a signal handler."""
        self._stop.set()
        if self.mixer is not None:
            self.mixer.silence()
        if self.runner is not None:
            self.runner.post(Shutdown())
            self.runner.call(self._finish)
        else:
            self.stopping = True

    def _finish(self) -> None:
        self.stopping = True
        self.notifier.stopping()
        log.info("stopping")

    def close(self) -> None:
        """Let go of the socket, the button, the sound device and the history database."""
        self._stop.set()
        if self._renderer is not None:
            self._renderer.join(timeout=30)  # it may be using the mixer
        if self.control is not None:
            self.control.close()
        if self.history is not None:
            self.history.close()
        if self.notes is not None:
            self.notes.close()
        if self.watch is not None:
            self.watch.close()
        if self.mixer is not None:
            self.mixer.close()

    # What the session did ---------------------------------------------------------------

    def _observe(self, action: Action, now: float) -> None:
        assert self.recorder is not None
        self.recorder.observe(action)
        line = _describe(action, self._last_state)
        if isinstance(action, Changed):
            self._last_state = action.state
        if line:
            log.info(line)
            self.notifier.status(self._status())

    def _answer(self, request: dict) -> dict:
        """A control-socket request, answered from the loop's own thread."""
        if not self._ready.is_set():
            return {"ok": False, "error": "the player is starting; ask again in a moment"}
        assert self.runner is not None and self.session is not None and self.mixer is not None
        name, wanted = request["command"], request["routine"]
        if name == "start" and wanted is not None:
            known = self.library.routines
            why = library.cannot_start(wanted, self.session.plans, self.library.broken, known)
            if why:
                return {"ok": False, "error": why, "routine": wanted}
        if name == "note":
            assert self.notes is not None
            return self.notes.write(request["note"])  # on this thread: the loop never waits
        if name in ("pause", "stop"):
            self.mixer.silence()  # the same silence-first path as the button
        wrong = _side_problem(self.session, request)
        if wrong:
            return {"ok": False, "error": wrong}
        done, reply = threading.Event(), {}

        def work() -> None:
            assert self.runner is not None and self.session is not None
            if name != "status":
                before = self.session.state
                command = Command(name, wanted, request.get("side"))
                self.runner.handle(command, self.runner.clock())
                reply["changed"] = self.session.state is not before
            reply.update(status_of(self.session, time.monotonic()))
            done.set()

        self.runner.call(work)
        if not done.wait(2.0):
            return {"ok": False, "error": "the player did not answer in time"}
        return {"ok": True, **reply}

    def _status(self) -> str:
        assert self.session is not None
        s = self.session.status(time.monotonic())
        if s.state is State.IDLE:
            return f"idle, {self.session.selected} selected"
        where = f", step {s.step}" + (f", {s.side} side" if s.side else "") if s.step else ""
        return f"{s.state.value} {s.routine}{where}"


def status_of(session: Session, now: float) -> dict:
    """What `routine-player status` shows, as plain data."""
    s = session.status(now)
    plan = session.plans.get(s.routine) or session.plan
    return {
        "state": s.state.value,
        "routine": s.routine if s.state is not State.IDLE else None,
        "selected": session.selected,
        "title": plan.routine.title if plan else "",
        "step": s.step or None,
        "steps": len(plan.routine.steps) if plan else 0,
        "side": s.side,
        "hold_left": s.hold_left,
        "routine_left": s.routine_left,
    }


def _side_problem(session: Session, request: dict) -> str | None:
    """Why a start's "side" cannot be played, in the words of the reply; None if it can."""
    side = request.get("side")
    plan = session.plans.get(request["routine"] or session.selected)
    if request["command"] != "start" or side is None or plan is None:
        return None
    wrong = routine.side_problem(plan.routine, side)
    return f"side: {wrong}" if wrong else None


def _describe(action: Action, before: State) -> str:
    """One log line per event that a person would want in the journal; `before` is the
    state the session was in."""
    if isinstance(action, Started):
        return f"started {action.routine}" + (
            f", {action.sides[0]} side only" if len(action.sides) == 1 else ""
        )
    if isinstance(action, Ended):
        where = f" at step {action.step}" + (f", {action.side} side" if action.side else "")
        return f"{action.ending.value}: {action.routine}" + (where if action.step else "")
    if isinstance(action, Selected):
        return f"selected {action.routine}"
    if isinstance(action, Stuck):
        return "the button has been held down for a minute: is it stuck, or is something on it?"
    if isinstance(action, Changed):
        return _change(action.state, before)
    return ""


def _change(state: State, before: State) -> str:
    """A pause, a wait, and a resume are logged; a start is logged as `started` already."""
    if state in (State.PAUSED, State.WAITING):
        return state.value
    return "resumed" if state is State.PLAYING and before is not State.IDLE else ""


def run(args: argparse.Namespace) -> int:
    """The `daemon` command: start, serve until told to stop, exit 0 (1 if the button
    could not be kept alive, so that systemd starts it again)."""
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    daemon = Daemon(config.load(args.config))
    signal.signal(signal.SIGTERM, lambda *_: daemon.shut_down())
    signal.signal(signal.SIGINT, lambda *_: daemon.shut_down())
    signal.signal(signal.SIGHUP, lambda *_: daemon.runner and daemon.runner.call(daemon.reload))
    try:
        daemon.start()
        return daemon.serve()
    except AudioError:
        if daemon.stop_requested:
            return 0  # told to stop while waiting for a sound device
        raise
    finally:
        daemon.close()
