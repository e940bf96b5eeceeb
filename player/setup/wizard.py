"""`sudo routine-player setup`: from a fresh install to a button that plays, asked one step at a
time on a terminal, the way Pi appliances are set up. Each step has a flag, so a script (or a
test) can answer it: `--device`, `--pin`, `--volume`, `--voice`, `--web`, and `--yes` for the
default answer to everything left.

The service is stopped while the speaker and the button are tried (it holds both), and started
again at the end, whatever happened. Only the keys setup sets change in the config file.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from player import config, soundtest
from player.audio import outputs
from player.core.errors import AudioError, ButtonError, ConfigError, PlayerError, Problem
from player.setup import configfile
from player.setup.machine import GROUNDS, PHYSICAL, Services, pin_hint
from player.web.where import page_urls

LINE = "Hello from routine player. If this is clear, this is your speaker."
SERVICE = "routine-player"
WEB = "routine-player-web"
VOICE_FOLDERS = (Path("/usr/local/share/routine-player/voices"),)


class Terminal:
    """Questions and answers on a terminal; with `assume`, every default is taken and shown."""

    def __init__(self, given: TextIO, shown: TextIO, assume: bool) -> None:
        self.given, self.shown, self.assume = given, shown, assume

    def say(self, text: str = "") -> None:
        self.shown.write(text + "\n")
        self.shown.flush()

    def ask(self, question: str, default: str) -> str:
        """One answer; an empty one is the default."""
        self.shown.write(f"{question} [{default}] ")
        if self.assume:
            self.say(default)
            return default
        self.shown.flush()
        answer = self.given.readline()
        if not answer:
            raise PlayerError([Problem("setup", "expected an answer, found the input closed")])
        return answer.strip() or default

    def yes(self, question: str, default: bool = True) -> bool:
        return self.ask(question, "yes" if default else "no").lower().startswith("y")


def run(args: argparse.Namespace) -> int:
    """The `setup` command, on this process's terminal."""
    return setup(args, Terminal(sys.stdin, sys.stdout, args.yes))


def setup(args: argparse.Namespace, term: Terminal) -> int:
    """Every step, then the config written and the service started again."""
    path = _config_path(args)
    settings = config.load(path) if path.exists() else config.load(None)
    managed = path == config.SYSTEM and os.geteuid() == 0 and not args.no_restart
    services = Services(managed and Path("/run/systemd/system").is_dir())
    term.say(f"routine-player setup: writes {path}; Ctrl-C leaves it as it was.")
    stopped = services.active(SERVICE) and services.run("stop", SERVICE)
    if stopped:
        term.say("The service is stopped while the speaker and the button are tried.")
    try:
        changes = {"audio.device": choose_output(term, args, settings)}
        changes["button.pin"] = try_button(term, args, settings)
        changes["audio.volume"] = choose_volume(term, args, settings)
        changes |= choose_voice(term, args, settings, path)
        choose_page(term, args, settings, services)
        kept = configfile.edit(path, changes)
        term.say(f"Wrote {path}" + (f" (the one before is kept as {kept})." if kept else "."))
    finally:
        restarted = services.run("restart", SERVICE)  # even after Ctrl-C: never left stopped
    _goodbye(term, settings, restarted)
    return 0


def _config_path(args: argparse.Namespace) -> Path:
    """The file to write: --config, else the service's (as root, or once installed)."""
    if args.config:
        path = Path(args.config)
    elif os.geteuid() == 0 or config.SYSTEM.exists():
        path = config.SYSTEM
    else:
        path = config.default_path()
    folder = path.parent if path.parent.exists() else path.parent.parent
    if not os.access(path if path.exists() else folder, os.W_OK):
        message = "expected permission to write it, found none: sudo routine-player setup"
        raise PlayerError([Problem(str(path), message)])
    return path


