"""The web page's systemd unit, offline (as tests/test_service.py checks the player's): it
verifies, scores 2.0 or lower, and reaches the LAN and the player's socket only. The unit
running under systemd is checked on a booted Debian (`make vm-test`)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .test_service import ROOT, UNIT, analyze

WEB_UNIT = ROOT / "systemd" / "routine-player-web.service"


def web_unit_here(tmp_path: Path) -> Path:
    here = Path(sys.executable).parent / "routine-player"
    text = WEB_UNIT.read_text().replace("/opt/routine-player/venv/bin/routine-player", str(here))
    path = tmp_path / "routine-player-web.service"
    path.write_text(text)
    return path


@analyze
def test_web_unit_verifies_cleanly(tmp_path):
    result = subprocess.run(
        ["systemd-analyze", "verify", str(web_unit_here(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


@analyze
def test_web_unit_scores_2_0_or_lower(tmp_path):
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(web_unit_here(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    score = float(re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)[1])
    assert score <= 2.0, result.stdout


def test_web_unit_reaches_the_lan_and_the_players_socket_only():
    lines = WEB_UNIT.read_text().splitlines()
    for line in (
        "User=routine-player-web",
        "SupplementaryGroups=routine-player",
        "StateDirectory=routine-player-web",
        "IPAddressDeny=any",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "PrivateDevices=yes",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=",
    ):
        assert line in lines, line
    allowed = next(n for n in lines if n.startswith("IPAddressAllow=")).split("=")[1].split()
    assert not {"any", "0.0.0.0/0", "::/0"} & set(allowed)
    assert not any(n.startswith(("ReadWritePaths", "DeviceAllow")) for n in lines)


def test_web_leaves_the_players_unit_as_it_was():
    lines = UNIT.read_text().splitlines()
    assert "RestrictAddressFamilies=AF_UNIX" in lines and "PrivateNetwork=yes" in lines
    assert "IPAddressDeny=any" in lines and "web" not in UNIT.read_text()


def test_web_unit_yields_the_cpu_to_the_player():
    """Issue 27: during a flood the page must not slow the player down."""

    def setting(unit: Path, name: str, default: int) -> int:
        found = [n.split("=", 1)[1] for n in unit.read_text().splitlines() if n.startswith(name)]
        return int(found[-1]) if found else default

    assert setting(WEB_UNIT, "CPUWeight=", 100) < setting(UNIT, "CPUWeight=", 100)
    assert setting(WEB_UNIT, "Nice=", 0) > setting(UNIT, "Nice=", 0)
