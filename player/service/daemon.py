"""`routine-player daemon`: the service. One button, one speaker, started by systemd at boot.

This is the composition root: it builds the parts, wires their callbacks, starts them in order
and stops them in reverse, and owns nothing else. Start-up does everything that can fail before
READY=1: the config, the button proven alive, the sound device, the selected routine and its
speech (telling systemd how far it got, line by line, and moving its start timeout on); the
other routines render in the background. A chosen speaker that cannot be found falls back to
the default output, and a voice that cannot be used to eSpeak NG's basic voice; either is said
once ready, otherwise a quiet chime says the button is live. A
broken routine file is skipped with one log line; a broken selected routine or config stops
the start.

The press path is the shortest in the house: lgpio's thread -> the pin -> the watch, which
calls `mixer.silence` (handed to it here) before the edge is even queued for the loop.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from dataclasses import replace
from functools import partial

from player import config
from player.audio.mixer import Mixer
from player.button.watch import EdgeWatch
from player.core.errors import AudioError, ConfigError
from player.core.events import ButtonEdge, Shutdown
from player.core.session import Session
from player.core.sounds import Sound
from player.core.timeline import Timeline
from player.records.history import History, Recorder
from player.records.notes import NoteBook
from player.routines import library, phone
from player.routines.phone import PhoneRoutines
from player.routines.prepare import Preparer, ready_cue
from player.service import preflight
from player.service.answers import Answers, status_line
from player.service.control import ControlServer
from player.service.device import SoundDevice
from player.service.journal import Journal
from player.service.notify import Notifier
from player.service.runner import Runner
from player.voice.worker import RENDER_SECONDS, RENDER_TRIES

log = logging.getLogger("routine-player")
# While starting, systemd's timeout is moved this far on at each line rendered: as long as one
# line may take, tried again (player/voice/worker.py), so a slow voice never fails the start.
EXTEND_SECONDS = RENDER_TRIES * RENDER_SECONDS + 30


class Daemon:
    """The service's parts, wired: a session and its loop, the mixer and its device, the
    button's watch, the preparer, the control socket and systemd's notify socket."""

    def __init__(self, settings: config.Config, notifier: Notifier | None = None) -> None:
        self.notifier = notifier or Notifier()
        self.stopping = False
        self.failed = False  # the button could not be kept alive: exit non-zero
        self._stop = threading.Event()
        self.mixer = Mixer(settings.audio, lazy=True)
        self.device = SoundDevice(self.mixer, self.notifier, self._stop)
        self.preparer = Preparer(settings, self.mixer, self._stop)
        self.answers = Answers()
        self.control = ControlServer(settings.paths.control_socket, self.answers)
        self.watch: EdgeWatch | None = None
        self.session: Session | None = None
        self.runner: Runner | None = None
        self.history: History | None = None
        self.notes: NoteBook | None = None

    @property
    def settings(self) -> config.Config:
        """The settings in force: the preparer's, which a reload replaces (its voice only if
        the new one loads)."""
        return self.preparer.settings

    def start(self) -> None:
        """Everything before READY=1; raises PlayerError (one line per problem) on failure.
        The control socket comes first: a second daemon on it refuses before it takes the
        sound card (a request during start-up is told to ask again). The button comes next:
        its edges are kept from then on, and proven to arrive before READY."""
        unusable = preflight.problems(self.settings, preflight.PATHS)
        if unusable:  # with the voice's, so that every line comes at once
            raise ConfigError(unusable + preflight.problems(self.settings, ("voice",)))
        self.control.start()
        selected = self.preparer.selected()
        self.watch = EdgeWatch(self.settings.button.pin, self.mixer.silence, self._button_lost)
        self.watch.prove()
        self.watch.start()
        self.device.open()
        self.notifier.extend(f"loading the voice ({self.settings.voice.engine})", EXTEND_SECONDS)
        fell_back = self.preparer.basic_voice()
        first = self.preparer.first(selected, partial(self._rendering, selected.id))
        self.session = session = Session(
            [first],
            hold_seconds=self.settings.button.hold_seconds,
            pause_timeout=self.settings.player.pause_timeout_minutes * 60,
            pressed_at_start=self.watch.pressed_at_start,
        )
        self.history = History(self.settings.paths.state)
        self.notes = NoteBook(self.settings.paths.state)
        recorder = Recorder(self.history, session, self.settings.player.safety_reminder)
        journal = Journal(session, recorder, self.notifier, self._chose)
        self.runner = runner = Runner(session, self.mixer, journal.observe, lost=self.device.lost)
        self.device.attach(session, runner.post, lambda: self.preparer.rendering)
        self.preparer.attach(
            lambda ready, chosen: runner.call(partial(_use, runner, recorder, ready, chosen))
        )
        self.watch.attach(lambda pressed, at: runner.post(ButtonEdge(pressed), at))
        self.answers.attach(runner, self.notes, lambda: self.preparer.library, self.mixer.silence)
        self.answers.fallback = self.device.fallback
        self.answers.attach_phone(
            PhoneRoutines(phone.folder(self.settings), lambda: library.fixed_ids(self.settings)),
            lambda: runner.call(self.reread_routines),
            lambda: self.preparer.rendering,
        )
        cue = ready_cue(self.settings, self.mixer, bool(self.device.fallback), fell_back)
        if cue is not None:  # the button is live: a quiet chime, or why speaker or voice changed
            self._cue(cue)  # before the others render: they would hold the mixer meanwhile
        self.preparer.rest(first)
        self.notifier.ready(status_line(session, time.monotonic()))
        log.info("ready: %s selected", session.selected)

    def _cue(self, sound: Sound) -> None:
        """Play the ready cue, an extra that no session plays or records (the loop has not
        started: nothing else plays yet)."""
        try:
            self.mixer.play(sound, timeline=False)
        except AudioError as error:
            log.warning("the ready sound could not play: %s", error.lines()[0])

    def _rendering(self, routine: str, done: int, lines: int) -> None:
        """Start-up is rendering the first routine: keep systemd's start timeout moving."""
        self.notifier.extend(f"rendering {routine}: {done} of {lines} lines", EXTEND_SECONDS)

    def _chose(self, routine: str) -> None:
        """A long press selected a routine: keep it across restarts and reloads."""
        self.preparer.choice.chose(routine)

    def serve(self) -> int:
        """Run the loop until SIGTERM or SIGINT, waking it for the parts that keep time (the
        watchdog, the sound device); the button's watch looks faster while sound plays."""
        assert self.runner is not None and self.session is not None and self.watch is not None
        while not self.stopping:
            now = time.monotonic()
            self.watch.hurry(self.session.sounding(now))
            wakes = [t for t in (self.notifier.pet(now), self.device.tend(now)) if t is not None]
            self.runner.step(max(0.0, min(wakes) - now) if wakes else None)
        return 1 if self.failed else 0

    def reload(self) -> None:
        """SIGHUP, in the loop's thread: read the config again and hand it to the preparer;
        keep the old one if the new is broken. [button] and [audio] need a restart."""
        try:
            settings = config.load(self.settings.source or None)
            preflight.require(settings, preflight.PATHS)  # a new voice: the preparer checks it
        except ConfigError as error:
            for line in error.lines():
                log.warning("reload kept the old config: %s", line)
            return
        kept = replace(settings, button=self.settings.button, audio=self.settings.audio)
        if not self.preparer.reload(kept):
            return
        for part in ("button", "audio"):
            if getattr(settings, part) != getattr(self.settings, part):
                log.warning("reload: the [%s] settings take effect after a restart", part)
        assert self.session is not None
        self.session.pause_timeout = settings.player.pause_timeout_minutes * 60

    def reread_routines(self) -> None:
        """In the loop's thread, after the phone changed a routine: read the routines again and
        prepare them in the background, with the settings in force."""
        self.preparer.reload(self.settings)

    def _button_lost(self, line: str) -> None:
        """The button's watch could not bring its edges back: exit non-zero, so that systemd
        starts a new process (whose start-up proves the button again)."""
        log.error(line)
        self.failed = True
        self.shut_down()

    @property
    def stop_requested(self) -> bool:
        """True once SIGTERM, SIGINT or a test asked the daemon to stop."""
        return self._stop.is_set()

    def shut_down(self) -> None:
        """Silence at once, record the session, and let the loop end. Safe in a signal handler."""
        self._stop.set()
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
        """Stop the parts, the last started first, but the control socket before the records:
        it came first only to refuse a second daemon, and a request may write a note."""
        self._stop.set()
        self.preparer.close()
        self.control.close()
        for part in (self.notes, self.history, self.watch):
            if part is not None:
                part.close()
        self.mixer.close()


def _use(runner: Runner, recorder: Recorder, ready: list[Timeline], selected: str) -> None:
    """In the loop's thread: newly prepared routines join the session."""
    runner.session.replace_plans(ready, selected)
    recorder.arm_all()
    log.info("routines ready: %s", ", ".join(p.routine.id for p in ready))


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
