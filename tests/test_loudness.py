"""Loudness per ITU-R BS.1770 (pyloudnorm): the shipped chimes and eSpeak NG's speech reach
their targets (player/audio/loudness.py), and the mixer plays them at those levels, scaled by
`audio.volume` and `audio.chime_level`."""

from __future__ import annotations

import array
import statistics
import time
import wave
from dataclasses import replace

import pytest

from player.audio import chimes, loudness
from player.audio.mixer import Mixer
from player.audio.sounds import raw_sounds
from player.core import routine
from player.core.sounds import CHIMES, Chime, Speech
from player.routines import library, plans

SHIPPED = sorted(library.shipped_folder().glob("*.toml"))
CHIME_TOLERANCE = 0.3  # LU: the chimes are synthesised to their targets
SPEECH_TOLERANCE = 1.5  # LU, one line: eSpeak's level is steady, not fixed
MEAN_TOLERANCE = 0.5  # LU, the mean over every shipped line: the fixed gain's job


def wav(path) -> tuple[list[float], int]:
    with wave.open(str(path)) as w:
        data = array.array("h", w.readframes(w.getnframes()))
        return [v / 32768 for v in data], w.getframerate()


@pytest.mark.parametrize("name", CHIMES)
def test_loudness_each_shipped_chime_is_at_its_target(name):
    samples, rate = wav(chimes.shipped(name))
    measured = loudness.momentary_max(samples, rate)
    target = loudness.CHIME_LUFS[name] + loudness.HEADROOM_DB  # played at chime_level 0: target
    assert abs(measured - target) <= CHIME_TOLERANCE, (name, measured)
    assert max(abs(v) for v in samples) < 1.0  # no clipping


def test_loudness_speech_with_its_fixed_gain_is_at_its_target(settings):
    levels = []
    for path in SHIPPED:
        prepared = plans.prepare(routine.load(path), settings)
        for text, file in prepared.files.items():
            samples, rate = wav(file)
            levels.append((loudness.integrated(samples, rate) + loudness.SPEECH_GAIN_DB, text))
    off = [
        (round(level, 1), text)
        for level, text in levels
        if abs(level - loudness.SPEECH_LUFS) > SPEECH_TOLERANCE
    ]
    assert off == []
    mean = statistics.fmean(level for level, _ in levels)
    assert abs(mean - loudness.SPEECH_LUFS) <= MEAN_TOLERANCE, mean


def test_loudness_mixer_plays_at_volume_and_chime_level(disk_audio, write, settings, monkeypatch):
    """What comes out of the real mixer: a line at volume 50 is 6 dB under its target, and a
    chime at chime_level -6 another 6 dB under its own. Each is recorded alone, the device
    closed once its sound has played out, so that no clock must keep up (issue 24: split at a
    moment computed from sleeps, a busy machine put the voice's end into the chime's part)."""
    audio = replace(settings.audio, volume=50, chime_level=-6.0, keep_alive=False)
    text = "Roll slowly from the hip bone down to the middle, and breathe out as you go."
    loaded = routine.load(write("l.toml", f'title = "{text}"\n[[step]]\nsay = "x"\n'))
    recorded = []
    for sound, out in (
        (Speech(text), disk_audio),
        (Chime("hold_start"), disk_audio.with_suffix(".2")),
    ):
        monkeypatch.setenv("SDL_DISKAUDIOFILE", str(out))
        mixer = Mixer(audio)
        prepared = plans.prepare(loaded, replace(settings, audio=audio), rate=mixer.rate)
        mixer.load(raw_sounds(prepared.timeline, prepared.files, mixer))
        mixer.play(sound)
        while mixer.busy():
            time.sleep(0.05)
        mixer.close()
        recorded.append([v / 32768 for v in array.array("h", out.read_bytes())])
    voice, chime = recorded
    said, rate = wav(prepared.files[text])
    expected = loudness.integrated(said, rate) + loudness.SPEECH_GAIN_DB - 6.02
    assert abs(loudness.integrated(voice, mixer.rate) - expected) <= 0.5
    expected = loudness.CHIME_LUFS["hold_start"] - 6.0 - 6.02
    assert abs(loudness.momentary_max(chime, mixer.rate) - expected) <= 0.5
