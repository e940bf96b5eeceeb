"""The sounds a timeline plays, in the mixer's format: speech from its WAVs, chimes from the
shipped ones, the wake hum made to length. Each is cut or padded to the frames the timeline
planned, so that `play` and `render` agree to the frame. Read without pygame where the format
already fits (pcm.py); converted by the open mixer only where it does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pygame

from player.audio import chimes, pcm
from player.audio.mixer import Mixer
from player.core.sounds import WAKE, Chime, Sound, Speech
from player.core.timeline import Timeline


def raw_sounds(plan: Timeline, files: Mapping[str, Path], mixer: Mixer) -> dict[Sound, bytes]:
    """Every sound a session of this timeline may play, in the mixer's format, cut or padded
    to the frames the timeline planned; `files` holds the WAV of each line of speech. Needs no
    open device unless a sound must be resampled (pcm.py); then an AudioError if it cannot open."""
    return {
        sound: _fit(sound_bytes(sound, length, files, mixer), length * mixer.frame_bytes)
        for sound, length in _needed(plan).items()
    }


def sound_bytes(sound: Sound, length: int, files: Mapping[str, Path], mixer: Mixer) -> bytes:
    """One sound in the mixer's format (`length` frames only matters to the wake hum)."""
    raw = _direct(sound, length, files, mixer)
    if raw is None:
        # pygame converts only while the mixer is open. One sound at a time holds the lock,
        # so a sound due to play never waits for a whole routine's conversion.
        with mixer.opened():
            raw = _converted(sound, files)
    return raw


def _direct(sound: Sound, length: int, files: Mapping[str, Path], mixer: Mixer) -> bytes | None:
    """One sound in the mixer's format read without pygame, or None if it needs converting."""
    if isinstance(sound, Chime) and sound.name == WAKE:
        return pcm.hum(length, mixer.rate, mixer.channels)
    path = files[sound.text] if isinstance(sound, Speech) else chimes.shipped(sound.name)
    return pcm.read(path, mixer.rate, mixer.channels)


def _converted(sound: Sound, files: Mapping[str, Path]) -> bytes:
    """One sound converted by pygame to the open mixer's format."""
    path = files[sound.text] if isinstance(sound, Speech) else chimes.shipped(sound.name)
    return pygame.mixer.Sound(str(path)).get_raw()


def _needed(plan: Timeline) -> dict[Sound, int]:
    """Each sound a session of this timeline may play, with its planned frames."""
    frames: dict[Sound, int] = {Speech(text): n for text, n in plan.speech.items()}
    frames |= {Chime(name): n for name, n in plan.chimes.items()}
    return frames | {entry.sound: entry.length for entry in plan.entries}


def _fit(raw: bytes, size: int) -> bytes:
    """Cut or pad with silence to exactly `size` bytes."""
    return raw[:size] if len(raw) >= size else raw + bytes(size - len(raw))
