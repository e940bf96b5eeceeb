"""The mixer shell with the real pygame mixer on SDL's disk driver: what plays, and when."""

from __future__ import annotations

import array
import itertools
import os
import subprocess
import sys
import threading
import time
import wave
from dataclasses import replace

import pytest

from player.audio import chimes
from player.audio.mixer import Mixer
from player.audio.sounds import raw_sounds
from player.config import AudioConfig
from player.core import intro, routine
from player.core.errors import AudioError
from player.core.events import Command, Ended, State
from player.core.session import Session
from player.core.sounds import WAKE, Chime, Speech
from player.playback import layout
from player.routines import plans
from player.service.runner import Runner
from player.voice.cache import SPEECH_RATE

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
    mixer.load(raw_sounds(prepared.timeline, prepared.files, mixer))
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
    "from player.audio.mixer import Mixer; from player.config import AudioConfig; "
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
    assert with_alsa(tmp_path, alsa_conf, OPEN_AND_SAY_DEVICE).split() == [device]


def with_alsa(tmp_path, alsa_conf: str, script: str) -> str:
    """What `script` prints, run through SDL's ALSA driver with only the devices `alsa_conf`
    names (null ones: nothing is heard)."""
    conf = tmp_path / "asound.conf"
    conf.write_text(alsa_conf)
    env = {**os.environ, "SDL_AUDIODRIVER": "alsa", "ALSA_CONFIG_PATH": str(conf)}
    env.pop("AUDIODEV", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


FALL_BACK = """
from player.audio.mixer import Mixer
from player.config import AudioConfig
from player.core.errors import AudioError
mixer = Mixer(AudioConfig(device="plughw:CARD=Nowhere,DEV=0"), lazy=True)
try:
    mixer.open()
except AudioError as error:
    print(mixer.settings.device, "not found:", "found none" in error.lines()[0])
mixer.open(default=True)
print(mixer.device, repr(mixer.settings.device))
"""


def test_mixer_a_chosen_device_not_found_can_give_way_to_the_default_output(tmp_path):
    """Real ALSA with a config of our own: the chosen card does not exist, the default does."""
    assert with_alsa(tmp_path, "pcm.plughw { type null }\n", FALL_BACK).splitlines() == [
        "plughw:CARD=Nowhere,DEV=0 not found: True",
        "plughw ''",
    ]


class Growth:
    """Dates the disk driver's output by its growth. SDL writes the file through a 4 KiB stdio
    buffer, so it grows 2048 frames at a time, in a mixer callback; the kernel stamps each
    write in the file's mtime, which a thread reads with the size in one `stat`, so the dates
    do not depend on when that thread runs. The driver's own pace (SDL_DISKAUDIODELAY, whole
    milliseconds: about 5 % fast at 256 frames) and its stalls then do not count."""

    def __init__(self, path, period: int) -> None:
        self.path, self.period, self.steps = path, period, []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        size = os.path.getsize(self.path)  # written before we looked: not dated
        while not self._done.wait(0.002):
            seen = os.stat(self.path)
            if seen.st_size != size:
                size = seen.st_size
                self.steps.append((size // 2 - self.period, seen.st_mtime_ns / 1e9))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def when(self, frame: int) -> float:
        """When (`time.time()`) the callback that wrote `frame` ran. A write that brought the
        file to `n` frames was made by the callback whose first frame is `n - period`."""
        return _between(self.steps, frame)

    def frame(self, at: float) -> int:
        """The frame the output had reached at `at`."""
        return round(_between([(t, f) for f, t in self.steps], at))


def _between(points: list[tuple[float, float]], x: float) -> float:
    """Linear interpolation along increasing points, extrapolated at the ends."""
    (x0, y0), (x1, y1) = next(
        ((a, b) for a, b in itertools.pairwise(points) if b[0] >= x), points[-2:]
    )
    return y0 + (x - x0) * (y1 - y0) / (x1 - x0)


def test_play_starts_every_sound_in_order_and_never_before_the_plan(disk_audio, write, settings):
    """Each sound's start in the output, dated by the output's growth, against the plan from
    the moment of the start command. None may start before its time: a sound starts in the
    first callback after `play()`, so at most a period (256 frames, 12 ms) and the file's
    timestamp granularity early. How late is not asserted: a busy machine can stall a callback
    or a wake-up for any time (issue 24); the runner's own timing is proven by its injected
    clock in tests/test_runner.py."""
    audio = replace(settings.audio, buffer_frames=256, wake_ms=0)  # pygame's smallest period
    mixer = Mixer(audio)
    prepared = ready(SHORT, write, replace(settings, audio=audio), mixer)
    tl = prepared.timeline
    planned = array.array("h", layout(tl, raw_sounds(prepared.timeline, prepared.files, mixer), 2))
    growth = Growth(disk_audio, period=256)
    time.sleep(0.3)  # a few dated writes before the start
    began = time.time()
    play_through(prepared, mixer)
    time.sleep(0.2)
    growth.stop()
    mixer.close()
    played = pcm(disk_audio)
    late = []
    for entry in tl.entries:
        lead = onset(planned, entry.start, entry.end)  # a sound may begin quietly
        if lead is None or onset(planned, entry.start - tl.rate // 10, entry.start) is not None:
            continue  # silent, or too close behind another sound to tell them apart
        due = began + entry.start / tl.rate
        found = onset(played, growth.frame(due) + lead - entry.start - tl.rate // 10)
        assert found is not None, f"{entry.sound} never sounded"
        late.append(round((growth.when(found - (lead - entry.start)) - due) * 1000, 1))
    assert len(late) >= 8, late
    assert min(late) >= -(256 / tl.rate * 1000 + 10), late  # a period, and 10 ms of mtime
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
    # one buffer more, and the start's allowance: plans.lead_in
    lead = round((0.3 + plans.START_ALLOWANCE_MS / 1000) * tl.rate) + quiet.audio.buffer_frames
    assert tl.entries[0].sound.name == "wake" and tl.entries[0].length == lead
    raw = raw_sounds(prepared.timeline, prepared.files, mixer)
    hum = array.array("h", raw[tl.entries[0].sound])
    assert 0 < max(abs(x) for x in hum) < 32767 * 10 ** (-40 / 20)  # present, inaudible
    mixer.play(Speech("Volume."))
    while mixer.busy():  # played out, however slowly the machine goes (issue 24)
        time.sleep(0.05)
    mixer.close()
    loudest = max(abs(x) for x in pcm(disk_audio))
    full = max(abs(x) for x in array.array("h", raw[Speech("Volume.")]))
    assert 0.15 * full < loudest < 0.35 * full


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_speech_and_chimes_are_converted_to_the_mixers_rate_at_load(
    disk_audio, write, settings, rate
):
    """The speech cache and the chimes stay at eSpeak's 22050 Hz; each sound is resampled once,
    as it is loaded, to the rate the mixer opened at. Played at the wrong speed, a sound would
    end early (cut or padded to its planned length, it would end in silence)."""
    mixer = Mixer(replace(settings.audio, sample_rate=rate))
    try:
        prepared = ready(SHORT, write, settings, mixer)
        raw = raw_sounds(prepared.timeline, prepared.files, mixer)
    finally:
        mixer.close()
    files = {Speech(text): path for text, path in prepared.files.items()}
    shipped = [s for s in raw if isinstance(s, Chime) and s.name != WAKE]  # the hum is made
    files |= {sound: chimes.shipped(sound.name) for sound in shipped}
    for sound, path in files.items():
        with wave.open(str(path)) as source:
            assert source.getframerate() == SPEECH_RATE
            original = array.array("h", source.readframes(source.getnframes()))
        converted = array.array("h", raw[sound])
        last = max(i for i, v in enumerate(original) if abs(v) > LOUD)
        now = max(i for i, v in enumerate(converted) if abs(v) > LOUD)
        # within a millisecond: a quiet chime's fading tail crosses LOUD a few frames apart
        assert abs(now - last * rate / SPEECH_RATE) <= 0.002 * now + rate / 1000, sound


NO_CARD_THEN_WRITE_TO_FD_2 = """
import os, pygame
from player.audio.mixer import Mixer
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


OPEN_THEN_ALSA_SPEAKS = """
import ctypes
from player.audio.mixer import Mixer
from player.config import AudioConfig
Mixer(AudioConfig())
alsa, pcm = ctypes.CDLL("libasound.so.2"), ctypes.c_void_p()
alsa.snd_pcm_open(ctypes.byref(pcm), b"nosuch", 0, 0)  # libasound reports it on stderr
"""


def test_alsa_speaks_on_stderr_once_the_device_is_open(tmp_path):
    """Issue 19: libasound is quiet only while the device opens. An underrun is one of its
    messages, and the journal is where a person sees it (docs/raspberry-pi.md)."""
    conf = tmp_path / "asound.conf"
    conf.write_text("pcm.plughw { type null }\npcm.default { type null }\n")
    env = {**os.environ, "SDL_AUDIODRIVER": "alsa", "ALSA_CONFIG_PATH": str(conf)}
    env.pop("AUDIODEV", None)
    result = subprocess.run(
        [sys.executable, "-c", OPEN_THEN_ALSA_SPEAKS],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ALSA lib" in result.stderr and "nosuch" in result.stderr
