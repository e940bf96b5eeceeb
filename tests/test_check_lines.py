"""`routine-player check` on what a person with a word processor, not a programmer, writes:
each problem one line that says what to do, and one line for one root problem."""

from __future__ import annotations

import pytest

from player import cli

GOOD = 'title = "Evening"\n[[step]]\nsay = "Breathe."\n'


def check(capsys, write, content: str | bytes) -> tuple[int, list[str]]:
    path = write("r.toml", content)
    status = cli.main(["check", str(path)])
    return status, [line.removeprefix(f"{path}: ") for line in capsys.readouterr().err.splitlines()]


def test_check_a_file_saved_with_a_byte_order_mark_is_fine(capsys, write):
    assert check(capsys, write, b"\xef\xbb\xbf" + GOOD.encode()) == (0, [])


def test_check_curly_quotes_say_to_type_them_again(capsys, write):
    assert check(capsys, write, "title = \u201cEvening\u201d\n[[step]]\nsay = 'a'\n") == (
        1,
        [
            'line 1, column 9: expected straight quotes ("), found curly ones (\u201c \u201d) '
            "as a word processor writes them: type the quotes again in a plain text editor"
        ],
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            GOOD + "[step.chimes]\nhalfway = true\nhold = 30\n",
            'step 1: chimes.hold: expected a chime setting, found "hold", written below '
            "[step.chimes]: a key belongs to the heading above it, so move it above [step.chimes]",
        ),
        (
            'title = "x"\n[chimes]\nstart = true\nsides = ["left", "right"]\n[[step]]\nsay = "a"\n',
            'chimes.sides: expected a chime setting, found "sides", written below [chimes]: a key '
            "belongs to the heading above it, so move it above [chimes]",
        ),
        (
            '[[step]]\nsay = "a"\ntitle = "x"\n',
            'step 1: title: expected a step setting, found "title", written below [[step]]: a key '
            "belongs to the heading above it, so move it above the first [[step]]",
        ),
    ],
)
def test_check_a_key_below_a_heading_it_does_not_belong_to_says_to_move_it_up(
    capsys, write, text, line
):
    assert check(capsys, write, text) == (1, [line])


def test_check_a_number_too_big_to_be_a_time_says_so(capsys, write):
    assert check(capsys, write, GOOD + "hold = 1e999\n") == (
        1,
        ["step 1: hold: expected seconds from 1 to 600, found a number too big to use (inf)"],
    )


def test_check_one_missing_sides_is_one_line_for_every_step_it_touches(capsys, write):
    steps = '[[step]]\nsay = "The {side} side."\neach_side = true\n' * 3
    assert check(capsys, write, 'title = "x"\n' + steps) == (
        1,
        ["sides: expected the names of the sides for each_side in steps 1, 2, 3, found none"],
    )


def test_check_sides_written_wrongly_is_not_blamed_on_each_step(capsys, write):
    steps = '[[step]]\nsay = "The {side} side."\neach_side = true\n' * 3
    status, lines = check(capsys, write, 'title = "x"\nsides = "left"\n' + steps)
    assert (status, len(lines)) == (1, 1) and lines[0].startswith("sides: expected a list")


def test_check_a_required_key_below_the_chimes_heading_is_one_line(capsys, write):
    text = '[[step]]\nhold = 5\n[step.chimes]\nend = false\nsay = "a"\n'
    status, lines = check(capsys, write, 'title = "x"\n' + text)
    assert (status, len(lines)) == (1, 1) and lines[0].startswith("step 1: chimes.say: expected")
