"""Commands on a Pi where the person has no config of their own find the service's
(/etc/routine-player/config.toml), as status and list do, with their own cache (issue 25)."""

from __future__ import annotations

from pathlib import Path

from player import cli, config


def test_voices_and_play_use_the_services_config_with_the_persons_own_cache(
    tmp_path, monkeypatch, capsys, own_folders
):
    service = tmp_path / "etc" / "config.toml"
    service.parent.mkdir()
    service.write_text('[voice]\nname = "en-us"\nrate = 150\n[paths]\ncache = "/nowhere/cache"\n')
    monkeypatch.setattr(config, "SYSTEM", service)
    assert cli.main(["voices"]) == 0
    assert "voice en-us, 150 words a minute" in capsys.readouterr().out
    used = config.own_files(config.load(None, service=True))
    assert used.voice.rate == 150 and used.source == str(service)
    assert used.paths.cache == own_folders / ".cache" / "routine-player"
    given = config.own_files(config.load(str(service)), str(service))
    assert given.paths.cache == Path("/nowhere/cache")  # named with --config: as it is


def test_list_says_in_one_line_when_the_voice_cannot_be_used(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('[voice]\nengine = "piper"\nmodel = "gone.onnx"\n')
    assert cli.main(["--config", str(path), "list"]) == 0
    said = [n for n in capsys.readouterr().out.splitlines() if "voice" in n]
    assert len(said) == 1 and said[0].startswith("The voice cannot be used, so the basic eSpeak")
    assert "gone.onnx" in said[0]


def test_status_while_a_phone_asks_to_join_says_so_and_what_a_press_does():
    from player import commands

    line = commands._say_status({"state": "asking", "asking": "pear", "title": "", "step": None})
    assert line == 'A phone asks to join (its word: "pear"); a short press allows it.'
