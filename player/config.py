"""The config file (design §6a): a checked schema, defaults, and where the file is found.

Every key is optional and every unknown key is an error, reported one line per problem in the
form of design §4, so the daemon never starts half-configured.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from player.core.errors import ConfigError, Problem
from player.core.schema import (
    Field,
    check_table,
    choice,
    number,
    parse_toml,
    read_file,
    shown,
    text,
    unknown,
)

POWERS_OF_TWO = tuple(2**n for n in range(6, 14))
SYSTEM = Path("/etc/routine-player/config.toml")  # the installed service's (systemd/install.sh)
RATES = (16000, 22050, 24000, 32000, 44100, 48000)
WAKE_MS_MAX = 5000  # a Bluetooth speaker can take a few seconds to start playing
CHIME_LEVELS = (-20.0, 5.0)  # dB: from barely there to over the voice (loudness.HEADROOM_DB)


@dataclass(frozen=True, slots=True)
class ButtonConfig:
    """The one push button: its BCM pin and how long a press must last to count as long."""

    pin: int = 17
    hold_seconds: float = 1.5


@dataclass(frozen=True, slots=True)
class AudioConfig:
    """The mixer: what ALSA holds after a press (two to three of its periods of `buffer_frames`)
    is the time to silence; the defaults are the quickest that never ran dry on the busy test
    machine (BENCHMARKS.md, `make vm-grid`). How loud, and how a sleepy speaker is kept awake
    (docs/sounds.md, docs/design.md)."""

    buffer_frames: int = 1024
    sample_rate: int = 48000
    volume: float = 100.0  # percent of full scale; 0.0 to 1.0 in a file is read as a fraction
    wake_ms: int = 1000
    device: str = ""
    keep_alive: bool = True
    chime_level: float = 0.0  # dB, chimes against the voice


@dataclass(frozen=True, slots=True)
class VoiceConfig:
    """Who speaks: eSpeak NG's voice and words a minute, or a Piper model (docs/voices.md)
    with its speaker, pace (length scale: above 1 is slower) and pause between sentences."""

    name: str = "en-us"
    rate: int = 160
    engine: str = "espeak"
    model: str = ""
    speaker: int | str = ""
    length_scale: float = 1.0
    sentence_pause: float = 0.3


@dataclass(frozen=True, slots=True)
class PlayerConfig:
    """What plays: the routine selected at start, and how long a pause may last."""

    routine: str = "upper-glutes-foam-roller"
    pause_timeout_minutes: float = 10.0
    safety_reminder: bool = True
    button_intro: bool = True
    ready_sound: bool = True  # a quiet chime when the button is live after a start


@dataclass(frozen=True, slots=True)
class WebConfig:
    """The optional web page (`routine-player web`): where it listens, and its own folder.

    An empty `listen` means every address of this machine (the unit admits LAN peers only,
    and the page follows an address that changes); an empty `state`
    means a `routine-player-web` folder beside the player's state folder."""

    listen: str = ""
    port: int = 8080
    state: str = ""
    names: Sequence[str] = ()  # more host names the page answers to (issue 27: DNS rebinding)


@dataclass(frozen=True, slots=True)
class PathsConfig:
    """Where a person's routines, the speech cache, history and the control socket live."""

    routines: Path
    cache: Path
    state: Path
    control_socket: Path


