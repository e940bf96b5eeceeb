"""Sounds in the mixer's format without the mixer: so that routines are prepared while no
sound device is open (a speaker unplugged, or let go while idle).

A WAV already at the mixer's rate, 16-bit, is read as it is and copied to each channel. Only a
rate conversion needs pygame, and pygame converts only while the device is open; `read` says
so by returning None, and the caller converts with the device (or waits for it).

The wake hum is made here too, as plain PCM: keep-alive loops it, and a session's lead-in
plays it before the first word (audio/keepalive.py says why it exists).
"""

from __future__ import annotations

import array
import math
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


WAKE_HZ = 30.0  # below what a small speaker plays, above an amplifier's idle threshold
WAKE_DB = -45.0


def hum(frames: int, rate: int, channels: int, fade: bool = True) -> bytes:
    """`frames` of the very quiet low hum as 16-bit PCM; faded in and out unless it is to loop
    (a whole second holds exactly 30 cycles, so it loops without a step)."""
    amplitude = 32767 * 10 ** (WAKE_DB / 20)
    ramp = max(1, min(frames // 2, rate // 50)) if fade else 0
    values = array.array("h", bytes(2 * frames * channels))
    for i in range(frames):
        edge = min(1.0, i / ramp, (frames - 1 - i) / ramp) if ramp else 1.0
        value = round(amplitude * edge * math.sin(2 * math.pi * WAKE_HZ * i / rate))
        for c in range(channels):
            values[i * channels + c] = value
    return values.tobytes()
