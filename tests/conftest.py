"""Shared fixtures: isolated config folders, routine files written on the fly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.daemonkit import ROUTINE as DAEMON_ROUTINE

# A few hundred examples per property in CI; `--hypothesis-profile=thorough` for thousands.
# No deadline: an example's time is the machine's business (a busy one took 288 ms over the
# default 200 and failed the run: issue 24), not a property of the code.
settings.register_profile("ci", max_examples=300, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile("ci")

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@pytest.fixture(autouse=True)
def own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own XDG folders, so nobody's real config or cache is touched."""
    home = tmp_path / "home"
    for name, sub in {
        "HOME": "",
        "XDG_CONFIG_HOME": ".config",
        "XDG_CACHE_HOME": ".cache",
        "XDG_STATE_HOME": ".local/state",
    }.items():
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    return home


@pytest.fixture
def write(tmp_path: Path):
    """Write a file under the test's folder and return its path."""

    def writer(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return writer


@pytest.fixture(scope="session")
def speech_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One speech cache for the whole run: eSpeak NG renders each line once."""
    return tmp_path_factory.mktemp("speech")


@pytest.fixture
def settings(speech_folder: Path, tmp_path: Path):
    """Default config whose cache is the run's shared speech cache."""
    from dataclasses import replace

    from player import config

    base = config.load(None)
    cache = speech_folder.parent / "cache"
    if not (cache / "speech").exists():
        cache.mkdir(exist_ok=True)
        (cache / "speech").symlink_to(speech_folder)
    return replace(base, paths=replace(base.paths, cache=cache, routines=tmp_path / "mine"))


@pytest.fixture
def disk_audio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """SDL's disk driver: what the mixer plays lands as raw PCM in the returned file."""
    out = tmp_path / "played.raw"
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(out))
    return out


@pytest.fixture
def pins(monkeypatch):
    """gpiozero's own mock pins, reset for each test."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    saved = Device.pin_factory
    Device.pin_factory = factory = MockFactory()
    yield factory
    factory.reset()  # setup hands its line back by closing the factory: gpiozero lets it go
    Device.pin_factory = saved


@pytest.fixture
def setup(tmp_path, settings, disk_audio) -> Path:
    """A config whose selected routine is short, sharing the run's speech cache."""
    (tmp_path / "routines").mkdir()
    (tmp_path / "routines" / "short.toml").write_text(DAEMON_ROUTINE)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[player]\nroutine = "short"\n[paths]\nroutines = "routines"\n'
        f'cache = "{settings.paths.cache}"\nstate = "state"\ncontrol_socket = "control.sock"\n'
    )
    return path
