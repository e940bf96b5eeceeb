"""The systemd unit and the install scripts, as far as a machine without systemd running allows.
The unit itself running under systemd is checked on a booted Debian (`make vm-test`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from player import config
from player.routines import library

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "systemd" / "routine-player.service"
analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")


def unit_here(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at this venv's command, which exists on this machine."""
    here = Path(sys.executable).parent / "routine-player"
    text = UNIT.read_text().replace("/opt/routine-player/venv/bin/routine-player", str(here))
    path = tmp_path / "routine-player.service"
    path.write_text(text)
    return path


@analyze
def test_service_unit_verifies_cleanly(tmp_path):
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit_here(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


@analyze
def test_service_unit_scores_1_5_or_lower(tmp_path):
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(unit_here(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    score = float(re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)[1])
    assert score <= 1.5, result.stdout


def test_service_unit_keeps_its_promises():
    text = UNIT.read_text()
    for line in (
        "Type=notify",
        "Restart=on-failure",
        "RuntimeDirectory=routine-player",
        "WorkingDirectory=/run/routine-player",
        "DevicePolicy=closed",
        "DeviceAllow=char-alsa rw",
        "DeviceAllow=char-gpiochip rw",
        "RestrictAddressFamilies=AF_UNIX",
        "SupplementaryGroups=gpio audio",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
    ):
        assert line in text.splitlines(), line
    assert "PrivateDevices=yes" not in text.splitlines()  # it would hide /dev/snd and the gpiochips
    assert re.search(r"^WatchdogSec=\d+", text, re.M)


def test_service_shipped_config_is_valid_and_names_a_shipped_routine():
    settings = config.load(ROOT / "systemd" / "config.toml")
    assert settings.paths.state == Path("/var/lib/routine-player")
    assert settings.player.routine in {e.id for e in library.entries(settings)}


def run_script(name: str, dest: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DESTDIR": str(dest), "NO_SYSTEM": "1", "PYTHON": sys.executable, **extra}
    return subprocess.run(
        ["sh", str(ROOT / "systemd" / name)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


MINE = "[voice]\nrate = 140\n[web]\nport = 8181\n"
AVAHI = "etc/avahi/services/routine-player.service"


def announced(dest: Path) -> tuple[str, str, str]:
    """The Avahi service file's name, service type and port: it must parse as XML, in the
    order avahi-service.dtd allows (service-group: name, service; service: type, port, txt)."""
    group = ET.parse(dest / AVAHI).getroot()
    assert group.tag == "service-group" and [e.tag for e in group] == ["name", "service"]
    service = group.find("service")
    assert [e.tag for e in service] == ["type", "port", "txt-record"]
    assert group.find("name").get("replace-wildcards") == "yes"  # %h: the Pi's host name
    return group.findtext("name"), service.findtext("type"), service.findtext("port")


def test_service_install_then_uninstall_keeps_what_the_person_made(tmp_path):
    dest = tmp_path / "root"
    mine = dest / "etc" / "routine-player"
    mine.mkdir(parents=True)
    (mine / "config.toml").write_text(MINE)
    history = dest / "var" / "lib" / "routine-player" / "history.sqlite3"
    history.parent.mkdir(parents=True)
    history.write_bytes(b"the person's history")
    (dest / AVAHI).parent.mkdir(parents=True)  # Avahi is installed, as on Raspberry Pi OS
    installed = run_script("install.sh", dest, WEB="1")  # with the web page (issue 20)
    assert installed.returncode == 0, installed.stderr
    assert "kept the config that is there" in installed.stdout
    web = dest / "etc/systemd/system/routine-player-web.service"
    assert web.read_bytes() == (ROOT / "systemd/routine-player-web.service").read_bytes()
    assert announced(dest) == ("routine-player on %h", "_http._tcp", "8181")  # its web.port
    assert "the page announced over mDNS: http://" in installed.stdout
    assert (mine / "config.toml").read_text() == MINE
    assert (dest / "etc/systemd/system/routine-player.service").read_bytes() == UNIT.read_bytes()
    command = dest / "opt/routine-player/venv/bin/routine-player"
    listed = subprocess.run([str(command), "list"], capture_output=True, text=True, check=False)
    assert "upper-glutes-foam-roller" in listed.stdout
    on_path = dest / "usr/local/bin/routine-player"  # a link to where the command will be
    assert os.readlink(on_path) == "/opt/routine-player/venv/bin/routine-player"
    python = dest / "opt/routine-player/venv/bin/python"
    assert (
        subprocess.run([str(python), "-c", "import bottle, waitress"], check=False).returncode == 0
    )
    (mine / "routines" / "mine.toml").write_text('title = "Mine"\n[[step]]\nsay = "Hi."\n')

    removed = run_script("uninstall.sh", dest)
    assert removed.returncode == 0, removed.stderr
    assert not (dest / "opt/routine-player").exists()
    assert not (dest / "etc/systemd/system/routine-player.service").exists()
    assert not web.exists() and not (dest / AVAHI).exists() and (dest / AVAHI).parent.is_dir()
    assert (mine / "config.toml").read_text() == MINE
    assert (mine / "routines" / "mine.toml").exists()
    assert history.read_bytes() == b"the person's history"
    assert not on_path.exists() and not on_path.is_symlink()


def test_service_install_writes_the_config_and_keeps_a_command_it_did_not_make(tmp_path):
    dest = tmp_path / "root"
    theirs = dest / "usr/local/bin/routine-player"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("#!/bin/sh\necho mine\n")
    (dest / AVAHI).parent.mkdir(parents=True)
    installed = run_script("install.sh", dest)
    assert installed.returncode == 0
    assert not (dest / "etc/systemd/system/routine-player-web.service").exists()  # off by default
    assert not (dest / AVAHI).exists()  # no page, nothing announced
    assert "kept /usr/local/bin/routine-player, which is not ours" in installed.stdout
    written = dest / "etc/routine-player/config.toml"
    assert written.read_bytes() == (ROOT / "systemd" / "config.toml").read_bytes()
    assert run_script("uninstall.sh", dest).returncode == 0
    assert theirs.read_text() == "#!/bin/sh\necho mine\n"


def test_service_install_with_bluetooth_adds_the_drop_in_and_uninstall_removes_it(tmp_path):
    dest = tmp_path / "root"
    assert run_script("install.sh", dest, BLUETOOTH="1").returncode == 0
    drop_in = dest / "etc/systemd/system/routine-player.service.d/bluetooth.conf"
    assert drop_in.read_bytes() == (ROOT / "systemd" / "bluetooth.conf").read_bytes()
    assert run_script("uninstall.sh", dest).returncode == 0
    assert not drop_in.exists()


def test_service_bluetooth_drop_in_only_orders_the_unit():
    """BlueALSA is reached over the D-Bus system bus, a Unix socket the sandbox allows: the
    drop-in may add ordering, never a [Service] line that loosens the sandbox."""
    lines = [
        n
        for n in (ROOT / "systemd" / "bluetooth.conf").read_text().splitlines()
        if n and not n.startswith("#")
    ]
    assert lines[0] == "[Unit]"
    assert {n.split("=", 1)[0] for n in lines[1:]} == {"Wants", "After"}


def extras_after(dest: Path, *runs: dict[str, str]) -> list[str]:
    """The extras each install would have on, after the runs before it (systemd/extras.sh)."""
    seen = []
    for given in runs:
        script = (
            "say() { :; }; . systemd/extras.sh; remember_extras; keep_extras; "
            'echo "PIPER=$PIPER WEB=$WEB BLUETOOTH=$BLUETOOTH"'
        )
        env = {k: v for k, v in os.environ.items() if k not in ("PIPER", "WEB", "BLUETOOTH")}
        done = subprocess.run(
            ["sh", "-c", script], cwd=ROOT, env={**env, "DESTDIR": str(dest), **given},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        seen.append(done.stdout.strip())
    return seen


def test_service_extras_chosen_once_stay_until_turned_off_on_purpose(tmp_path):
    assert extras_after(
        tmp_path,
        {"PIPER": "1", "WEB": "1"},
        {},
        {"BLUETOOTH": "1"},
        {"PIPER": "0"},
        {"WEB": ""},  # empty is not a choice: as remembered
    ) == [
        "PIPER=1 WEB=1 BLUETOOTH=",
        "PIPER=1 WEB=1 BLUETOOTH=",
        "PIPER=1 WEB=1 BLUETOOTH=1",
        "PIPER= WEB=1 BLUETOOTH=1",
        "PIPER= WEB=1 BLUETOOTH=1",
    ]


def test_service_install_again_is_the_upgrade_and_keeps_the_page_and_the_venv(tmp_path):
    dest = tmp_path / "root"
    first = run_script("install.sh", dest, WEB="1")
    assert first.returncode == 0, first.stderr
    assert not (dest / "etc/avahi").exists()  # no Avahi: nothing announced, no folder made
    assert "no Avahi here (/etc/avahi/services)" in first.stdout
    (dest / AVAHI).parent.mkdir(parents=True)  # Avahi installed since
    venv = dest / "opt/routine-player/venv"
    (venv / "person-was-here").write_text("kept")  # a venv made again from scratch loses this
    history = dest / "var/lib/routine-player/history.sqlite3"
    history.parent.mkdir(parents=True)
    history.write_bytes(b"the person's history")
    again = run_script("install.sh", dest)  # no flags: the upgrade
    assert again.returncode == 0, again.stderr
    assert "extras: WEB" in again.stdout
    assert (dest / "etc/systemd/system/routine-player-web.service").exists()
    assert announced(dest)[2] == "8080"
    python = venv / "bin/python"
    assert (
        subprocess.run([str(python), "-c", "import bottle, waitress"], check=False).returncode == 0
    )
    assert (venv / "person-was-here").exists() and history.read_bytes() == b"the person's history"
    off = run_script("install.sh", dest, WEB="0")
    assert "the phone page turned off" in off.stdout
    assert not (dest / "etc/systemd/system/routine-player-web.service").exists()
    assert not (dest / AVAHI).exists()


def test_service_uninstall_says_what_it_keeps_and_a_purge_removes_it(tmp_path):
    dest = tmp_path / "root"
    made = ["etc/routine-player/config.toml", "var/lib/routine-player/history.sqlite3",
            "var/lib/routine-player-web/devices.json",
            "usr/local/share/routine-player/voices/v.onnx"]  # fmt: skip
    for name in made:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text("mine")
    kept = run_script("uninstall.sh", dest)
    assert kept.returncode == 0, kept.stderr
    for folder in ("/etc/routine-player", "/var/lib/routine-player", "/var/lib/routine-player-web",
                   "/usr/local/share/routine-player"):  # fmt: skip
        assert f"kept {folder}\n" in kept.stdout
    assert all((dest / name).exists() for name in made)
    assert "sudo make uninstall PURGE=1" in kept.stdout
    purged = run_script("uninstall.sh", dest, PURGE="1")
    assert purged.returncode == 0, purged.stderr
    assert not any((dest / name).exists() for name in made)
    assert "removed /var/lib/routine-player\n" in purged.stdout


USER_UNIT = ROOT / "systemd" / "user" / "routine-player.service"


def unit_lines(path: Path) -> dict[str, list[str]]:
    """Each key of a unit file with its values, in order."""
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def test_service_user_unit_can_start_under_a_user_manager():
    """The desktop's user unit: a user manager has no /run/routine-player, no multi-user.target
    and no ProtectHome to give (issue 25); it reads the person's own config."""
    keys = unit_lines(USER_UNIT)
    assert keys["WantedBy"] == ["default.target"]
    assert "WorkingDirectory" not in keys and "ProtectHome" not in keys
    assert not {"User", "Group", "SupplementaryGroups"} & set(keys)
    assert keys["ExecStart"] == ["/opt/routine-player/venv/bin/routine-player daemon"]
    assert keys["RuntimeDirectory"] == ["routine-player"]
    assert "LG_WD=%t/routine-player" in keys["Environment"]
    assert keys["Type"] == ["notify"]


@analyze
def test_service_user_unit_verifies_under_a_user_manager(tmp_path):
    here = Path(sys.executable).parent / "routine-player"
    text = USER_UNIT.read_text().replace("/opt/routine-player/venv/bin/routine-player", str(here))
    (tmp_path / "routine-player.service").write_text(text)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    done = subprocess.run(
        ["systemd-analyze", "--user", "verify", str(tmp_path / "routine-player.service")],
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def armhf_path(tmp_path: Path) -> str:
    """A PATH whose `dpkg --print-architecture` says armhf, as on 32-bit Raspberry Pi OS."""
    shim = tmp_path / "bin" / "dpkg"
    shim.parent.mkdir()
    shim.write_text('#!/bin/sh\n[ "$1" = --print-architecture ] && echo armhf && exit 0\nexit 9\n')
    shim.chmod(0o755)
    return f"{shim.parent}:{os.environ['PATH']}"


def test_service_a_32_bit_system_is_refused_in_one_line_before_anything_changes(tmp_path):
    """Issue 24: on armhf (dpkg's answer, faked by a dpkg on the PATH) PyPI has no pygame-ce
    wheel, so `make install`, `make run` and install.sh stop in one line that says what to do.
    Each runs as the install tests do (DESTDIR, NO_SYSTEM), so that a refusal that fails to
    come changes nothing on this machine."""
    dest, venv = tmp_path / "root", tmp_path / "venv"
    faked = {"PATH": armhf_path(tmp_path), "ROUTINE": "no-such-routine"}
    refused = [run_script("install.sh", dest, **faked)]
    env = {**os.environ, "DESTDIR": str(dest), "NO_SYSTEM": "1", **faked}
    for inherited in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # as a person types it, not nested
        env.pop(inherited, None)
    for target in ("install", "run"):
        command = ["make", target, f"VENV={venv}"]
        refused.append(
            subprocess.run(
                command, env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
            )
        )
    for result in refused:
        assert result.returncode != 0
        said = (result.stdout + result.stderr).strip().splitlines()
        assert len(said) == 1, said
        assert "32-bit (armhf, from dpkg --print-architecture)" in said[0]
        assert "flash Raspberry Pi OS (64-bit)" in said[0]
    assert not dest.exists() and not venv.exists()


def test_service_pip_install_on_a_32_bit_system_stops_in_the_same_line(tmp_path):
    """Issue 24: the third way in. pip runs the project's build backend (systemd/build_guard.py),
    which asks platform.sh before setuptools builds anything: refused on armhf with the same
    line, nothing written into the sources; on this machine the same command would install."""
    sources = tmp_path / "sources"
    for part in ("player", "routines", "sounds", "systemd"):
        shutil.copytree(ROOT / part, sources / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md", "MANIFEST.in"):
        shutil.copy(ROOT / part, sources / part)
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps"]
    pip += ["--disable-pip-version-check", str(sources)]  # setuptools from the index, as for anyone

    def install(path: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PATH": path}
        return subprocess.run(
            pip, env=env, capture_output=True, text=True, check=False, timeout=300
        )

    refused = install(armhf_path(tmp_path))
    assert refused.returncode != 0
    said = [line for line in refused.stderr.splitlines() if "32-bit" in line]
    assert len(said) == 1 and "flash Raspberry Pi OS (64-bit)" in said[0], refused.stderr
    assert not list(sources.glob("*.egg-info")) and not (sources / "build").exists()
    would = install(os.environ["PATH"])
    assert "Would install routine-player-" in would.stdout, would.stdout + would.stderr


def test_service_announcement_with_a_broken_config_says_one_line(tmp_path, capsys, monkeypatch):
    from player.web import mdns

    monkeypatch.setenv("ROUTINE_PLAYER_AVAHI", str(tmp_path))
    (tmp_path / "etc/avahi/services").mkdir(parents=True)
    broken = tmp_path / "config.toml"
    broken.write_text("[web]\nport = 99999\n")
    assert mdns.main(["--config", str(broken)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"the page is not announced by name: {broken}: web.port: expected a TCP port from 1 to "
        "65535, found 99999"
    ]
    assert not (tmp_path / AVAHI).exists()
