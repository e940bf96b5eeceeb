"""`routine-player setup` through a real terminal: a pty driven by pexpect, a made-up
/proc/asound, gpiozero's MockFactory for the press and SDL's disk driver for the speaker."""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from pexpect import fdpexpect

from player.audio import outputs
from player.core.errors import ConfigError
from player.setup import configfile, wizard
from player.setup.machine import Services

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "systemd" / "config.toml"
CARDS = """\
 0 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0
                      vc4-hdmi-0
 1 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones
                      bcm2835 Headphones
 2 [Device         ]: USB-Audio - USB Audio Device
                      C-Media Electronics Inc. USB Audio Device at usb-0000:01:00.0-1.3, full speed
 3 [sndrpihifiberry]: RPi-simple - snd_rpi_hifiberry_dac
                      snd_rpi_hifiberry_dac
 4 [Loopback       ]: Loopback - Loopback
                      Loopback 1
"""
PAIRED = "[General]\nName=Kitchen Speaker\n\n[LinkKey]\nKey=00\n"


@pytest.fixture
def machine(tmp_path, monkeypatch, disk_audio, pins):
    """A Pi's sound cards and one paired speaker, as files; the service's config copied."""
    asound = tmp_path / "asound"
    for card, devices in {0: [0], 1: [0], 2: [0], 3: [0], 4: [0, 1]}.items():
        for dev in devices:
            (asound / f"card{card}" / f"pcm{dev}p").mkdir(parents=True)
    (asound / "card4" / "pcm0c").mkdir()  # a capture device is no output
    (asound / "cards").write_text(CARDS)
    paired = tmp_path / "bluetooth" / "B8:27:EB:00:00:01" / "AA:BB:CC:DD:EE:FF"
    paired.mkdir(parents=True)
    (paired / "info").write_text(PAIRED)
    seen = tmp_path / "bluetooth" / "B8:27:EB:00:00:01" / "11:22:33:44:55:66"
    seen.mkdir()
    (seen / "info").write_text("[General]\nName=Not paired\n")
    monkeypatch.setenv("ROUTINE_PLAYER_ASOUND", str(asound))
    monkeypatch.setenv("ROUTINE_PLAYER_BLUETOOTH", str(tmp_path / "bluetooth"))
    (tmp_path / "etc").mkdir()
    path = tmp_path / "etc" / "config.toml"
    path.write_text(SHIPPED.read_text() + "\n# my own note, kept\n")
    return path


def test_outputs_are_named_for_a_person_and_reached_by_card_name(machine):
    found = {o.name: o.device for o in outputs.find()}
    assert found == {
        "HDMI 1 (a TV's or monitor's speakers)": "plughw:CARD=vc4hdmi0,DEV=0",
        "headphone jack": "plughw:CARD=Headphones,DEV=0",
        "USB speaker or sound card (USB Audio Device)": "plughw:CARD=Device,DEV=0",
        "I2S sound HAT (snd_rpi_hifiberry_dac)": "plughw:CARD=sndrpihifiberry,DEV=0",
        "loopback (a test card: no speaker), output 0": "plughw:CARD=Loopback,DEV=0",
        "loopback (a test card: no speaker), output 1": "plughw:CARD=Loopback,DEV=1",
        "Bluetooth speaker Kitchen Speaker": "bluealsa:DEV=AA:BB:CC:DD:EE:FF,PROFILE=a2dp",
    }


def args(path: Path, **given) -> argparse.Namespace:
    values = dict(
        config=str(path), device=None, pin=None, press_seconds=10.0, volume=None, voice=None,
        web=None, yes=False, no_restart=True,
    )  # fmt: skip
    return argparse.Namespace(**{**values, **given})