def choose_output(term: Terminal, args: argparse.Namespace, settings: config.Config) -> str:
    """The speaker, chosen by ear: each one tried plays a short line."""
    found = outputs.find()
    choices = [*found, outputs.Output("the default output (ALSA's first card)", "")]
    if args.device is not None:
        device = _output(args.device, choices)
        if not _heard(term, settings, device, assume=True):
            raise PlayerError([Problem("--device", f'expected a sound output, found "{device}"')])
        return device
    if not found:
        term.say("No sound card was found: is the speaker plugged in and switched on?")
    term.say("Sound outputs:")
    for number, output in enumerate(choices, 1):
        term.say(f"  {number}. {output.name}" + (f"  ({output.device})" if output.device else ""))
    while True:
        device = _output(term.ask("Which one? (a number)", _likely(choices, settings)), choices)
        if _heard(term, settings, device, term.assume):
            return device
        term.say("Then try another one (check the speaker is on, and its own volume).")


def _likely(choices: list[outputs.Output], settings: config.Config) -> str:
    """The default answer: the configured output, else a USB speaker, else ALSA's default."""
    devices = [o.device for o in choices]
    usb = [n for n, o in enumerate(choices, 1) if o.name.startswith("USB")]
    if settings.audio.device in devices[:-1]:
        return str(devices.index(settings.audio.device) + 1)
    return str(usb[0] if usb else len(choices))


def _output(answer: str, choices: list[outputs.Output]) -> str:
    """A number from the list, or an ALSA device name as it is."""
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1].device
    return answer


def _heard(term: Terminal, settings: config.Config, device: str, assume: bool) -> bool:
    """Play the line through `device`; whether the person heard it (or it played, assumed)."""
    term.say(f"Playing a short line through {device or 'the default output'}...")
    try:
        soundtest.speak(replace(settings, audio=replace(settings.audio, device=device)), LINE)
    except AudioError as error:
        term.say(f"It would not play: {error.lines()[0]}")
        return False
    return True if assume else term.yes("Did you hear it?")


def try_button(term: Terminal, args: argparse.Namespace, settings: config.Config) -> int:
    """The button's BCM pin, tried with a real press (unless --press-seconds 0)."""
    answer = str(args.pin) if args.pin is not None else None
    answer = answer or term.ask("The button's GPIO number (BCM)", str(settings.button.pin))
    while True:
        pin = _pin(answer)
        if args.press_seconds == 0:
            return pin
        prompt = f"Press the button now ({pin_hint(pin)}); waiting {args.press_seconds:g} s."
        heard = _press(pin, args.press_seconds, functools.partial(term.say, prompt))
        if heard == "pressed":
            term.say("Heard the press: the button works.")
            return pin
        for line in _why_not(pin, heard):
            term.say(line)
        default = "skip" if term.assume or args.pin is not None else "again"
        answer = term.ask("Try again, another GPIO number, or skip?", default)
        if answer.startswith("s"):
            return pin
        if answer.startswith("a"):
            answer = str(pin)


def _pin(answer: str) -> int:
    if answer.isdigit() and 0 <= int(answer) <= 27:
        return int(answer)
    message = f'expected a BCM GPIO number from 0 to 27, found "{answer}"'
    raise PlayerError([Problem("setup", message, field="button.pin")])


def _press(pin: int, seconds: float, prompt: Callable[[], None]) -> str:
    """ "pressed", "held" (it read pressed before any press), or "none" within `seconds`.
    The prompt comes once the line is claimed and read: a press made as soon as it is read
    is heard, never taken for a held line. The line is handed back to the system after."""
    from player.button.pin import PushButton

    pressed = threading.Event()
    try:
        button = PushButton(pin, lambda down: down and pressed.set())
    except ButtonError as error:
        return error.lines()[0]
    try:
        if button.pressed:
            return "held"
        prompt()
        return "pressed" if pressed.wait(seconds) else "none"
    finally:
        button.close(hand_back=True)  # the service, restarted next, claims it


def _why_not(pin: int, heard: str) -> list[str]:
    """The likely causes of a press that never arrived, in the order worth checking."""
    if heard == "held":
        return [
            f"GPIO {pin} reads pressed before any press: the button, or a wire, joins it to",
            "ground all the time. Check that the two legs you used are not always connected.",
        ]
    if heard != "none":
        return [f"The button could not be read: {heard}"]
    grounds = ", ".join(map(str, GROUNDS))
    return [
        f"No press reached GPIO {pin}. The likely causes:",
        f"  - the pin number: button.pin is a BCM number; {pin_hint(pin)}.",
        f"  - the wiring: one leg on physical pin {PHYSICAL.get(pin, '?')}, the other on a"
        f" ground (physical {grounds}).",
        "  - a loose jumper wire, or two legs of the button that are always joined",
        "    (on a four-legged button, use two diagonal legs).",
    ]


