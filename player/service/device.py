"""The sound device, as the service holds it. Everything that decides when the device is opened,
let go and found gone lives here.

- At start-up it is opened before READY=1, waiting for one to appear (a USB speaker plugged in
  late), with systemd's start timeout extended meanwhile. A chosen device (`audio.device`) is
  waited for FALLBACK_SECONDS; then the default output is tried too, and used from then on if
  it opens, with one warning line and `fallback` saying so (the player says it once ready).
- After RELEASE_SECONDS of quiet idleness it is let go, so that SDL's audio thread stops waking
  and the card is free; the next sound opens it again.
- While sound plays it is looked at once a second: a speaker unplugged while open gives SDL no
  error, only a removal event. A device that is gone, or will not play, pauses the session,
  which keeps its place; the next press tries again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from player.audio.mixer import SHARED, Mixer
from player.core.errors import AudioError, Problem
from player.core.events import Command, Event, State
from player.core.session import Session
from player.service.notify import Notifier

log = logging.getLogger("routine-player")
DEVICE_RETRY_SECONDS = 2.0
DEVICE_CHECK_SECONDS = 1.0  # while sound plays: did SDL see the device go?
RELEASE_SECONDS = 30.0  # idle this long, the sound device is let go until the next sound
# The chosen device is waited for this long before the default output is tried as well: a USB
# speaker's card comes up a few seconds into boot, and one plugged in a little late is still
# found; a wrong name (or a speaker left in a drawer) leaves the button working within a minute
# of power, with a spoken line that says why, instead of a service starting for ever.
FALLBACK_SECONDS = 30.0


class SoundDevice:
    """Opens the mixer's device, lets it go when idle, and notices when it is gone."""

    def __init__(self, mixer: Mixer, notifier: Notifier, stop: threading.Event) -> None:
        self.mixer, self.notifier, self._stop = mixer, notifier, stop
        self._session: Session | None = None
        self._post: Callable[[Event], None] = lambda event: None
        self._preparing: Callable[[], bool] = lambda: False
        self._quiet_since: float | None = None
        self.fallback = ""  # why the default output plays instead of the chosen device

    def open(self) -> None:
        """Open the device, waiting for one: the chosen one, and after FALLBACK_SECONDS the
        default output too; raises AudioError if told to stop meanwhile."""
        said, since = "", time.monotonic()
        while True:
            try:
                self._try(late=time.monotonic() - since >= FALLBACK_SECONDS)
                break
            except AudioError as error:
                if error.lines()[0] != said:
                    said = error.lines()[0]
                    log.warning("waiting for a sound device: %s", said)
                self.notifier.extend("waiting for a sound device", 15)
                if self._stop.wait(DEVICE_RETRY_SECONDS):
                    raise
        if self.mixer.device == SHARED and not self.mixer.settings.device:
            log.warning(
                "the sound card is busy: sharing it through ALSA's default device, "
                "which may let a press take longer to silence"
            )
        self.mixer.watch_device()

    def _try(self, late: bool) -> None:
        """Open the configured device; once it is `late`, the default output if that fails."""
        try:
            self.mixer.open()
        except AudioError as error:
            chosen = self.mixer.settings.device
            if not (late and chosen):
                raise
            self.mixer.open(default=True)
            self.fallback = (
                f'the sound device "{chosen}" (audio.device) could not be opened in '
                f"{FALLBACK_SECONDS:g} s, so the default output plays instead: "
                f"{error.problems[0].message}"
            )
            log.warning(self.fallback)

    def attach(
        self, session: Session, post: Callable[[Event], None], preparing: Callable[[], bool]
    ) -> None:
        """The session it follows, how to ask it to pause, and whether routines still render
        (rendering may need the device open)."""
        self._session, self._post, self._preparing = session, post, preparing

    def tend(self, now: float) -> float | None:
        """Let the device go, or look for its removal, when due; when to look again."""
        release, check = self._release_at(now), self._check(now)
        if release is not None and now >= release:
            self.mixer.suspend()
            release = None
        due = [t for t in (release, check) if t is not None]
        return min(due) if due else None

    def lost(self, error: AudioError) -> None:
        """The device would not play: pause, keep the session, try again at the next press."""
        if self._session is not None and self._session.state is State.PLAYING:
            log.warning("sound device lost, paused: %s", error.lines()[0])
            self._post(Command("pause"))

    def _release_at(self, now: float) -> float | None:
        """When to let the device go: after RELEASE_SECONDS of quiet idleness."""
        session, mixer = self._session, self.mixer
        quiet = session is not None and session.state is State.IDLE and not session.sounding(now)
        if not (quiet and mixer.is_open and not self._preparing() and not mixer.busy()):
            self._quiet_since = None
            return None
        self._quiet_since = self._quiet_since or now
        return self._quiet_since + RELEASE_SECONDS

    def _check(self, now: float) -> float | None:
        """While sound plays, whether SDL saw the device go away since the last look."""
        if not (self.mixer.is_open and self._session and self._session.sounding(now)):
            return None
        if self.mixer.device_removed():
            self.mixer.suspend()  # the next sound tries to open it again
            self.lost(AudioError([Problem("audio", "expected the sound device, found it gone")]))
        return now + DEVICE_CHECK_SECONDS
