"""The routine loader: valid files load, and every kind of problem is one exact line."""

from __future__ import annotations

import json
import math
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player.core import routine
from player.core.errors import RoutineError
from player.core.routine import Chimes

GOOD = """
title = "Test routine"
sides = ["left", "right"]
[chimes]
countdown = 2
[[step]]
say = "Hello."
[[step]]
say = "Lean on your {side} side, not the {other_side}."
each_side = true
hold = 20
rest = 2.5
[step.chimes]
halfway = true
[[step]]
say = "Press when ready."
wait = "press"
"""


def problems(write, text: str | bytes, name: str = "r.toml") -> list[str]:
    path = write(name, text)
    with pytest.raises(RoutineError) as caught:
        routine.load(path)
    return [line.replace(str(path), name) for line in caught.value.lines()]


def test_routine_load_valid_file_gives_frozen_routine(write):
    loaded = routine.load(write("my-routine.toml", GOOD))
    assert loaded.id == "my-routine"
    assert loaded.title == "Test routine"
    assert loaded.sides == ("left", "right")
    assert [s.number for s in loaded.steps] == [1, 2, 3]
    second = loaded.steps[1]
    assert (second.each_side, second.hold, second.rest) == (True, 20, 2.5)
    assert second.chimes == Chimes(halfway=True, countdown=2)
    assert loaded.steps[0].chimes == Chimes(countdown=2)
    assert loaded.steps[2].wait is True
    assert second.cue("left", "right") == "Lean on your left side, not the right."
    with pytest.raises(AttributeError):
        loaded.title = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            'titel = "x"\n[[step]]\nsay = "a"',
            'r.toml: titel: unknown field (did you mean "title"?)',
        ),
        (
            'title = "x"\n[[step]]\nsay = "a"\n[[step]]\nsya = "b"',
            'r.toml: step 2: sya: unknown field (did you mean "say"?)',
        ),
        (
            'title = "x"\n[[step]]\nsay = "a"\nhold = "thirty"',
            'r.toml: step 1: hold: expected seconds from 1 to 600, found "thirty"',
        ),
        (
            'title = "x"\n[[step]]\nsay = "a"\nhold = 601',
            "r.toml: step 1: hold: expected seconds from 1 to 600, found 601",
        ),
        (
            'title = "x"\n[[step]]\nsay = "a"\nhold = nan',
            "r.toml: step 1: hold: expected seconds from 1 to 600, found nan",
        ),
        (
            'title = "x"\n[[step]]\nsay = "a"\nhold = true',
            "r.toml: step 1: hold: expected seconds from 1 to 600, found true",
        ),
        (
            'title = "x"\n[[step]]\nsay = "a"\nrest = -1',
            "r.toml: step 1: rest: expected seconds from 0 to 300, found -1",
        ),
        (
            'title = "x"\n[[step]]\nsay = "   "',
            'r.toml: step 1: say: expected words to speak, found "   "',
        ),
        (
            'title = "x"\n[[step]]\nhold = 3',
            "r.toml: step 1: say: expected words to speak, found nothing (this field is required)",
        ),
        (
            'title = "x"\n[[step]]\nsay = "a"\nwait = "yes"',
            'r.toml: step 1: wait: expected "press", found "yes"',
        ),
        (
            'title = "x"\nsides = ["l", "r"]\n[[step]]\nsay = "on {sid}"\neach_side = true',
            'r.toml: step 1: say: expected {side} or {other_side}, found {sid} (did you mean "side"?)',
        ),
        (
            'title = "x"\n[[step]]\nsay = "on {side}"',
            "r.toml: step 1: say: expected {side} only in a step with each_side = true, found it here",
        ),
        (
            'title = "x"\n[[step]]\nsay = "a"\neach_side = true',
            "r.toml: sides: expected the names of the sides for each_side in step 1, found none",
        ),
        (
            'title = "x"\nsides = ["a", "b", "c"]\n[[step]]\nsay = "{other_side}"\neach_side = true',
            "r.toml: sides: expected exactly two sides for {other_side} in step 1, found 3",
        ),
        (
            'title = "x"\n[[step]]\nsay = "a {"',
            'r.toml: step 1: say: expected {side} or {other_side} in braces, found a lone brace in "a {"',
        ),
        (
            'title = "x"\n[[step]]\nsay = "a"\n[step.chimes]\nevery = 2.5',
            "r.toml: step 1: chimes.every: expected a whole number of seconds from 0 to 600, found 2.5",
        ),
        (
            'title = "x"\n[chimes]\ncountdwn = 2\n[[step]]\nsay = "a"',
            'r.toml: chimes.countdwn: unknown field (did you mean "countdown"?)',
        ),
        (
            'title = "x"\nchimes = 3\n[[step]]\nsay = "a"',
            "r.toml: chimes: expected a table of chime settings, found 3",
        ),
        (
            'format = 2\ntitle = "x"',
            "r.toml: format: expected 1, found 2 (a newer routine-player wrote this file)",
        ),
        ('title = "x"', "r.toml: step: expected at least one [[step]], found none"),
        ('title = "x"\nstep = 5', "r.toml: step: expected [[step]] tables, found 5"),
        (
            'title = "x"\nsides = ["l", "l"]\n[[step]]\nsay = "a"',
            'r.toml: sides: expected a list of side names, such as ["left", "right"], found a list',
        ),
        (
            'title = "x\n',
            "r.toml: line 1, column 11: expected TOML, found a syntax error (illegal character '\\n')",
        ),
        (
            'title = "x"\ntitle = "y"\n[[step]]\nsay = "a"\n',
            "r.toml: line 2, column 12: expected TOML, found a syntax error (cannot overwrite a value)",
        ),
        (
            'title = "x"\n[[step]]\nsay = "' + "word " * 300 + '"',
            "r.toml: step 1: say: expected at most 1000 characters, found 1500",
        ),
        (
            'title = "x"\n[[step]]\nsay = "ring \\u0007 bell"',
            "r.toml: step 1: say: expected printable text, found a control character (U+0007)",
        ),
        (
            'title = "bad \\u202e title"\n[[step]]\nsay = "x"',
            "r.toml: title: expected printable text, found a control character (U+202E)",
        ),
        (b'title = "\xff"', "r.toml: expected UTF-8 text, found a byte that is not (at byte 10)"),
        ("x = " + "[" * 5000, "r.toml: expected TOML, found lists or tables nested too deeply"),
    ],
)
def test_routine_load_each_problem_is_one_exact_line(write, text, line):
    assert problems(write, text) == [line]


