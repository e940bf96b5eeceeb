"""The config file: defaults, relative paths, and one exact line per bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from player import config
from player.core.errors import ConfigError


def test_config_without_a_file_uses_defaults_under_xdg_folders(own_folders: Path):
    loaded = config.load(None)
    assert loaded.button.pin == 17 and loaded.audio.buffer_frames == 1024
    assert loaded.paths.cache == own_folders / ".cache" / "routine-player"
    assert loaded.paths.routines == own_folders / ".config" / "routine-player" / "routines"
    assert loaded.source == ""


def test_config_person_own_file_is_found_and_relative_paths_follow_it(own_folders: Path):
    own = own_folders / ".config" / "routine-player" / "config.toml"
    own.parent.mkdir(parents=True)
    own.write_text('[paths]\nroutines = "mine"\n[button]\npin = 27\n[audio]\nvolume = 0.5\n')
    loaded = config.load(None)
    assert loaded.paths.routines == own.parent / "mine"
    assert (loaded.button.pin, loaded.audio.volume) == (27, 50.0)  # an old fraction: 50 %
    assert loaded.source == str(own)


@pytest.mark.parametrize(
    ("written", "percent"), [("1.0", 100.0), ("0.25", 25.0), ("0", 0.0), ("1", 1.0), ("80", 80.0)]
)
def test_config_volume_is_a_percent_and_an_old_fraction_keeps_its_level(write, written, percent):
    assert config.load(write("c.toml", f"[audio]\nvolume = {written}\n")).audio.volume == percent


def test_config_keep_alive_and_chime_level_are_read(write):
    path = write("c.toml", "[audio]\nkeep_alive = false\nchime_level = -6\nwake_ms = 3000\n")
    audio = config.load(path).audio
    assert (audio.keep_alive, audio.chime_level, audio.wake_ms) == (False, -6, 3000)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "[button]\npin = 40",
            "c.toml: button.pin: expected a BCM GPIO number from 0 to 27, found 40",
        ),
        ("[button]\npn = 4", 'c.toml: button.pn: unknown field (did you mean "pin"?)'),
        ("[audo]\nvolume = 1", 'c.toml: audo: unknown section (did you mean "audio"?)'),
        ("audio = 3", "c.toml: audio: expected a [audio] table, found 3"),
        (
            "[audio]\nbuffer_frames = 500",
            "c.toml: audio.buffer_frames: expected a power of two from 64 to 8192 frames, found 500",
        ),
        (
            "[audio]\nvolume = 150",
            "c.toml: audio.volume: expected a volume in percent from 0 to 100, found 150",
        ),
        (
            '[audio]\nkeep_alive = "yes"',
            'c.toml: audio.keep_alive: expected true or false, found "yes"',
        ),
        (
            "[audio]\nchime_level = 10",
            "c.toml: audio.chime_level: expected decibels from -20 to 5, found 10",
        ),
        (
            '[voice]\nrate = "fast"',
            'c.toml: voice.rate: expected a whole number of words per minute from 80 to 400, found "fast"',
        ),
        ('[player]\nroutine = ""', 'c.toml: player.routine: expected a routine id, found ""'),
        (
            "[button\n",
            "c.toml: line 1, column 8: expected TOML, found a syntax error (expected ']' at the end of a table declaration)",
        ),
    ],
)
def test_config_each_bad_key_is_one_exact_line(write, text, line):
    path = write("c.toml", text)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert [x.replace(str(path), "c.toml") for x in caught.value.lines()] == [line]


def test_config_reports_every_problem_at_once(write):
    path = write("c.toml", "[button]\npin = -1\nhold_seconds = 0\n[voice]\nnmae = 'x'\n")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert len(caught.value.lines()) == 3


def test_config_missing_file_named_on_the_command_line_is_one_line(tmp_path):
    with pytest.raises(ConfigError) as caught:
        config.load(tmp_path / "nope.toml")
    assert caught.value.lines() == [
        f"{tmp_path / 'nope.toml'}: expected a file, found nothing there"
    ]
