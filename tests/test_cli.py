"""The command line as a person meets it: help, check, list, and bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from player import cli

COMMANDS = [sub.name for sub in cli.SUBCOMMANDS]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m player` as a person would, in a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "player", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_cli_help_on_each_command_says_what_it_does_with_an_example(name, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main([name, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "Example:" in out and f"routine-player {name}" in out


def test_cli_check_shipped_routines_all_valid(capsys):
    assert cli.main(["check"]) == 0
    assert capsys.readouterr().out == "6 of 6 routines valid.\n"


def test_cli_check_bad_routine_gives_lines_and_nonzero_exit_without_traceback(write):
    good = write("good.toml", 'title = "x"\n[[step]]\nsay = "a"\n')
    bad = write("bad.toml", 'title = "x"\n[[step]]\nsya = "a"\nhold = 0\n')
    result = run("check", str(good), str(bad))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f'{bad}: step 1: sya: unknown field (did you mean "say"?)',
        f"{bad}: step 1: hold: expected seconds from 1 to 600, found 0",
    ]
    assert result.stdout == "1 of 2 routines valid.\n"


def test_cli_check_reports_hold_problem_even_with_a_typo_elsewhere(write):
    bad = write("bad.toml", 'title = "x"\n[[step]]\nsay = "a"\nhold = 0\n')
    result = run("check", str(bad))
    assert result.stderr == f"{bad}: step 1: hold: expected seconds from 1 to 600, found 0\n"


def test_cli_list_shows_id_length_and_title_and_marks_a_replaced_routine(own_folders, capsys):
    mine = own_folders / ".config" / "routine-player" / "routines"
    mine.mkdir(parents=True)
    (mine / "upper-glutes-hands.toml").write_text('title = "My hands"\n[[step]]\nsay = "a"\n')
    (mine / "broken.toml").write_text("title = 3\n")
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    by_id = {line.split()[0]: line for line in lines}
    assert "Upper glutes with a foam roller" in by_id["upper-glutes-foam-roller"]
    assert "My hands (yours, in place of the shipped one)" in by_id["upper-glutes-hands"]
    assert "cannot be played" in by_id["broken"]
    length = by_id["upper-glutes-foam-roller"].split()[1]
    minutes, seconds = length.lstrip("~").split(":")
    assert 10 <= int(minutes) <= 25 and len(seconds) == 2


def test_cli_bad_config_is_one_line_per_problem(write):
    conf = write("c.toml", "[button]\npin = 40\n[voice]\nrat = 100\n")
    result = run("--config", str(conf), "list")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{conf}: button.pin: expected a BCM GPIO number from 0 to 27, found 40",
        f'{conf}: voice.rat: unknown field (did you mean "rate"?)',
    ]


def test_cli_unknown_command_is_one_line_and_exit_2():
    result = run("chek")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "invalid choice: 'chek'" in result.stderr


def test_cli_python_m_player_and_the_console_script_are_the_same():
    """The `routine-player` script pip installed beside this Python (`player.cli:main`)."""
    script = Path(sys.executable).parent / "routine-player"
    by_script = subprocess.run(
        [str(script), "list"], check=False, capture_output=True, text=True, timeout=60
    )
    by_module = run("list")
    assert by_script.returncode == by_module.returncode == 0, by_script.stderr
    assert "upper-glutes-foam-roller" in by_script.stdout
    assert (by_script.stdout, by_script.stderr) == (by_module.stdout, by_module.stderr)
    wrong = subprocess.run([str(script), "chek"], check=False, capture_output=True, text=True)
    assert (wrong.returncode, wrong.stderr) == (2, run("chek").stderr)  # even its name


def test_cli_history_days_must_be_a_whole_number_from_1():
    result = run("history", "--days", "-1")
    assert result.returncode == 2
    assert result.stderr == (
        "routine-player history: argument --days: expected a whole number of days from 1 to "
        "36500, found -1 (see `routine-player history --help`)\n"
    )


def test_cli_list_shows_each_routine_about_line_under_its_title(own_folders, capsys):
    mine = own_folders / ".config" / "routine-player" / "routines"
    mine.mkdir(parents=True)
    (mine / "zz-mine.toml").write_text(
        'title = "Mine"\nabout = "Two minutes, seated."\n[[step]]\nsay = "a"\n'
    )
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("zz-mine "))
    assert lines[row + 1].strip() == "Two minutes, seated."
    assert lines[row + 1].index("Two") == lines[row].index("Mine")  # under the title


def test_cli_output_to_a_reader_that_left_is_no_traceback():
    """`routine-player list | head -1`: the reader closes early; the player ends quietly."""
    gone, writer = os.pipe()
    os.close(gone)  # a reader that has already left: every write is EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "player", "list"],
            stdout=writer,
            stderr=subprocess.PIPE,
            check=False,
            text=True,
        )
    finally:
        os.close(writer)
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr, done.stderr
    assert done.returncode == 141