def choose_volume(term: Terminal, args: argparse.Namespace, settings: config.Config) -> float:
    """The volume in percent of full scale."""
    answer = (
        args.volume
        if args.volume is not None
        else term.ask("Volume, in percent (0 to 100)", f"{settings.audio.volume:g}")
    )
    try:
        volume = float(answer)
    except ValueError:
        volume = -1.0
    if not 0 <= volume <= 100:
        message = f'expected a volume from 0 to 100, found "{answer}"'
        raise PlayerError([Problem("setup", message, field="audio.volume")])
    return int(volume) if volume.is_integer() else volume


def choose_voice(
    term: Terminal, args: argparse.Namespace, settings: config.Config, path: Path
) -> dict[str, Any]:
    """eSpeak NG, or a Piper voice found on disk (docs/voices.md); the keys to set."""
    from player.voice import checks

    found = _piper_voices(path)
    if args.voice is None and not found:
        term.say("Voice: eSpeak NG (no Piper voice found; docs/voices.md says how to get one).")
        return {}
    choices = ["espeak", *map(str, found)]
    if args.voice is None:
        term.say("Voices:\n  1. eSpeak NG (clear, robotic)")
        for number, model in enumerate(found, 2):
            term.say(f"  {number}. Piper voice {model.name.removesuffix('.onnx')}")
        current = settings.voice.model if settings.voice.engine == "piper" else "espeak"
        default = choices.index(current) + 1 if current in choices else 1
        answer = term.ask("Which one? (a number)", str(default))
        chosen = choices[int(answer) - 1] if answer.isdigit() and answer != "0" else answer
    else:
        chosen = args.voice
    if chosen == "espeak":
        return {"voice.engine": "espeak"}
    voice = replace(settings.voice, engine="piper", model=str(Path(chosen).resolve()))
    problems = checks.problems(voice, "--voice")
    if problems:
        raise ConfigError(problems)
    return {"voice.engine": "piper", "voice.model": voice.model}


def _piper_voices(path: Path) -> list[Path]:
    """Piper voices (.onnx with their .onnx.json) in the usual folders, if Piper is installed."""
    if importlib.util.find_spec("piper") is None:
        return []
    folders = (*VOICE_FOLDERS, path.parent / "voices")
    return sorted(
        model
        for folder in folders
        for model in folder.glob("*.onnx")
        if model.with_name(model.name + ".json").exists()
    )


def choose_page(
    term: Terminal, args: argparse.Namespace, settings: config.Config, services: Services
) -> None:
    """The phone page on or off (its own service, installed with WEB=1), and where it is."""
    installed = importlib.util.find_spec("waitress") is not None
    if args.web is None and not installed:
        term.say("The phone page is not installed (sudo make install WEB=1; docs/web.md).")
        return
    was = services.installed(WEB)  # WEB=1 at install: on unless said otherwise
    on = args.web == "on" if args.web else term.yes("Turn on the phone page?", was)
    services.announce_page(settings.web.port if on else None)
    if not on:
        services.run("disable", "--now", WEB)
        return
    if not services.run("enable", "--now", WEB):
        term.say(f"Start the page with: sudo systemctl enable --now {WEB}")
    term.say("The page, on a phone on the same Wi-Fi:")
    for url in page_urls(settings):
        term.say(f"  {url}")
    term.say("Pair the phone: open the page on it, then run: sudo routine-player web pair")


def _goodbye(term: Terminal, settings: config.Config, restarted: bool) -> None:
    """What happens next, and what to press."""
    if restarted:
        term.say("The service is starting. When you hear a soft tick, the button is ready.")
    else:
        term.say(f"Start the service with the new settings: sudo systemctl restart {SERVICE}")
    hold = f"{settings.button.hold_seconds:g}"
    term.say(
        f"Press the button once to start {settings.player.routine}; press again to pause, and "
        f"once more to go on. Hold it {hold} s to stop. Held when nothing plays, it says the "
        "next routine's name and chooses it."
    )