class OnATerminal:
    """setup running in a thread on the slave side of a pty; pexpect on the master side."""

    def __init__(self, namespace: argparse.Namespace) -> None:
        master, slave = os.openpty()
        given, shown = os.fdopen(slave, "r"), os.fdopen(os.dup(slave), "w")
        assert given.isatty()
        self.term = fdpexpect.fdspawn(master, encoding="utf-8", timeout=60)
        self.result: list[object] = []
        terminal = wizard.Terminal(given, shown, namespace.yes)
        self.thread = threading.Thread(
            target=lambda: self.result.append(self._run(namespace, terminal)), daemon=True
        )
        self.thread.start()

    @staticmethod
    def _run(namespace, terminal):
        try:
            return wizard.setup(namespace, terminal)
        except Exception as error:  # shown to the test, not lost in the thread
            return error

    def answer(self, prompt: str, text: str) -> None:
        self.term.expect_exact(prompt)
        self.term.sendline(text)

    def finish(self) -> object:
        self.thread.join(timeout=60)
        return self.result[0]


def test_setup_on_a_terminal_picks_by_ear_hears_the_press_and_keeps_the_comments(
    machine, pins, disk_audio
):
    before = machine.read_text()
    run = OnATerminal(args(machine))
    run.term.expect_exact("3. USB speaker or sound card (USB Audio Device)")
    run.answer("Which one? (a number) [3]", "2")  # a USB speaker is offered first
    run.answer("Did you hear it? [yes]", "no")  # the jack: nothing heard
    run.answer("Which one? (a number) [3]", "")
    run.answer("Did you hear it? [yes]", "yes")
    run.answer("The button's GPIO number (BCM) [17]", "")
    run.term.expect_exact("Press the button now (GPIO 17 is physical pin 11; physical pin 17")
    pins.pin(17).drive_low()
    pins.pin(17).drive_high()
    run.term.expect_exact("Heard the press: the button works.")
    run.answer("Volume, in percent (0 to 100) [100]", "60")
    run.answer("Turn on the phone page? [no]", "")  # not installed with WEB=1 here
    run.term.expect_exact("Press the button once to start upper-glutes-foam-roller")
    assert run.finish() == 0
    assert disk_audio.stat().st_size > 0  # the line was played
    written = machine.read_text()
    assert 'device = "plughw:CARD=Device,DEV=0"  ' in written
    assert (
        "# ALSA device (sudo routine-player setup" in written and "# my own note, kept" in written
    )
    assert "volume = 60 " in written and "pin = 17 " in written
    unchanged = [n for n in before.splitlines() if "device =" not in n and "volume =" not in n]
    assert unchanged == [n for n in written.splitlines() if n in unchanged]
    assert machine.with_name("config.toml.bak").read_text() == before


def test_setup_says_why_a_press_was_not_heard(machine):
    run = OnATerminal(args(machine, device="3", pin=4, press_seconds=0.5, volume="80", yes=True))
    run.term.expect_exact("No press reached GPIO 4. The likely causes:")
    run.term.expect_exact("GPIO 4 is physical pin 7; physical pin 4 is 5V power, not a GPIO.")
    run.term.expect_exact("one leg on physical pin 7, the other on a ground (physical 6, 9,")
    assert run.finish() == 0
    assert "pin = 4 " in machine.read_text()


def test_setup_hears_a_press_made_the_moment_it_asks(pins):
    """The line is read before the prompt: a press that comes at once (a script, or a person
    quicker than a busy Pi) is a press, never a line held down from the start."""
    assert wizard._press(17, 5.0, pins.pin(17).drive_low) == "pressed"


def test_setup_hands_the_line_back_for_the_service_it_restarts(pins):
    """gpiozero's lgpio pins stay claimed, as inputs, until their factory closes: the service
    that setup restarted found GPIO 17 busy and failed its first start (make vm-test, check
    17). The press test closes the factory; in a real one, that frees the line."""
    from gpiozero import Device

    assert wizard._press(17, 0.05, lambda: None) == "none"
    assert pins.pins == {} and Device.pin_factory is None


