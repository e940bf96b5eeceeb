"""The naive player a user would write: pyttsx3 say()/runAndWait() for each cue, then
time.sleep() for the hold, a chime through aplay, and a stop flag checked between utterances.

Each moment is logged as `<event> <monotonic time>` to the file named by NAIVE_LOG.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import pyttsx3

from player.audio import chimes
from player.core import routine, timeline

stop = threading.Event()  # a gpiozero callback would set this


def log(event: str) -> None:
    with open(os.environ["NAIVE_LOG"], "a") as out:
        out.write(f"{event} {time.monotonic()}\n")


def main(path: str) -> None:
    engine = pyttsx3.init()
    engine.setProperty("rate", 160)
    loaded = routine.load(path)
    log("start")
    engine.say(loaded.title)
    engine.runAndWait()
    for step, side, other in timeline.played_steps(loaded):
        if stop.is_set():
            break
        engine.say(step.cue(side, other))
        engine.runAndWait()
        if step.hold:
            log("hold_start")
            os.system(f"aplay -q {chimes.shipped('hold_start')}")
            time.sleep(step.hold)
            log("hold_end")
            os.system(f"aplay -q {chimes.shipped('hold_end')}")
        time.sleep(step.rest)
    log("end")


if __name__ == "__main__":
    main(sys.argv[1])
