"""The player as the web page sees it: requests over the control socket, its status put into
words for the page, and the server-sent events that keep an open page up to date."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from player.core.errors import PlayerError
from player.service.control import request

ACTIVE = ("playing", "paused", "waiting", "stopping")
TICK = 0.5  # how often an open page's stream asks the player (a Unix socket, on the Pi itself)
KEEP_ALIVE = 15.0
STREAM_SECONDS = 600.0  # then the browser reconnects by itself, and a stuck stream is let go


def ask(socket: Path, payload: dict) -> dict:
    """One request to the player; an unreachable player reads as {"ok": False, "error": ...,
    "unreachable": True}, a refusal as the player's own reply."""
    try:
        return request(socket, payload, timeout=3.0)
    except PlayerError as error:
        return {"ok": False, "error": error.lines()[0], "unreachable": True}


def clock(seconds: float | None) -> str:
    """0:42, 12:05; an empty string for no time."""
    if seconds is None:
        return ""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def view(status: dict) -> dict:
    """What the session page shows, as the state and one text per element id."""
    if not status.get("ok"):
        return {
            "state": "unreachable",
            "text": {"headline": "The player does not answer", "detail": status.get("error", "")},
        }
    state = status["state"]
    if state not in ACTIVE:
        return {
            "state": "idle",
            "text": {
                "headline": "Nothing is playing",
                "detail": "",
                "step": "",
                "side": "",
                "hold": "",
                "left": "",
            },
        }
    step = f"Step {status['step']} of {status['steps']}" if status.get("step") else ""
    return {
        "state": state,
        "text": {
            "headline": status.get("title", ""),
            "detail": {
                "playing": "Playing",
                "paused": "Paused",
                "waiting": "Waiting for you: resume when ready",
                "stopping": "Stopping",
            }[state],
            "step": step,
            "side": f"{status['side'].capitalize()} side" if status.get("side") else "",
            "hold": clock(status.get("hold_left")),
            "left": clock(status.get("routine_left")),
        },
    }


def stream(
    status: Callable[[], dict],
    sleep: Callable[[float], None] = time.sleep,
    clock_: Callable[[], float] = time.monotonic,
    alive: Callable[[], bool] = lambda: True,
) -> Iterator[str]:
    """Server-sent events: the page's view whenever it changes, a comment now and then so
    that a dead connection is noticed, and an end after STREAM_SECONDS, or as soon as
    `alive()` says no (the phone went away, or was unpaired)."""
    yield "retry: 2000\n\n"
    last, said, begun = None, clock_(), clock_()
    while clock_() - begun < STREAM_SECONDS and alive():
        now = view(status())
        if now != last:
            yield f"data: {json.dumps(now)}\n\n"
            last, said = now, clock_()
        elif clock_() - said > KEEP_ALIVE:
            yield ": still here\n\n"
            said = clock_()
        sleep(TICK)
