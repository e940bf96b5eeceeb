"""The mixer shell with the real pygame mixer on SDL's disk driver: what plays, and when."""

from __future__ import annotations

import array
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest

from player import plans
from player.audio import Mixer, raw_sounds
from player.config import AudioConfig
from player.core import intro, routine
from player.core.errors import AudioError
from player.core.events import Command, Ended, State
from player.core.session import Session
from player.core.sounds import Speech
from player.playback import layout
from player.runner import Runner

SHORT = """
title = "Short test"
sides = ["left", "right"]
[[step]]
say = "Hold the {side} side."
each_side = true
hold = 2
[step.chimes]
halfway = true
countdown = 1
"""
LOUD = 300  # a sample louder than this is sound, not silence


def pcm(path) -> array.array:
    return array.array("h", path.read_bytes())


def onset(samples: array.array, start: int, stop: int | None = None) -> int | None:
    """The first loud sample at or after `start`."""
    for i in range(max(0, start), len(samples) if stop is None else min(stop, len(samples))):
        if abs(samples[i]) > LOUD:
            return i
    return None


def ready(text: str, write, settings, mixer: Mixer) -> plans.Prepared:
    prepared = plans.prepare(routine.load(write("r.toml", text)), settings, rate=mixer.rate)
    mixer.load(raw_sounds(prepared, mixer))
    return prepared


def play_through(prepared: plans.Prepared, mixer: Mixer) -> None:
    """Play the whole timeline with the real clock, as `play` does."""
    session = Session([prepared.timeline])
    ended: list = []
    runner = Runner(session, mixer, lambda action, now: ended.append(action))
    runner.handle(Command("start"), runner.clock())
    while not (any(isinstance(a, Ended) for a in ended) and session.state is State.IDLE):
        runner.step()


def test_mixer_opens_in_the_format_it_reports(disk_audio):
    mixer = Mixer(AudioConfig(sample_rate=44100, buffer_frames=1024))
    try:
        assert (mixer.rate, mixer.channels, mixer.sample_bytes) == (44100, 1, 2)
        assert mixer.buffer_frames == 1024
    finally:
        mixer.close()


