"""The web page in a real browser: Debian's Chromium driven by Playwright, against the real web
service and a real daemon on mock pins and SDL's disk driver. Pair, pick a routine, start, see
the step change live, stop, write a note, see it in the history, export; start and stop again
with JavaScript off. With WEB_SCREENSHOTS=docs/web (`make web-screenshots`) the phone-sized
screenshots land there."""

from __future__ import annotations

import array
import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from player.core.events import State

from .daemonkit import LOUD, Running
from .webkit import WebService, free_port, wait_until, with_web

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make deps (as root) installs it"
    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh profile (user-data-dir) of its own.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


def _served(setup: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """The test's config with the page on a free port, the folder for screenshots (docs/web/
    under `make web-screenshots`), and the page's address."""
    port = free_port()
    shots = Path(os.environ.get("WEB_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    return with_web(setup, port), shots, f"http://127.0.0.1:{port}"


def test_web_in_a_browser_pair_start_live_stop_note_history_export(pins, setup, browser, tmp_path):
    config, shots, base = _served(setup, tmp_path)
    with Running(config) as run, WebService(config) as web:
        context = browser.new_context(**PHONE, accept_downloads=True)
        page = context.new_page()
        pair_start_and_follow(page, base, web.code(), shots)
        page.click("button.stop")
        wait_until(lambda: run.session.state is State.IDLE)
        expect(page.locator("body")).to_have_attribute("data-state", "idle")
        note_and_export(page, base, shots)

        plain = browser.new_context(**PHONE, java_script_enabled=False)
        plain.add_cookies(context.cookies())
        page = plain.new_page()
        page.goto(base + "/")
        page.locator("form.routine", has_text="Daemon test").get_by_role(
            "button", name="Start"
        ).click()
        wait_until(lambda: run.session.state is State.PLAYING)
        assert page.text_content("#headline") == "Daemon test"
        page.click("button.stop")
        wait_until(lambda: run.session.state is State.IDLE)


def pair_start_and_follow(page, base: str, code: str, shots: Path) -> None:
    """Pair, start the short routine, and watch its step change on the open page."""
    page.goto(base + "/")
    assert page.url == base + "/pair"
    page.screenshot(path=shots / "pair.png")
    page.fill("#code", code)
    page.get_by_role("button", name="Pair").click()
    page.wait_for_load_state()
    assert page.url == base + "/", page.content()
    page.screenshot(path=shots / "routines.png")
    page.locator("form.routine", has_text="Daemon test").get_by_role("button", name="Start").click()
    assert page.url == base + "/now"
    loads = []
    page.on("framenavigated", lambda frame: loads.append(frame.url))
    expect(page.locator("#step")).to_have_text("Step 1 of 2", timeout=30000)  # after the intro
    expect(page.locator("#step")).to_have_text("Step 2 of 2", timeout=30000)
    expect(page.locator("#side")).to_have_text("Left side")
    expect(page.locator("#hold")).to_have_text(re.compile(r"0:0[1-3]"))
    assert loads == []  # it all changed live, with no reload
    page.screenshot(path=shots / "now.png")


def note_and_export(page, base: str, shots: Path) -> None:
    """A note on the session just stopped, seen in the history and in both exports."""
    page.click("text=Add a note")
    page.fill("#effort", "6")
    page.fill("#pain", "2")
    page.fill("#where", "left hip")
    page.fill("#text", "Tight at first, easier after.")
    page.screenshot(path=shots / "note.png")
    page.get_by_role("button", name="Save the note").click()
    assert page.url.startswith(base + "/history")
    noted = page.text_content("article.session")
    assert "Effort 6, pain 2 (left hip): Tight at first, easier after." in noted
    page.goto(base + "/history")
    page.screenshot(path=shots / "history.png")
    with page.expect_download() as download:
        page.click("text=CSV")
    (row,) = csv.DictReader(io.StringIO(Path(download.value.path()).read_text()))
    assert (row["title"], row["effort"], row["note"]) == (
        "Daemon test",
        "6",
        "Tight at first, easier after.",
    )
    with page.expect_download() as download:
        page.click("text=JSON")
    (session,) = json.loads(Path(download.value.path()).read_text())["sessions"]
    assert session["ending"] == "stopped" and session["note"]["pain"] == 2


def test_web_editor_in_a_browser_copy_check_fix_save_start_hear_delete_bring_back(
    pins, setup, disk_audio, browser, tmp_path
):
    """A three-step routine from a copy, on a phone: a check's line beside its field as you
    type, fixed, saved, taken by the running player, started and heard, deleted, brought back."""
    config, shots, base = _served(setup, tmp_path)
    with Running(config) as run, WebService(config) as web:
        page = browser.new_context(**PHONE).new_page()
        page.goto(base + "/pair")
        page.fill("#code", web.code())
        page.get_by_role("button", name="Pair").click()
        page.goto(base + "/edit")
        page.screenshot(path=shots / "edit.png")
        page.locator("p.copy", has_text="Daemon test").get_by_role("link", name="Copy").click()
        expect(page.locator("#id")).to_have_value("short-copy")
        page.get_by_role("button", name="Add a step").click()
        page.fill("#step-3\\.say", "Well done. Rest a moment.")
        page.fill("#step-2\\.hold", "700")
        hold = page.locator('ul[data-for="step-2.hold"]')
        expect(hold).to_have_text("step 2: hold: expected seconds from 1 to 600, found 700")
        page.locator("#step-2").scroll_into_view_if_needed()
        page.screenshot(path=shots / "editor.png")
        page.fill("#step-2\\.hold", "3")
        expect(hold).to_have_text("")
        expect(page.locator("#length")).to_have_text(re.compile(r"\d:\d\d"))
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#ready")).to_have_text("Ready to start.", timeout=60000)
        page.screenshot(path=shots / "saved.png")
        heard_from = disk_audio.stat().st_size
        page.get_by_role("button", name="Start").click()
        wait_until(lambda: run.session.state is State.PLAYING)
        assert run.session.plan.routine.title == "Daemon test (my copy)"
        wait_until(lambda: loud(disk_audio, heard_from))  # the player's own output sounds
        page.click("button.stop")
        wait_until(lambda: run.session.state is State.IDLE)
        page.goto(base + "/edit")
        page.locator("#mine-short-copy").get_by_role("button", name="Delete").click()
        expect(page.locator("#mine-short-copy")).to_have_count(0)
        page.locator("#deleted").scroll_into_view_if_needed()
        page.screenshot(path=shots / "deleted.png")
        page.get_by_role("button", name="Bring back short-copy").click()
        expect(page.locator("#ready")).to_have_text("Ready to start.", timeout=60000)
        assert (setup.parent / "state" / "phone-routines" / "short-copy.toml").is_file()


def loud(raw: Path, since: int) -> bool:
    """Whether SDL's disk driver wrote anything loud after byte `since`."""
    played = array.array("h", raw.read_bytes()[since - since % 2 :])
    return any(abs(x) > LOUD for x in played)
