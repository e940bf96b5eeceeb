"""Preparing routines to play: their speech rendered, their sounds in the mixer, in a voice
that loads. `play`, `render` and the daemon all prepare here.
"""

from __future__ import annotations

from dataclasses import replace

from player.config import Config, VoiceConfig
from player.core.errors import SpeechError
from player.voice import checks, worker


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