@dataclass(frozen=True, slots=True)
class Config:
    """The whole checked configuration; `source` is the file it came from, if any."""

    paths: PathsConfig
    button: ButtonConfig = field(default_factory=ButtonConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    player: PlayerConfig = field(default_factory=PlayerConfig)
    source: str = ""
    web: WebConfig = field(default_factory=WebConfig)


def _one_of(values: tuple[int, ...], expect: str) -> Field:
    return Field(expect, lambda v: type(v) is int and v in values)


def _engine() -> Field:
    """eSpeak NG, or Piper where its wheels exist: 64-bit systems only."""
    if struct.calcsize("P") == 8:
        return choice("espeak", "piper")
    only = '"espeak" (Piper runs on 64-bit systems only; this one is 32-bit)'
    return Field(only, "espeak".__eq__)


SCHEMA: dict[str, dict[str, Field]] = {
    "button": {
        "pin": number(0, 27, "a BCM GPIO number", whole=True),
        "hold_seconds": number(0.3, 10, "seconds"),
    },
    "audio": {
        "buffer_frames": _one_of(POWERS_OF_TWO, "a power of two from 64 to 8192 frames"),
        "sample_rate": _one_of(RATES, "one of " + ", ".join(map(str, RATES)) + " Hz"),
        "volume": number(0, 100, "a volume in percent"),
        "wake_ms": number(0, WAKE_MS_MAX, "a whole number of milliseconds", whole=True),
        "device": text("an ALSA device name, or empty for the default card", blank=True),
        "keep_alive": Field("true or false", lambda v: isinstance(v, bool)),
        "chime_level": number(CHIME_LEVELS[0], CHIME_LEVELS[1], "decibels"),
    },
    "voice": {
        "name": text('an eSpeak NG voice name such as "en-us"'),
        "rate": number(80, 400, "a whole number of words per minute", whole=True),
        "engine": _engine(),
        "model": text("the path of a Piper voice, such as voices/en_US-lessac-medium.onnx"),
        "speaker": Field(
            "a speaker's name or number in the Piper voice",
            lambda v: (type(v) is int and v >= 0) or (isinstance(v, str) and bool(v.strip())),
        ),
        "length_scale": number(0.5, 2.0, "a pace (Piper's length scale; above 1 is slower)"),
        "sentence_pause": number(0, 3, "seconds between sentences"),
    },
    "player": {
        "routine": text("a routine id"),
        "pause_timeout_minutes": number(1, 240, "minutes"),
        "safety_reminder": Field("true or false", lambda v: isinstance(v, bool)),
        "button_intro": Field("true or false", lambda v: isinstance(v, bool)),
        "ready_sound": Field("true or false", lambda v: isinstance(v, bool)),
    },
    "web": {
        "listen": text("an IP address of this machine, or empty for all of them", blank=True),
        "port": number(1, 65535, "a TCP port", whole=True),
        "state": text("a folder path, or empty for the default", blank=True),
        "names": Field(
            'a list of host names, such as ["player.home.arpa"]',
            lambda v: (
                isinstance(v, list)
                and all(isinstance(n, str) and 0 < len(n) <= 253 and " " not in n for n in v)
            ),
        ),
    },
    "paths": {
        name: text("a folder or file path")
        for name in ("routines", "cache", "state", "control_socket")
    },
}
SECTION_TYPES = {
    "button": ButtonConfig,
    "audio": AudioConfig,
    "voice": VoiceConfig,
    "player": PlayerConfig,
    "web": WebConfig,
}


def user_paths(env: dict[str, str] | None = None) -> PathsConfig:
    """Defaults for a person's own run, under the XDG folders."""
    env = dict(os.environ) if env is None else env
    home = Path(env.get("HOME", "~")).expanduser()

    def xdg(name: str, fallback: str) -> Path:
        value = env.get(name, "")
        return Path(value) if value else home / fallback

    runtime = env.get("XDG_RUNTIME_DIR", "")
    state = xdg("XDG_STATE_HOME", ".local/state") / "routine-player"
    return PathsConfig(
        routines=xdg("XDG_CONFIG_HOME", ".config") / "routine-player" / "routines",
        cache=xdg("XDG_CACHE_HOME", ".cache") / "routine-player",
        state=state,
        control_socket=(Path(runtime) / "routine-player" if runtime else state) / "control.sock",
    )


def default_path(env: dict[str, str] | None = None) -> Path:
    """Where a person's own config file lives when `--config` is not given."""
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "routine-player" / "config.toml"


def load(
    path: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    *,
    service: bool = False,
) -> Config:
    """Load the config named by `path`, or the person's own if it exists, or the defaults.
    With `service` (commands that ask the installed service or read its routines and
    history), the service's own config comes before the defaults."""
    defaults = Config(paths=user_paths(env))
    if path is None:
        own = default_path(env)
        if _is_file(own):
            path = own
        elif service and _is_file(SYSTEM):
            path = SYSTEM
        else:
            return defaults
    name = os.fspath(path)
    data, problems = read_file(name)
    if data is None:
        raise ConfigError(problems)
    document, problems = parse_toml(data, name)
    if document is None:
        raise ConfigError(problems)
    return _build(document, name, defaults)


def own_files(
    settings: Config, given: str | None = None, env: dict[str, str] | None = None
) -> Config:
    """The service's config as a person's own command uses it when it was found for them (no
    `--config`: `play`, `voices`): its sound, voice and routines, but the person's own cache and
    history, so that a command run by hand leaves nothing in the service's folders. A config
    `given` with --config, the service's too, is used as it is (filling the service's cache as
    its own user is how the booted-machine test warms it); any other config is as it is."""
    if given is not None or settings.source != str(SYSTEM):
        return settings
    mine = user_paths(env)
    return replace(settings, paths=replace(settings.paths, cache=mine.cache, state=mine.state))


def _is_file(path: Path) -> bool:
    """True if `path` is a file; False also when we may not look (another person's HOME)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _build(document: dict[str, Any], name: str, defaults: Config) -> Config:
    problems: list[Problem] = []

    def report(key: str, message: str) -> None:
        problems.append(Problem(name, message, field=key))

    sections: dict[str, dict[str, Any]] = {}
    for section, table in document.items():
        if section not in SCHEMA:
            report(section, f"unknown section{_near(section)}")
        elif not isinstance(table, dict):
            report(section, f"expected a [{section}] table, found {shown(table)}")
        else:
            sections[section] = check_table(table, SCHEMA[section], report, prefix=section + ".")
    if problems:
        raise ConfigError(problems)
    base = Path(name).resolve().parent
    paths = replace(
        defaults.paths,
        **{
            key: base / Path(value).expanduser() for key, value in sections.get("paths", {}).items()
        },
    )
    parts = {
        section: replace(getattr(defaults, section), **sections.get(section, {}))
        for section in SECTION_TYPES
    }
    if parts["voice"].model:  # a voice's path, like the [paths], is from the config's folder
        parts["voice"] = replace(
            parts["voice"], model=str(base / Path(parts["voice"].model).expanduser())
        )
    parts["audio"] = _percent_volume(parts["audio"], sections.get("audio", {}))
    return Config(paths=paths, source=name, **parts)


def _percent_volume(audio: AudioConfig, written: dict[str, Any]) -> AudioConfig:
    """`audio.volume` was a fraction (0.0 to 1.0) before it was a percent: a file that still
    says 0.5 means 50, so old files keep their level. Whole numbers are always percents."""
    value = written.get("volume")
    if isinstance(value, float) and value <= 1.0:
        return replace(audio, volume=round(value * 100, 3))
    return audio


def _near(section: str) -> str:
    return unknown(section, list(SCHEMA)).removeprefix("unknown field")
