"""Routines written out as TOML, in the format docs/routines.md describes.

Rules: only a checked model (`to_document`) or a document of plain values reaches the writer;
every string is written as a TOML basic string with its escapes, every number as a number, so
nothing a person typed can become TOML syntax. `parse(dump(r))` gives `r` back (a test says so).
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from player.core.routine import FORMAT, Routine, Step

ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
TOP_KEYS = ("format", "title", "about", "sides", "progress")
STEP_KEYS = ("say", "each_side", "hold", "rest", "wait")


def dump(routine: Routine) -> str:
    """A checked routine as the TOML file that loads back to it."""
    return dump_document(to_document(routine))


def to_document(routine: Routine) -> dict[str, Any]:
    """The routine as TOML's tables would hold it; a step's chimes only where they differ."""
    top = asdict(routine.chimes)
    document: dict[str, Any] = {"format": FORMAT, "title": routine.title}
    if routine.about:
        document["about"] = routine.about
    if routine.sides:
        document["sides"] = list(routine.sides)
    if routine.progress:
        document["progress"] = True
    document["chimes"] = top
    document["step"] = [_step(step, top) for step in routine.steps]
    return document


def _step(step: Step, top: dict[str, Any]) -> dict[str, Any]:
    table: dict[str, Any] = {"say": step.say}
    if step.each_side:
        table["each_side"] = True
    if step.hold is not None:
        table["hold"] = step.hold
    if step.rest:
        table["rest"] = step.rest
    if step.wait:
        table["wait"] = "press"
    own = {k: v for k, v in asdict(step.chimes).items() if top[k] != v}
    if own:
        table["chimes"] = own
    return table


def dump_document(document: dict[str, Any]) -> str:
    """A routine's document as TOML: the top keys, `[chimes]`, then each `[[step]]` with its
    own `[step.chimes]` last (a key belongs to the heading above it)."""
    lines = [_pair(k, document[k]) for k in TOP_KEYS if k in document]
    lines += [_pair(k, v) for k, v in document.items() if k not in (*TOP_KEYS, "chimes", "step")]
    if isinstance(document.get("chimes"), dict):
        lines += ["", "[chimes]", *(_pair(k, v) for k, v in document["chimes"].items())]
    for step in document.get("step", []):
        lines += ["", "[[step]]", *(_pair(k, v) for k, v in step.items() if k != "chimes")]
        if isinstance(step.get("chimes"), dict):
            lines += ["[step.chimes]", *(_pair(k, v) for k, v in step["chimes"].items())]
    return "\n".join(lines) + "\n"


def _pair(key: str, value: Any) -> str:
    return f"{_key(key)} = {_value(value)}"


def _key(key: str) -> str:
    """A bare key when it is one, else a quoted key (a key a person misspelt stays a key)."""
    plain = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if plain else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return _string(str(value))  # not a number the schema takes: it says so
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return _string(str(value))


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for char in text:
        if char in ESCAPES:
            out.append(ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
