"""Timelines for routines: speech lengths from the cache where rendered, else estimated."""

from __future__ import annotations

import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from player.audio import chimes
from player.config import Config
from player.core import intro, timeline
from player.core.errors import Problem, SpeechError, VoiceError
from player.core.routine import Routine
from player.core.sounds import CHIMES
from player.voice import checks as voices
from player.voice.cache import SPEECH_RATE, SpeechCache


def speech_cache(config: Config) -> SpeechCache:
    """The speech cache the config names."""
    return SpeechCache(config.paths.cache / "speech", config.voice)


def at_rate(frames: int, source_rate: int, rate: int) -> int:
    """A sound's length in frames once resampled to `rate`; play and render both use this."""
    return frames if source_rate == rate else round(frames * rate / source_rate)


START_ALLOWANCE_MS = 250  # opening a let-go device and laying out the session, on a slow Pi


def lead_in(config: Config, rate: int) -> int:
    """The wake hum's frames before a session's first word: `audio.wake_ms`, one mixer buffer
    more, because the hum and the word each start at the next buffer the mixer fills, and
    START_ALLOWANCE_MS, because the word's time counts from the start while the hum sounds only
    once the device is open and the session laid out (measured in `make vm-test`, wake_ms 1000:
    983 ms from hum to word with neither, 913 ms with the buffer once the start also laid out
    the button's explanation). A start slower than that is covered by the session itself, which
    counts from when the device took the hum (`Sounding`, issue 24)."""
    if not config.audio.wake_ms:
        return 0
    allowance = config.audio.wake_ms + START_ALLOWANCE_MS
    return round(allowance * rate / 1000) + config.audio.buffer_frames


def chime_frames(rate: int) -> dict[str, int]:
    """Each shipped chime's length at `rate`."""
    lengths = {}
    for name in CHIMES:
        with wave.open(str(chimes.shipped(name))) as w:
            lengths[name] = at_rate(w.getnframes(), w.getframerate(), rate)
    return lengths


def opening(config: Config) -> tuple[str, ...]:
    """What the player says before every routine's title: the button's explanation, unless
    the config turns it off. A session shortens it for a person who knows the button."""
    return (intro.BUTTON,) if config.player.button_intro else ()


def planned_seconds(
    routine: Routine, config: Config, side: str | None = None
) -> tuple[float, bool]:
    """The routine's length (one side's, if given), and whether it is exact (all its speech
    already rendered)."""
    cache, rate = speech_cache(config), config.audio.sample_rate
    speech, exact = {}, True
    for text in timeline.speech_texts(routine):
        frames = cache.frames(text)
        if frames is None:
            exact = False
            speech[text] = timeline.estimate_frames(text, config.voice.rate, rate)
        else:
            speech[text] = at_rate(frames, SPEECH_RATE, rate)
    return _lay_out(routine, speech, config, rate, side).seconds(), exact


@dataclass(frozen=True, slots=True)
class Prepared:
    """A routine ready to play: its exact timeline and the WAV behind every line of speech."""

    timeline: timeline.Timeline
    files: dict[str, Path]


Progress = Callable[[int, int], None]  # (lines ready, lines in all), before and after each


def prepare(
    routine: Routine,
    config: Config,
    rate: int | None = None,
    side: str | None = None,
    *,
    extra: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> Prepared:
    """Render (or find) every line the routine may speak; refuse with the step that failed.

    `rate` is the rate the mixer really opened at, when it differs from the configured one;
    `side` plays one side of the routine only; `extra` are lines the session may also say
    outside any routine (the daemon's: a phone asking to join, core/joining.py); `progress`
    hears how far it got.
    """
    voices.require(config)
    cache = speech_cache(config)
    rate = rate or config.audio.sample_rate
    files: dict[str, Path] = {}
    speech: dict[str, int] = {}
    texts = [*timeline.speech_texts(routine), *extra]
    for done, text in enumerate(texts):
        if progress is not None:
            progress(done, len(texts))
        try:
            files[text] = cache.path(text)
        except VoiceError:
            raise  # about the voice, not this step
        except SpeechError as error:
            place = _place_of(routine, text)
            raise SpeechError(
                [
                    Problem(routine.source or routine.id, p.message, place, p.file)
                    for p in error.problems
                ]
            ) from None
        with wave.open(str(files[text])) as w:
            speech[text] = at_rate(w.getnframes(), SPEECH_RATE, rate)
    if progress is not None:
        progress(len(texts), len(texts))
    return Prepared(_lay_out(routine, speech, config, rate, side), files)


def _lay_out(
    routine: Routine, speech: dict[str, int], config: Config, rate: int, side: str | None
) -> timeline.Timeline:
    """The timeline from the speech's lengths at `rate`: one layout for `list` and for play."""
    return timeline.plan(
        routine,
        speech,
        chime_frames(rate),
        rate,
        lead_in(config, rate),
        opening=opening(config),
        side=side,
    )


def _place_of(routine: Routine, text: str) -> str:
    """Where a line of speech comes from, as a person counts it."""
    for step, side, other in timeline.played_steps(routine):
        lines = [timeline.recap(step, side, other, said) for said in (False, True)]
        if text in (step.cue(side, other), *lines):
            return f"step {step.number}"
    return "title" if text == routine.title else ""
