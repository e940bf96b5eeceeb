"""`play` and `render`: a routine through the speaker now, or into one WAV file."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import wave
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from player import config
from player.audio.mixer import Mixer
from player.audio.sounds import raw_sounds
from player.core import routine
from player.core.errors import AudioError, PlayerError, Problem
from player.core.events import Action, Changed, Command, Ended, Ending, Shutdown, State
from player.core.session import Session
from player.core.sounds import Sound
from player.core.timeline import Timeline
from player.records.history import History, Recorder
from player.routines import library, plans, prepare
from player.service import preflight
from player.service.runner import Runner
from player.terminal import Keys, progress_line


def _load(
    args: argparse.Namespace, needs: tuple[str, ...]
) -> tuple[config.Config, routine.Routine]:
    """The config, checked for what this command `needs`, and the routine asked for, with
    `--side` checked against the routine's sides."""
    settings = config.own_files(config.load(args.config, service=True), args.config)
    preflight.require(settings, needs)  # before a sound device is opened: said first
    loaded = routine.load(library.locate(args.routine, settings))
    wrong = routine.side_problem(loaded, args.side) if args.side else None
    if wrong:
        raise PlayerError([Problem(loaded.source, wrong, field="--side")])
    return settings, loaded


def play(args: argparse.Namespace) -> int:
    """Play a routine now. On a terminal keys stand in for the button; otherwise to the end."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if a script's shell ignored it
    signal.signal(signal.SIGTERM, _leave)  # until the session starts (then `_stop_on_signals`)
    settings, loaded = _load(args, ("paths.cache", "paths.state", "voice"))
    try:
        mixer = Mixer(settings.audio)
    except AudioError as error:
        raise AudioError([Problem("audio", _no_card(error, args.routine))]) from None
    try:
        prepared = prepare.load_into(loaded, settings, mixer, args.side)
        return _play(prepared, settings, mixer)
    finally:
        mixer.close()


def _no_card(error: AudioError, routine_name: str) -> str:
    """No sound card: say so, and how to hear the routine anyway (`make run` points here)."""
    command = sys.argv[0] if sys.argv[0].endswith("routine-player") else "routine-player"
    wav = Path(routine_name).stem + ".wav"
    expected, _, found = error.problems[0].message.partition(", found none: ")
    return (
        f"{expected}, found none ({found}); to hear the routine without one, write it to a "
        f"file: {command} render {routine_name} -o {wav}"
    )


def _play(prepared: plans.Prepared, settings: config.Config, mixer: Mixer) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    session = Session(
        [prepared.timeline],
        hold_seconds=settings.button.hold_seconds,
        pause_timeout=settings.player.pause_timeout_minutes * 60,
    )
    endings: list[Ended] = []
    history = History(settings.paths.state)
    recorder = Recorder(history, session, settings.player.safety_reminder)

    def observe(action: Action, now: float) -> None:
        recorder.observe(action)
        if isinstance(action, Ended):
            endings.append(action)
        elif action == Changed(State.WAITING) and not interactive:
            runner.post(Command("resume"))  # nobody can press: go on

    runner = Runner(session, mixer, observe)
    title = prepared.timeline.routine.title
    side = f", {prepared.timeline.side} side only" if prepared.timeline.side else ""
    print(
        f"Playing {title}{side}"
        + (
            ": space pauses and resumes, s stops, d skips while paused, q quits."
            if interactive
            else "."
        ),
        flush=True,
    )
    runner.handle(Command("start"), runner.clock())
    keys = Keys(runner) if interactive else None
    caught: list[int] = []
    saved = _stop_on_signals(runner, caught)
    try:
        if keys:
            keys.start()
        while not (endings and session.state is State.IDLE and session.next_deadline() is None):
            runner.step(timeout=0.5 if keys else None)
            if keys:
                print(progress_line(session, runner.clock()), end="", flush=True)
    finally:
        if keys:
            keys.stop()
        history.close()
        for number, handler in saved.items():
            signal.signal(number, handler)
    _drain(mixer)
    print(("\n" if keys else "") + f"{title}: {endings[-1].ending.value}.")
    return 130 if signal.SIGINT in caught else 0


def _leave(number: int, frame: object) -> None:
    """SIGTERM before anything plays (while speech renders): leave as Ctrl-C would, through
    every `finally` (no half-rendered file left behind), but with the exit status 0."""
    raise SystemExit(0)


# How `play` ends on each signal: Ctrl-C is the person's stop, SIGTERM the system's. SDL's own
# handlers are off (SDL_NO_SIGNAL_HANDLERS, player/audio/mixer.py), or SDL would swallow both.
STOP_SIGNALS = {signal.SIGINT: Ending.STOPPED, signal.SIGTERM: Ending.SERVICE_STOPPED}


def _stop_on_signals(runner: Runner, caught: list[int]) -> dict[int, object]:
    """Make SIGINT and SIGTERM silence at once, then end the session (it is recorded) and
    let the loop finish; return the handlers they replace. A SIGINT ignored by the shell that
    started us (a background job in a script) is taken back too: it is how a person stops us."""

    def stop(number: int, frame: object) -> None:
        runner.mixer.silence()
        caught.append(number)
        runner.post(Shutdown(STOP_SIGNALS[signal.Signals(number)]))

    return {number: signal.signal(number, stop) for number in STOP_SIGNALS}


def _drain(mixer: Mixer, limit: float = 2.0) -> None:
    """Let the last sound finish before the device closes."""
    end = time.monotonic() + limit
    while mixer.busy() and time.monotonic() < end:
        time.sleep(0.02)


def render(args: argparse.Namespace) -> int:
    """Write the routine as one WAV, exactly as it plays with no presses."""
    settings, loaded = _load(args, ("paths.cache", "voice"))
    output = Path(args.output)
    if output.exists() and not args.force:
        message = "expected a new file name, found a file there (use --force to replace it)"
        raise PlayerError([Problem(str(output), message)])
    os.environ["SDL_AUDIODRIVER"] = "dummy"  # render never plays: no sound card needed
    mixer = Mixer(replace(settings.audio, device=""))
    try:
        prepared = plans.prepare(loaded, settings, rate=mixer.rate, side=args.side)
        tl = prepared.timeline
        raw = raw_sounds(prepared.timeline, prepared.files, mixer)
    finally:
        mixer.close()
    _write_wav(output, layout(tl, raw, mixer.frame_bytes), mixer)
    minutes, seconds = divmod(round(tl.seconds()), 60)
    print(f"Wrote {output}: {minutes}:{seconds:02d}, {tl.length} frames at {mixer.rate} Hz.")
    return 0


def layout(plan: Timeline, raw: Mapping[Sound, bytes], frame_bytes: int) -> bytes:
    """The timeline as one stream of PCM: every sound at its planned frame, silence between."""
    pcm = bytearray(plan.length * frame_bytes)
    for entry in plan.entries:
        pcm[entry.start * frame_bytes : entry.end * frame_bytes] = raw[entry.sound]
    return bytes(pcm)


def _write_wav(path: Path, pcm: bytes, mixer: Mixer) -> None:
    """Write under a temporary name, then rename: never a half-written file."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, scratch = tempfile.mkstemp(suffix=".wav", prefix=".render-", dir=folder)
        with os.fdopen(handle, "wb") as raw, wave.open(raw, "wb") as out:
            out.setnchannels(mixer.channels)
            out.setsampwidth(mixer.sample_bytes)
            out.setframerate(mixer.rate)
            out.writeframes(pcm)
        os.replace(scratch, path)
    except OSError as error:
        raise PlayerError(
            [Problem(str(path), f"expected a file we can write, found: {error.strerror}")]
        ) from None
