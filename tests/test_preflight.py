"""A config whose keys are well formed but point at something unusable: named by the config
file and key, every problem at once, before anything renders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from player import cli


def test_preflight_daemon_names_every_unusable_key_at_once(tmp_path):
    (tmp_path / "statefile").write_text("not a folder")
    long = tmp_path / ("s" * 120) / "c.sock"
    conf = tmp_path / "c.toml"
    conf.write_text(
        '[voice]\nname = "no-such-voice"\n[paths]\ncache = "/proc/routine-player-cache"\n'
        f'state = "statefile"\ncontrol_socket = "{long}"\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "player", "daemon", "--config", str(conf)],
        env={**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "SDL_AUDIODRIVER": "dummy"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    size = len(os.fsencode(long))
    assert result.stderr.splitlines() == [
        f"{conf}: paths.cache: expected a folder we can make, found: No such file or directory "
        "(/proc/routine-player-cache)",
        f"{conf}: paths.state: expected a folder, found a file in its place "
        f"({tmp_path / 'statefile'})",
        f"{conf}: paths.control_socket: expected a socket path of at most 107 bytes, found one "
        f"of {size} ({long})",
        f'{conf}: voice.name: expected an eSpeak NG voice such as "en-us", found "no-such-voice"',
    ]


def test_preflight_play_with_an_unknown_voice_blames_the_config_and_renders_nothing(
    tmp_path, capsys
):
    conf = tmp_path / "c.toml"
    conf.write_text(f'[voice]\nname = "klingon"\n[paths]\ncache = "{tmp_path / "cache"}"\n')
    assert cli.main(["play", "upper-glutes-hands", "--config", str(conf)]) == 1
    assert capsys.readouterr().err == (
        f'{conf}: voice.name: expected an eSpeak NG voice such as "en-us", found "klingon"\n'
    )
    assert list((tmp_path / "cache").iterdir()) == []


def test_preflight_check_of_a_config_looks_without_making_anything(tmp_path, capsys):
    (tmp_path / "statefile").write_text("")
    conf = tmp_path / "config.toml"
    conf.write_text(
        f'[paths]\nstate = "statefile"\ncache = "{tmp_path / "new" / "cache"}"\n'
        'control_socket = "c.sock"\n'
    )
    assert cli.main(["check", str(conf)]) == 1
    out = capsys.readouterr()
    assert out.err == (
        f"{conf}: paths.state: expected a folder, found a file in its place "
        f"({tmp_path / 'statefile'})\n"
    )
    assert out.out == "0 of 1 file valid.\n"
    assert not (tmp_path / "new").exists()


def test_preflight_check_takes_the_shipped_config_as_a_config(capsys):
    shipped = Path(__file__).resolve().parent.parent / "systemd" / "config.toml"
    assert cli.main(["check", str(shipped)]) == 0
    assert capsys.readouterr() == ("1 of 1 file valid.\n", "")


def test_preflight_plain_check_checks_the_config_in_use_and_every_routine(tmp_path, capsys):
    (tmp_path / "statefile").write_text("")
    conf = tmp_path / "mine.toml"
    conf.write_text(
        f'[paths]\nstate = "statefile"\ncontrol_socket = "c.sock"\nroutines = "{tmp_path}/r"\n'
    )
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "config.toml").write_text('title = "A routine called config"\n[[step]]\n')
    assert cli.main(["check", "--config", str(conf)]) == 1
    out = capsys.readouterr()
    assert out.err.splitlines() == [
        f"{conf}: paths.state: expected a folder, found a file in its place "
        f"({tmp_path / 'statefile'})",
        f"{tmp_path / 'r' / 'config.toml'}: step 1: say: expected words to speak, found nothing "
        "(this field is required)",
    ]
    assert out.out == "6 of 8 files valid.\n"


def test_preflight_check_of_a_config_with_an_unknown_table_is_read_as_a_config(tmp_path, capsys):
    conf = tmp_path / "mine.toml"
    conf.write_text("[audio]\nvolume = 300\n[bogus]\nx = 1\n")
    assert cli.main(["check", str(conf)]) == 1
    out = capsys.readouterr()
    lines = (out.out + out.err).strip().splitlines()
    assert any("audio.volume" in line for line in lines)
    assert not any("title" in line for line in lines)
