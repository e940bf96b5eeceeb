"""Keeping a sleepy speaker awake: an inaudible hum from the session's start to its end.

Many speakers and amplifiers fall asleep after 5-10 s of digital silence and then clip the
first second of the next sound; a Bluetooth speaker does the same. So, with `audio.keep_alive`
on, a 30 Hz hum at -45 dBFS (below what a small speaker plays, above an amplifier's idle
threshold) loops on a mixer channel of its own while a session plays or waits for a press:
through every hold and every wait the output never falls to digital zero. A press silences it
with everything else (`Mixer.silence()` stops every channel) and it comes back only when the
session goes on; it ends with the session. It is never in the timeline, so it shifts nothing.
`audio.wake_ms` of the same hum also comes before a session's first word (player.routines.plans).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from player.audio.pcm import hum
from player.core.errors import AudioError
from player.core.events import State

if TYPE_CHECKING:
    from player.audio.mixer import Mixer

HUMMING = (State.PLAYING, State.WAITING)


class KeepAlive:
    """Follows the session's states and keeps the hum looping while it plays or waits."""

    def __init__(self, mixer: Mixer) -> None:
        self.mixer = mixer
        self.enabled = mixer.settings.keep_alive
        self._loop: bytes | None = None

    def follow(self, state: State) -> None:
        """The session changed state: hum while it goes on, stop when it ends."""
        if not self.enabled:
            return
        if state in HUMMING:
            if self._loop is None:
                self._loop = hum(self.mixer.rate, self.mixer.rate, self.mixer.channels, False)
            # A device that is gone: the next sound finds it so, and the session pauses.
            with contextlib.suppress(AudioError):
                self.mixer.hum(self._loop)
        elif state in (State.IDLE, State.STOPPING):
            self.mixer.end_hum()