def test_routine_load_reports_every_problem_not_just_the_first(write):
    text = 'titel = "x"\n[[step]]\nsay = ""\n[[step]]\nsay = "b"\nhold = 0\n'
    assert problems(write, text) == [
        'r.toml: titel: unknown field (did you mean "title"?)',
        'r.toml: step 1: say: expected words to speak, found ""',
        "r.toml: step 2: hold: expected seconds from 1 to 600, found 0",
    ]


def test_routine_load_missing_file_and_folder_are_one_line(tmp_path):
    for path, message in [
        (tmp_path / "gone.toml", "expected a file, found nothing there"),
        (tmp_path, "expected a file, found a folder"),
    ]:
        with pytest.raises(RoutineError) as caught:
            routine.load(path)
        assert caught.value.lines() == [f"{path}: {message}"]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_routine_parse_any_bytes_gives_routine_or_routine_error(data):
    try:
        assert isinstance(routine.parse(data, "fuzz.toml"), routine.Routine)
    except RoutineError as error:
        assert error.lines() and all(line.startswith("fuzz.toml: ") for line in error.lines())


toml_values = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=True),
        st.text(max_size=30),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
step_keys = st.sampled_from(["say", "hold", "rest", "wait", "each_side", "chimes", "sya"])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "title": toml_values,
            "sides": toml_values,
            "format": toml_values,
            "step": st.lists(st.dictionaries(step_keys, toml_values, max_size=5), max_size=4),
            "chimes": toml_values,
        },
    )
)
def test_routine_parse_any_document_shape_gives_routine_or_routine_error(document):
    text = _to_toml(document)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    try:
        routine.parse(text.encode(), "fuzz.toml")
    except RoutineError as error:
        assert error.lines()


def _to_toml(document: dict) -> str:
    """A small TOML writer for the fuzzer: inline values are enough."""

    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return "nan" if math.isnan(v) else repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return "{" + ", ".join(f"{_key(k)} = {value(x)}" for k, x in v.items()) + "}"

    return "\n".join(f"{_key(k)} = {value(v)}" for k, v in document.items())


def _key(key: str) -> str:
    return json.dumps(key)
