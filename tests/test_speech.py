"""The speech cache with the real pyttsx3 over eSpeak NG: render once, heal damage, say why."""

from __future__ import annotations

import array
import os
import sys
import time
import wave
from pathlib import Path

import pytest

from player.core.errors import SpeechError
from player.voice.cache import SPEECH_RATE, SpeechCache, Voice
from player.voice.worker import RENDER_TRIES

LINE = "Lean onto your left side, and breathe slowly."


def samples(path: Path) -> array.array:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SPEECH_RATE)
        return array.array("h", w.readframes(w.getnframes()))


def test_speech_renders_a_cue_once_with_espeak_and_reuses_it(tmp_path):
    cache = SpeechCache(tmp_path / "speech", Voice("en-us", 160))
    assert cache.version.startswith("pyttsx3 2.99, eSpeak NG ")
    first = cache.path(LINE)
    audio = samples(first)
    seconds = len(audio) / SPEECH_RATE
    assert 2.0 < seconds < 5.0  # eight words at 160 a minute
    assert max(abs(x) for x in audio) > 5000  # speech, not silence
    stamp = first.stat().st_mtime_ns
    assert cache.path(LINE) == first and first.stat().st_mtime_ns == stamp
    assert cache.frames(LINE) == len(audio)
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temporary files left


def test_speech_key_changes_with_voice_rate_and_text(tmp_path):
    base = SpeechCache(tmp_path, Voice("en-us", 160))
    assert base.key(LINE) != SpeechCache(tmp_path, Voice("en-us", 200)).key(LINE)
    assert base.key(LINE) != SpeechCache(tmp_path, Voice("en-gb", 160)).key(LINE)
    assert base.key(LINE) != base.key(LINE + " Again.")
    assert base.key(LINE) != SpeechCache(tmp_path, Voice(), version="other").key(LINE)
    faster = SpeechCache(tmp_path, Voice("en-us", 240)).path(LINE)
    assert len(samples(faster)) < len(samples(base.path(LINE)))


def test_speech_rate_holds_for_every_line_when_rates_alternate_in_one_worker(tmp_path):
    """Issue 14: pyttsx3 2.99 lost about half of all rate changes between renders, and the
    cache kept such a line under the key of the rate asked for. 24 renders alternate here in
    one child process; with the old code the chance that none of them is wrong is about 1e-7."""
    from player.voice.worker import worker

    lengths: dict[int, list[int]] = {160: [], 240: []}
    for i in range(24):
        rate = (160, 240)[i % 2]
        scratch = tmp_path / f"{i}.wav"
        worker.render(LINE, Voice("en-us", rate), str(scratch))
        lengths[rate].append(len(samples(scratch)))
    # Eight words: 3.0 s at 160 a minute, 2.0 s at 240 (eSpeak adds its own pauses to both).
    assert max(lengths[240]) * 1.3 < min(lengths[160])
    assert max(lengths[160]) < 1.05 * min(lengths[160])
    assert max(lengths[240]) < 1.05 * min(lengths[240])


def test_speech_child_holds_one_voice_and_a_new_voice_gets_a_new_child(tmp_path):
    """A change of rate travels with the line; a change of voice starts a new process, so no
    voice change can be lost inside pyttsx3 either."""
    from player.voice.worker import worker

    def pid_after(voice: Voice) -> int:
        worker.render(LINE, voice, str(tmp_path / "line.wav"))
        assert worker._process is not None
        return worker._process.pid

    first = pid_after(Voice("en-us", 160))
    assert pid_after(Voice("en-us", 240)) == first
    assert pid_after(Voice("en", 240)) != first


def test_speech_lines_cached_by_the_rate_losing_code_are_never_read_again(tmp_path):
    """A cache filled before issue 14's fix may hold lines at the wrong rate under their key:
    the key's format changed, so each is rendered afresh and the old file is ignored."""
    import hashlib

    cache = SpeechCache(tmp_path, Voice("en-us", 160), version="v")
    before = hashlib.sha256("\0".join(["v", "en-us", "160", LINE]).encode()).hexdigest()[:32]
    assert cache.key(LINE) != before


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip"])
def test_speech_damaged_cache_file_is_found_and_rendered_again(tmp_path, damage):
    cache = SpeechCache(tmp_path, Voice())
    path = cache.path(LINE)
    good = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a wav at all" * 100)
    else:
        path.write_bytes(good[:-100] + b"\x55" * 100)  # same size, samples changed
    assert cache.cached(LINE) is None and not path.exists()
    healed = cache.path(LINE)
    assert len(samples(healed)) > SPEECH_RATE


