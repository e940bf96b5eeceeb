"""`routine-player sound-test`: a short line, then each chime, through the configured speaker
at the configured volume, saying what plays, so that a person setting up a speaker can hear
whether the words come through whole and the chimes are clear (docs/sounds.md).

Without --config it reads the person's own config, else the service's (the speaker being set
up). Its speech is rendered into a cache of its own that goes with it: run with the service's
config by root, it must not leave root's files in the service's cache.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from player import config
from player.audio import loudness
from player.audio.mixer import Mixer
from player.audio.sounds import sound_bytes
from player.core.sounds import CHIMES, WAKE, Chime, Sound, Speech
from player.routines import plans
from player.voice.cache import SpeechCache

LINE = "This is the sound test. Every word of this sentence should be clear."
WHAT = {
    "hold_start": "a hold begins",
    "halfway": "the middle of a hold",
    "tick": "a tick of the countdown",
    "hold_end": "a hold ends",
    "pause": "a short press paused",
    "resume": "a short press resumed",
    "stop": "a long press stopped",
}
GAP = 0.7  # seconds between sounds, so each is heard on its own


def run(args: argparse.Namespace) -> int:
    """Play the line and every chime; one printed line for each as it plays."""
    settings = config.load(args.config, service=True)  # the speaker the service will use
    audio = settings.audio
    with _speaker(settings) as (mixer, cache):
        line = cache.path(LINE)
        print(
            f"Sound test on {mixer.device or 'the default device'}: volume {audio.volume:g}"
            f" of 100, chimes {audio.chime_level:+g} dB against the voice.",
            flush=True,
        )
        if audio.wake_ms:
            print(f"A quiet hum for {audio.wake_ms} ms first, to wake a sleepy speaker.")
        _wake(mixer, audio)
        print(f"Voice ({loudness.SPEECH_LUFS:g} LUFS at volume 100): {LINE}", flush=True)
        _play(mixer, Speech(LINE), 0, {LINE: line})
        for name in CHIMES:
            level = loudness.CHIME_LUFS[name] + audio.chime_level
            print(f"Chime {name} ({WHAT[name]}, {level:g} LUFS at volume 100)", flush=True)
            _play(mixer, Chime(name), 0, {})
    print(
        "Done. Too quiet or too loud: set audio.volume; chimes against the voice: "
        "audio.chime_level; first word cut off: raise audio.wake_ms."
    )
    return 0


def speak(settings: config.Config, text: str) -> None:
    """Say one line through the settings' speaker, after its wake hum (`setup` plays one
    through each output a person tries); AudioError if the device will not open."""
    with _speaker(settings) as (mixer, cache):
        line = cache.path(text)
        _wake(mixer, settings.audio)
        _play(mixer, Speech(text), 0, {text: line}, gap=0.0)


@contextlib.contextmanager
def _speaker(settings: config.Config) -> Iterator[tuple[Mixer, SpeechCache]]:
    """The settings' speaker opened, and a speech cache of its own that goes with it."""
    with tempfile.TemporaryDirectory(prefix="routine-player-sound-test-") as scratch:
        own = replace(settings, paths=replace(settings.paths, cache=Path(scratch)))
        mixer = Mixer(settings.audio)
        try:
            yield mixer, plans.speech_cache(own)
        finally:
            mixer.close()


def _wake(mixer: Mixer, audio: config.AudioConfig) -> None:
    """The wake hum, for `audio.wake_ms`, so a sleepy speaker hears the first word."""
    wake = round(audio.wake_ms * mixer.rate / 1000)
    if wake:
        _play(mixer, Chime(WAKE), wake, {}, gap=0.0)


def _play(
    mixer: Mixer, sound: Sound, length: int, files: dict[str, Path], gap: float = GAP
) -> None:
    """Play one sound to its end, then a short gap."""
    mixer.load({sound: sound_bytes(sound, length, files, mixer)})
    mixer.play(sound, timeline=False)
    while mixer.busy():
        time.sleep(0.02)
    time.sleep(gap)