def test_mixer_without_a_device_is_one_line(monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    with pytest.raises(AudioError) as caught:
        Mixer(AudioConfig())
    assert caught.value.lines() == [
        "audio: expected a sound card (through SDL's no-such-driver driver), found none: "
        "Audio target 'no-such-driver' not available"
    ]


OPEN_AND_SAY_DEVICE = (
    "from player.audio import Mixer; from player.config import AudioConfig; "
    "print(Mixer(AudioConfig()).device)"
)


@pytest.mark.parametrize(
    ("alsa_conf", "device"),
    [
        ("pcm.plughw { type null }\npcm.default { type null }\n", "plughw"),
        ("pcm.default { type null }\n", "default"),  # no card for plughw: the shared default
    ],
)
def test_mixer_prefers_the_card_directly_over_alsas_default(tmp_path, alsa_conf, device):
    """Real ALSA with a config of our own: "plughw" first (no dmix buffer between a press and
    silence), ALSA's "default" only when that cannot open."""
    conf = tmp_path / "asound.conf"
    conf.write_text(alsa_conf)
    env = {**os.environ, "SDL_AUDIODRIVER": "alsa", "ALSA_CONFIG_PATH": str(conf)}
    env.pop("AUDIODEV", None)
    result = subprocess.run(
        [sys.executable, "-c", OPEN_AND_SAY_DEVICE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [device]


def test_play_puts_every_sound_at_its_planned_offset(disk_audio, write, settings):
    mixer = Mixer(settings.audio)
    prepared = ready(SHORT, write, settings, mixer)
    tl = prepared.timeline
    planned = array.array("h", layout(tl, raw_sounds(prepared, mixer), 2))
    play_through(prepared, mixer)
    time.sleep(0.2)
    mixer.close()
    played = pcm(disk_audio)
    shift = onset(played, 0) - onset(planned, 0)
    assert shift >= 0
    tolerance = 2 * mixer.buffer_frames + round(0.06 * tl.rate)  # device buffers, loop wake-up
    for entry in tl.entries:
        expected = onset(planned, entry.start, entry.end)
        if expected is None:
            continue  # a silent stretch at the start of a sound
        drift = round(0.005 * expected)  # the disk driver's clock runs a little fast
        found = onset(played, expected + shift - tolerance)
        assert found is not None and abs(found - (expected + shift)) <= tolerance + drift, entry
    said = [e.sound.text for e in tl.entries if isinstance(e.sound, Speech)]
    assert said == [
        intro.BUTTON,
        "Short test",
        "Hold the left side.",
        "Hold the right side.",
        "That is the end of this routine.",
    ]


def test_silence_mid_cue_leaves_the_output_silent_within_one_buffer(disk_audio, write, settings):
    mixer = Mixer(settings.audio)
    text = 'title = "A long title that keeps on talking for quite a while, on and on."\n'
    prepared = ready(text + '[[step]]\nsay = "x"\n', write, settings, mixer)
    mixer.play(Speech(prepared.timeline.routine.title))
    time.sleep(1.0)
    written_before = os.path.getsize(disk_audio)
    mixer.silence()
    time.sleep(0.5)
    mixer.close()
    played = pcm(disk_audio)
    at = written_before // 2  # the frame the device had reached when silence() was called
    lag = 4096 // 2  # SDL writes the file through a 4 KiB stdio buffer
    assert onset(played, max(0, at - 4000), at) is not None  # the cue really was sounding
    last_loud = max(i for i in range(len(played)) if abs(played[i]) > LOUD)
    assert last_loud - at <= mixer.buffer_frames + lag  # within one buffer of the call


def test_silence_is_safe_from_any_thread_any_number_of_times(disk_audio, write, settings):
    mixer = Mixer(settings.audio)
    prepared = ready(
        'title = "Many threads at once."\n[[step]]\nsay = "x"\n', write, settings, mixer
    )
    mixer.play(Speech(prepared.timeline.routine.title))
    errors: list[BaseException] = []

    def hammer() -> None:
        try:
            for _ in range(200):
                mixer.silence()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and not mixer.busy()
    mixer.close()
    mixer.silence()  # even after the device is closed


def test_volume_and_wake_lead_in(disk_audio, write, settings):
    quiet = replace(settings, audio=replace(settings.audio, volume=25, wake_ms=300))
    mixer = Mixer(quiet.audio)
    prepared = ready('title = "Volume."\n[[step]]\nsay = "x"\n', write, quiet, mixer)
    tl = prepared.timeline
    lead = round(0.3 * tl.rate) + quiet.audio.buffer_frames  # one buffer more: plans.lead_in
    assert tl.entries[0].sound.name == "wake" and tl.entries[0].length == lead
    raw = raw_sounds(prepared, mixer)
    hum = array.array("h", raw[tl.entries[0].sound])
    assert 0 < max(abs(x) for x in hum) < 32767 * 10 ** (-40 / 20)  # present, inaudible
    mixer.play(Speech("Volume."))
    time.sleep(0.8)
    mixer.close()
    loudest = max(abs(x) for x in pcm(disk_audio))
    full = max(abs(x) for x in array.array("h", raw[Speech("Volume.")]))
    assert 0.15 * full < loudest < 0.35 * full


NO_CARD_THEN_WRITE_TO_FD_2 = """
import os, pygame
from player.audio import Mixer
from player.config import AudioConfig
from player.core.errors import AudioError
init = pygame.mixer.init
def init_and_speak():  # as a traceback from another thread would, while the device opens
    os.write(2, b"written to stderr while the device opened\\n")
    init()
pygame.mixer.init = init_and_speak
try:
    Mixer(AudioConfig())
except AudioError as error:
    print(error.lines()[0])
"""


def test_mixer_opening_no_card_is_quiet_and_never_hides_stderr(tmp_path):
    """Issue 13: nothing redirects the process's stderr while the device opens (a traceback
    from any thread must reach the journal), and libasound's own chatter about a missing card
    is silenced all the same: one line, from us."""
    conf = tmp_path / "asound.conf"
    conf.write_text("pcm.!default { type plug slave.pcm nosuch }\npcm.plughw pcm.default\n")
    env = {**os.environ, "SDL_AUDIODRIVER": "alsa", "ALSA_CONFIG_PATH": str(conf)}
    env.pop("AUDIODEV", None)
    result = subprocess.run(
        [sys.executable, "-c", NO_CARD_THEN_WRITE_TO_FD_2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.startswith("audio: expected a sound card (through SDL's alsa driver)")
    assert result.stderr.splitlines() == ["written to stderr while the device opened"] * 2