def avahi_running(root: Path) -> Path:
    """A machine root where avahi-daemon runs (its socket is there)."""
    (root / "run/avahi-daemon").mkdir(parents=True)
    (root / "run/avahi-daemon/socket").touch()
    return root


def test_setup_with_flags_alone_writes_the_config_from_a_script(machine, tmp_path):
    avahi = avahi_running(tmp_path / "avahi")
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "ROUTINE_PLAYER_AVAHI": str(avahi)}
    done = subprocess.run(
        [sys.executable, "-m", "player", "setup", "--config", str(machine), "--device",
         "plughw:CARD=Loopback,DEV=0", "--pin", "27", "--press-seconds", "0", "--volume", "45",
         "--voice", "espeak", "--web", "on", "--yes", "--no-restart"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = machine.read_text()
    assert 'device = "plughw:CARD=Loopback,DEV=0"' in written and "pin = 27 " in written
    assert "volume = 45 " in written and 'engine = "espeak"' in written
    assert "sudo systemctl restart routine-player" in done.stdout
    assert f"  http://{socket.gethostname()}.local:8080/\n" in done.stdout  # the page, by name


def test_web_page_is_offered_by_name_only_when_avahi_answers_for_it(tmp_path, monkeypatch):
    from player import config
    from player.web.where import page_urls

    monkeypatch.setenv("ROUTINE_PLAYER_AVAHI", str(tmp_path))
    settings = config.load(None)
    by_name = f"http://{socket.gethostname()}.local:8080/"
    assert by_name not in page_urls(settings)  # no Avahi: the name would lead nowhere
    avahi_running(tmp_path)
    assert page_urls(settings)[0] == by_name


def test_web_page_listens_on_every_address_so_a_new_one_still_answers(machine):
    from player import config
    from player.web.serve import listen_address

    assert listen_address(config.load(machine)) == "0.0.0.0"


def test_setup_refuses_a_change_that_would_break_the_config_and_keeps_the_file(machine):
    before = machine.read_text()
    with pytest.raises(ConfigError, match=r"button\.pin"):
        configfile.edit(machine, {"button.pin": 99})
    assert machine.read_text() == before
    assert sorted(p.name for p in machine.parent.iterdir()) == ["config.toml"]


def test_setup_offers_a_piper_voice_found_beside_the_config(machine):
    from tests import piperkit

    model = piperkit.write_voice(machine.parent / "voices")
    given = args(machine, device="1", pin=17, press_seconds=0, volume="70", web="off")
    run = OnATerminal(given)
    run.term.expect_exact("1. eSpeak NG (clear, robotic)")
    run.term.expect_exact("2. Piper voice tiny")
    run.answer("Which one? (a number) [1]", "2")
    assert run.finish() == 0
    written = machine.read_text()
    assert 'engine = "piper"' in written and f'model = "{model}"' in written


def test_setup_turning_the_page_off_and_on_withdraws_and_announces_its_name(tmp_path, monkeypatch):
    """As root with systemd (managed): systemctl is a stand-in on PATH that only succeeds."""
    from player import config

    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    (bin_folder / "systemctl").write_text("#!/bin/sh\nexit 0\n")
    (bin_folder / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}:{os.environ['PATH']}")
    monkeypatch.setenv("ROUTINE_PLAYER_AVAHI", str(tmp_path))
    announced = tmp_path / "etc/avahi/services/routine-player.service"
    announced.parent.mkdir(parents=True)
    settings = replace(config.load(None), web=replace(config.WebConfig(), port=8181))
    term = wizard.Terminal(io.StringIO(), io.StringIO(), assume=True)
    wizard.choose_page(term, args(tmp_path, web="on"), settings, Services(managed=True))
    assert "<port>8181</port>" in announced.read_text()
    wizard.choose_page(term, args(tmp_path, web="off"), settings, Services(managed=True))
    assert not announced.exists()
    wizard.choose_page(term, args(tmp_path, web="on"), settings, Services(managed=False))
    assert not announced.exists()  # setup on a person's own config leaves the machine alone
