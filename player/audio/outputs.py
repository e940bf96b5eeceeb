"""The sound outputs this machine has, named for a person: read from ALSA's /proc/asound (what
`aplay -l` lists) and BlueZ's paired devices, for `routine-player setup`. Nothing is opened.

Each output's `device` is what `audio.device` takes: a card by its name (`plughw:CARD=...`),
which survives a reboot that renumbers the cards, or BlueALSA's device for a paired speaker.
ROUTINE_PLAYER_ASOUND and ROUTINE_PLAYER_BLUETOOTH name other folders to read (the tests'
made-up machines).
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass
from pathlib import Path

ASOUND = Path("/proc/asound")
BLUETOOTH = Path("/var/lib/bluetooth")
CARD_LINE = re.compile(r"^\s*(\d+)\s+\[(\S+)\s*\]:\s+(\S+)\s+-\s+(.*)$")
HAT_WORDS = ("sndrpi", "hifiberry", "iqaudio", "max98357", "voicehat", "justboom", "simple-card")


@dataclass(frozen=True, slots=True)
class Output:
    """One place sound can go: what a person calls it, and the `audio.device` that reaches it."""

    name: str
    device: str


def find(env: dict[str, str] | None = None) -> list[Output]:
    """Every output: the sound cards' playback devices, then the paired Bluetooth speakers."""
    env = dict(os.environ) if env is None else env
    asound = Path(env.get("ROUTINE_PLAYER_ASOUND") or ASOUND)
    paired = Path(env.get("ROUTINE_PLAYER_BLUETOOTH") or BLUETOOTH)
    return cards(asound) + speakers(paired)


def cards(asound: Path) -> list[Output]:
    """Each sound card's playback devices (`cardN/pcmDp`), named by what the card is."""
    try:
        listing = (asound / "cards").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found = []
    for line in listing.splitlines():
        matched = CARD_LINE.match(line)
        if not matched:
            continue
        number, ident, driver, long_name = matched.groups()
        devices = sorted(p.name for p in (asound / f"card{number}").glob("pcm*p"))
        for pcm in devices:
            dev = pcm.removeprefix("pcm").removesuffix("p")
            name = friendly(ident, driver, long_name.strip())
            if len(devices) > 1:
                name += f", output {dev}"
            found.append(Output(name, f"plughw:CARD={ident},DEV={dev}"))
    return found


def friendly(ident: str, driver: str, long_name: str) -> str:
    """A card's name as a person knows it, from ALSA's id, driver and long name."""
    words = f"{ident} {driver} {long_name}".lower()
    if driver == "USB-Audio":
        return f"USB speaker or sound card ({long_name})"
    if "headphones" in words or "headpho" in words:
        return "headphone jack"
    if "hdmi" in words:
        number = re.search(r"(\d+)$", ident)
        which = f" {int(number.group(1)) + 1}" if number else ""
        return f"HDMI{which} (a TV's or monitor's speakers)"
    if "loopback" in words:
        return "loopback (a test card: no speaker)"
    if any(word in words for word in HAT_WORDS):
        return f"I2S sound HAT ({long_name})"
    return long_name


def speakers(paired: Path) -> list[Output]:
    """Bluetooth speakers BlueZ has paired, reached through BlueALSA (docs/raspberry-pi.md)."""
    found = []
    for info in sorted(paired.glob("*/*/info")):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(info.read_text(encoding="utf-8", errors="replace"))
        except (OSError, configparser.Error):
            continue
        if not parser.has_section("LinkKey"):
            continue  # seen, never paired
        address = info.parent.name
        name = parser.get("General", "Name", fallback=address)
        found.append(Output(f"Bluetooth speaker {name}", f"bluealsa:DEV={address},PROFILE=a2dp"))
    return found