def test_speech_unknown_voice_is_one_line(tmp_path):
    with pytest.raises(SpeechError) as caught:
        SpeechCache(tmp_path, Voice("no-such-voice", 160)).path(LINE)
    assert caught.value.lines() == [
        'voice.name: expected an eSpeak NG voice such as "en-us", found "no-such-voice"'
    ]


def test_speech_cache_folder_that_cannot_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    with pytest.raises(SpeechError) as caught:
        SpeechCache(blocker / "speech", Voice()).path(LINE)
    (line,) = caught.value.lines()
    assert line.startswith(f"{blocker / 'speech'}: expected a cache folder we can write, found:")


def test_speech_without_espeak_says_so(tmp_path):
    with pytest.raises(SpeechError) as caught:
        SpeechCache(tmp_path, Voice(), version="").path(LINE)
    assert caught.value.lines() == [
        "eSpeak NG: expected it installed, found it missing (install the espeak-ng package)"
    ]


def test_speech_a_cue_espeak_cannot_say_stops_the_routine_with_its_step(write, settings):
    from player.core import routine
    from player.routines import plans

    path = write("mute.toml", 'title = "Mute"\n[[step]]\nsay = "Fine."\n[[step]]\nsay = "- - -"\n')
    with pytest.raises(SpeechError) as caught:
        plans.prepare(routine.load(path), settings)
    assert caught.value.lines() == [
        f"{path}: step 2: eSpeak NG: expected speech, found silence for '- - -'"
    ]


@pytest.fixture
def faulty_espeak(tmp_path, monkeypatch):
    """The renderer's command replaced by one that takes the request and then dies as a crash
    inside eSpeak would (SIGSEGV) or hangs, `times` times over, and then is the real one:
    eSpeak cannot be made to crash at will, a process can."""
    from player.voice import worker

    def install(how: str, times: int) -> None:
        worker.worker.stop()
        script = tmp_path / "faulty.py"
        script.write_text(FAULTY.format(how=how, times=times, count=str(tmp_path / "faults")))
        monkeypatch.setattr(worker.worker, "command", [sys.executable, str(script)])

    yield install
    worker.worker.stop()


FAULTY = """\
import os, signal, sys, time
count = {count!r}
done = os.path.getsize(count) if os.path.exists(count) else 0
if done < {times}:
    open(count, "a").write("x")
    sys.stdin.readline()
    time.sleep(600) if {how!r} == "hang" else os.kill(os.getpid(), signal.SIGSEGV)
os.execv(sys.executable, [sys.executable, "-m", "player.voice.child"])
"""


def test_speech_a_crash_inside_espeak_costs_one_render_not_the_player(tmp_path, faulty_espeak):
    faulty_espeak("crash", times=1)
    cache = SpeechCache(tmp_path / "speech", Voice())
    path = cache.path(LINE)
    assert (tmp_path / "faults").read_text() == "x"  # it did crash once
    assert cache.cached(LINE) == path and len(samples(path)) > SPEECH_RATE
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_speech_a_hung_espeak_is_given_up_and_the_line_rendered_again(
    tmp_path, faulty_espeak, monkeypatch
):
    from player.voice import worker

    # Far longer than a real render on a busy machine (0.5 s was not: issue 24), far shorter
    # than the hang.
    monkeypatch.setattr(worker, "RENDER_SECONDS", 10.0)
    faulty_espeak("hang", times=1)
    path = SpeechCache(tmp_path / "speech", Voice()).path(LINE)
    assert (tmp_path / "faults").read_text() == "x" and len(samples(path)) > SPEECH_RATE


def test_speech_a_line_that_keeps_crashing_espeak_is_one_line(tmp_path, faulty_espeak):
    faulty_espeak("crash", times=RENDER_TRIES)
    cache = SpeechCache(tmp_path / "speech", Voice())
    with pytest.raises(SpeechError) as caught:
        cache.path(LINE)
    assert caught.value.lines() == [
        "eSpeak NG: expected speech, found its process killed by Segmentation fault, "
        f"3 times, for {LINE!r}"
    ]
    assert not list((tmp_path / "speech").iterdir())  # nothing half-written
    assert cache.path(LINE).exists()  # the next line gets a new process, the real one


def test_speech_child_process_leaves_when_idle_or_at_end_of_input(monkeypatch):
    from player.voice import child as speech_worker

    monkeypatch.setattr(speech_worker, "IDLE_SECONDS", 0.05)
    reading, writing = os.pipe()
    with os.fdopen(reading) as requests, os.fdopen(writing, "w") as unused:
        started = time.monotonic()
        speech_worker.serve(requests, unused)  # nothing asked: it returns after IDLE_SECONDS
        assert time.monotonic() - started >= 0.05
    reading, writing = os.pipe()
    os.close(writing)
    with os.fdopen(reading) as requests:
        speech_worker.serve(requests, unused)  # end of input: it returns at once
