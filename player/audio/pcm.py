"""Sounds in the mixer's format without the mixer: so that routines are prepared while no
sound device is open (a speaker unplugged, or let go while idle).

A WAV already at the mixer's rate, 16-bit, is read as it is and copied to each channel. Only a
rate conversion needs pygame, and pygame converts only while the device is open; `read` says
so by returning None, and the caller converts with the device (or waits for it).
"""

from __future__ import annotations

import array
import sys
import wave
from pathlib import Path


def read(path: Path, rate: int, channels: int) -> bytes | None:
    """The WAV's samples as native 16-bit PCM with `channels` channels at `rate`, or None when
    it would need resampling (or is not 16-bit mono or already in that layout)."""
    with wave.open(str(path)) as w:
        if w.getframerate() != rate or w.getsampwidth() != 2:
            return None
        source = w.getnchannels()
        data = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()  # WAV is little-endian; the mixer wants the machine's own order
    if source == channels:
        return data.tobytes()
    if source != 1:
        return None
    out = array.array("h", bytes(2 * len(data) * channels))
    for channel in range(channels):
        out[channel::channels] = data
    return out.tobytes()
