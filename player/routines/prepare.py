"""Preparing routines to play: their speech rendered, their sounds in the mixer, in a voice that
loads. `play` and `render` prepare one routine here; the daemon prepares all of them through
the Preparer. Everything that decides which routines are ready, in which voice, and when one
that waits for the sound device is tried again lives here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from player.audio.mixer import Mixer
from player.audio.sounds import raw_sounds, sound_bytes
from player.config import Config, VoiceConfig
from player.core import joining
from player.core.errors import AudioError, PlayerError, Problem, SpeechError
from player.core.routine import Routine
from player.core.sounds import Chime, Sound, Speech
from player.core.timeline import Timeline
from player.records.choice import Choice
from player.routines import library, plans
from player.voice import checks, worker

log = logging.getLogger("routine-player")
RETRY_SECONDS = 2.0  # a routine that waits for the sound device is tried again this often
READY = Chime("tick")  # the quietest chime (docs/sounds.md): the button is live
BASIC_VOICE = "The chosen voice could not be loaded, so the basic voice will speak."
DEFAULT_OUTPUT = "The chosen speaker was not found, so the default output will play."

Use = Callable[[list[Timeline], str], None]  # (every routine ready, the selected id)


def load_into(
    routine: Routine,
    settings: Config,
    mixer: Mixer,
    side: str | None = None,
    *,
    extra: tuple[str, ...] = (),
    progress: plans.Progress | None = None,
) -> plans.Prepared:
    """Render the routine's speech (and `extra` lines) and load every sound it may play into
    the mixer; `progress` hears how far the rendering got."""
    prepared = plans.prepare(
        routine, settings, rate=mixer.rate, side=side, extra=extra, progress=progress
    )
    mixer.load(raw_sounds(prepared.timeline, prepared.files, mixer))
    return prepared


def voice_kept(old: VoiceConfig, new: Config) -> tuple[Config, list[str]]:
    """`new`, or `new` with the `old` voice when its own cannot be used (loading it in the
    speech child to be sure), and the lines that say why: a reload never leaves the player
    without a voice."""
    if new.voice == old:
        return new, []
    found = checks.problems(new.voice, new.source)
    if not found:
        try:
            worker.load(new.voice)
        except SpeechError as error:  # a voice that will not load, or kills the child
            found = list(error.problems)
    if not found:
        return new, []
    return replace(new, voice=old), [str(p) for p in found]


def fallback_line(device: bool, voice: bool) -> str:
    """What the player says once ready when it could not use the chosen speaker (`device`)
    or voice (`voice`) and fell back: one line, empty when neither."""
    said = [line for line, fell in ((DEFAULT_OUTPUT, device), (BASIC_VOICE, voice)) if fell]
    return " ".join(said)


def ready_cue(settings: Config, mixer: Mixer, device: bool, voice: bool) -> Sound | None:
    """What says the button is live, loaded into the mixer: a spoken line when the speaker or
    the voice fell back, else the quiet ready chime unless `player.ready_sound` is off."""
    line = fallback_line(device, voice)
    if line:
        files = {line: plans.speech_cache(settings).path(line)}
        sound: Sound = Speech(line)
    elif settings.player.ready_sound:
        files, sound = {}, READY
    else:
        return None
    mixer.load({sound: sound_bytes(sound, 0, files, mixer)})
    return sound


class Preparer:
    """The daemon's routines: the selected one prepared first, the others in the background,
    all of them again after a reload. Each batch is handed to `use` (from the render thread).
    Each also carries the lines about a phone asking to join, which only the daemon says."""

    def __init__(self, settings: Config, mixer: Mixer, stop: threading.Event) -> None:
        self.settings, self.mixer, self._stop = settings, mixer, stop
        self.library = library.Library({}, {})
        self.choice = Choice(settings.paths.state, settings.player.routine)
        self._use: Use = lambda ready, selected: None
        self._thread: threading.Thread | None = None
        self._generation = 0  # a reload's rendering supersedes the one before it

    def attach(self, use: Use) -> None:
        """Where prepared routines go: the session, through the loop."""
        self._use = use

    def selected(self) -> Routine:
        """Read every routine; return the selected one (the last chosen with a long press, else
        the configured one), or raise PlayerError naming the key."""
        self.library = _read(self.settings)
        configured = self.settings.player.routine
        if configured not in self.library.routines:
            where = self.settings.source or "config"
            message = f'expected a routine the player can see, found "{configured}"'
            raise PlayerError([Problem(where, message, field="player.routine")])
        return self.library.routines[self._chosen()]

    def _chosen(self) -> str:
        """The routine chosen last, if the library still has it; else the configured one."""
        chosen = self.choice.routine
        return chosen if chosen in self.library.routines else self.settings.player.routine

    def basic_voice(self) -> bool:
        """At start-up: if the configured voice cannot be used, fall back to eSpeak NG's
        default voice, logging why (the player never starts without a voice); True if it did."""
        self.settings, why = voice_kept(VoiceConfig(), self.settings)
        for line in why:
            log.warning("using the basic voice: %s", line)
        return bool(why)

    def first(self, routine: Routine, progress: plans.Progress | None = None) -> Timeline:
        """Prepare the selected routine now (start-up waits for it); `progress` hears how far."""
        extra = joining.lines()
        prepared = load_into(routine, self.settings, self.mixer, extra=extra, progress=progress)
        return prepared.timeline

    def rest(self, first: Timeline) -> None:
        """Prepare every other routine in the background."""
        chosen = first.routine.id
        others = [r for rid, r in self.library.routines.items() if rid != chosen]
        self._start(self._render, [first], others, chosen)

    @property
    def rendering(self) -> bool:
        """True while routines are being prepared (which may need the device open)."""
        return self._thread is not None and self._thread.is_alive()

    def reload(self, settings: Config) -> bool:
        """Read the routines again with `settings` and prepare them all, keeping the old voice
        if the new one does not load; False (nothing changed) if the selected one is broken."""
        found = _read(settings)
        if settings.player.routine not in found.routines:
            log.warning(
                'reload kept the old routines: "%s" cannot be played', settings.player.routine
            )
            return False
        old, self.settings, self.library = self.settings.voice, settings, found
        self.choice = Choice(settings.paths.state, settings.player.routine)
        self._generation += 1
        self._start(self._with_voice, old, list(found.routines.values()), self._chosen())
        return True

    def close(self) -> None:
        """Wait for the render thread (it may be using the mixer); `stop` is set already."""
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        self._thread = threading.Thread(target=target, args=args, name="render", daemon=True)
        self._thread.start()

    def _with_voice(self, old: VoiceConfig, todo: list[Routine], selected: str) -> None:
        """After a reload: keep the old voice if the new one does not load, then render."""
        self.settings, kept = voice_kept(old, self.settings)
        for line in kept:
            log.warning("reload kept the old voice: %s", line)
        self._render([], todo, selected)

    def _render(self, done: list[Timeline], todo: list[Routine], selected: str) -> None:
        """Prepare routines and hand them on. Preparing needs no open device unless sounds must
        be resampled; one that failed for want of the device is tried again every few seconds,
        until the device returns."""
        generation = self._generation

        def go_on(lines_done: int, lines: int) -> None:
            """Before each line: a stop waits for one line, not for the rest of a routine
            (in the emulated Pi a routine's render outlasted the unit's 5 s TimeoutStopSec)."""
            if self._superseded(generation):
                raise _SupersededError

        ready, first = list(done), True
        while True:
            waiting = []
            for routine in todo:
                try:
                    prepared = load_into(
                        routine, self.settings, self.mixer, extra=joining.lines(), progress=go_on
                    )
                    ready.append(prepared.timeline)
                except _SupersededError:
                    return
                except AudioError as error:
                    log.warning("%s waits for the sound device: %s", routine.id, error.lines()[0])
                    waiting.append(routine)
                except PlayerError as error:
                    log.warning("skipped %s: %s", routine.id, error.lines()[0])
            if first or len(waiting) < len(todo):
                self._use(list(ready), selected)
            todo, first = waiting, False
            if not todo or self._stop.wait(RETRY_SECONDS):
                return

    def _superseded(self, generation: int) -> bool:
        """True once the daemon is stopping (the mixer is about to close) or a reload began a
        newer rendering than `generation`."""
        return self._stop.is_set() or generation != self._generation


class _SupersededError(Exception):
    """The render thread's way out between two lines (Preparer._superseded)."""


def _read(settings: Config) -> library.Library:
    """Every routine, with one log line for each that is broken."""
    found = library.read_all(settings)
    for line in found.broken.values():
        log.warning("skipped a broken routine: %s", line)
    return found
