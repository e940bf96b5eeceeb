"""Loudness: the targets speech and chimes are brought to, measured per ITU-R BS.1770.

Measuring needs pyloudnorm (numpy, scipy): about 60 MB, too much for a Pi Zero 2 W to carry
for a daemon that only plays. So loudness is measured only where sounds are made or checked:
`make chimes` synthesises each chime at its target, and the tests and `benchmarks/loudness.py`
measure what plays. At run time the player only applies fixed gains: eSpeak NG's level is
steady (every shipped line within 1.2 LU of the mean, docs/sounds.md), so one measured gain
brings speech to its target, and chimes are written at their target plus headroom, so that
`audio.chime_level` can raise them by attenuating less. `audio.volume` scales both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from player.core.sounds import WAKE, Chime, Sound, Speech

if TYPE_CHECKING:
    from collections.abc import Sequence

    from player.config import AudioConfig

SPEECH_LUFS = -23.0  # integrated loudness of a spoken line, as played at volume 100
ESPEAK_LUFS = -21.0  # eSpeak NG (en-us, 160 wpm) as rendered: mean of every shipped line
SPEECH_GAIN_DB = SPEECH_LUFS - ESPEAK_LUFS
HEADROOM_DB = 5.0  # chimes are written this much above their targets: chime_level's top
# Each chime's loudest 400 ms (BS.1770 momentary loudness), as played at chime_level 0: the
# confirmations about as loud as the voice, the hold chimes a little under it, ticks quieter
# still. A full-scale pause tone measures -16.8 LUFS: these are as high as the headroom allows.
CHIME_LUFS = {
    "hold_start": -26.0,
    "halfway": -28.0,
    "tick": -32.0,
    "hold_end": -26.0,
    "pause": -24.0,
    "resume": -24.0,
    "stop": -24.0,
}
WINDOW = 0.4  # seconds: BS.1770's momentary block
HOP = 0.01


def gain(sound: Sound, audio: AudioConfig) -> float:
    """The factor a sound is played at: its fixed gain to target, the balance, the volume.
    Never above 1: every gain is an attenuation. The hum is never scaled (it must stay above
    an amplifier's idle threshold, and is inaudible at any volume)."""
    if sound == Chime(WAKE):
        return 1.0
    level = SPEECH_GAIN_DB if isinstance(sound, Speech) else audio.chime_level - HEADROOM_DB
    return min(1.0, audio.volume / 100 * 10 ** (level / 20))


def integrated(samples: Sequence[float], rate: int) -> float:
    """BS.1770 integrated (gated) loudness of a spoken line, in LUFS; samples in -1..1."""
    import numpy as np
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(np.asarray(samples, dtype=float)))


def momentary_max(samples: Sequence[float], rate: int) -> float:
    """The loudest 400 ms block (BS.1770 momentary loudness) of a short sound, in LUFS: a
    chime shorter than a block is measured as one block, padded with silence."""
    import numpy as np
    import pyloudnorm

    x = np.asarray(samples, dtype=float)
    block, hop = round(WINDOW * rate), round(HOP * rate)
    x = np.concatenate([x, np.zeros(max(0, block - len(x)))])
    meter = pyloudnorm.Meter(rate, block_size=WINDOW)
    starts = range(0, len(x) - block + 1, hop)
    return max(float(meter.integrated_loudness(x[s : s + block])) for s in starts)
