"""Pairing without a terminal (issue 27), end to end: a phone asks on the page, the real
daemon (mock pins, SDL's disk driver) says so with the phone's word, and a press of the
button allows that phone alone. And the code, for a Pi without a speaker, per address."""

from __future__ import annotations

import html
import re
import time

import pytest

from player.core import joining
from player.core.events import State
from player.core.sounds import Speech
from player.service.control import parse

from .daemonkit import Running, press
from .webkit import Client, WebService, alert, free_port, wait_until, with_web


def asked(phone: Client) -> int:
    """The phone presses "Ask the player" on its pairing page."""
    _, page, _ = phone.get("/pair")
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)[1]
    return phone.post("/pair/ask", {"nonce": nonce})[0]


def test_web_join_the_button_allows_the_phone_that_asked_and_no_other(pins, setup):
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    with Running(config) as run, WebService(config):
        phone, other = Client(port), Client(port, source="127.0.0.2")
        assert asked(phone) == 303
        code, page, _ = phone.get("/pair/wait")
        word = html.unescape(re.search(r'id="word">([^<]+)<', page)[1])
        assert code == 200 and word in joining.WORDS
        assert run.session.state is State.ASKING and run.session.asking == word
        code, page, reply = other.request("POST", "/pair/ask", {"nonce": "x"})
        assert code == 403  # without its page's nonce
        other.get("/pair")
        assert asked(other) == 409  # one phone asks at a time
        wait_until(lambda: run.played(Speech(joining.word_line(word))))
        wait_until(lambda: not run.session.sounding(time.monotonic()))
        press(pins.pin(17))
        wait_until(lambda: run.session.allowed == word)
        code, _, reply = phone.get("/pair/wait")
        assert (code, reply.headers["Location"]) == (303, f"http://127.0.0.1:{port}/")
        assert phone.get("/now")[0] == 200  # paired
        assert other.get("/now")[0] == 303  # the other phone is not
        assert run.session.state is State.IDLE  # the press started nothing


def test_web_join_is_refused_while_a_routine_plays(pins, setup):
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    with Running(config) as run, WebService(config):
        press(pins.pin(17))
        wait_until(lambda: run.session.state is State.PLAYING)
        phone = Client(port)
        _, page, _ = phone.get("/pair")
        nonce = re.search(r'name="nonce" value="([^"]+)"', page)[1]
        code, page, _ = phone.post("/pair/ask", {"nonce": nonce})
        assert (code, alert(page)) == (409, "A routine is playing: ask again when it has ended.")
        assert run.session.asking is None


def test_web_a_guessing_device_cannot_keep_the_owner_from_pairing_with_the_code(pins, setup):
    """Five wrong guesses and five tries a minute were for everyone together; now a device
    at 127.0.0.2 that guesses uses up only its own tries."""
    config = with_web(setup, free_port())
    port = int(config.read_text().rsplit("port = ", 1)[1])
    with WebService(config) as web:
        guesser, owner = Client(port, source="127.0.0.2"), Client(port)
        assert guesser.post("/pair", {"nonce": "made-up", "code": "000000"})[0] == 403  # CSRF
        code = web.code()
        wrong = str((int(code) + 1) % 1_000_000).zfill(6)
        assert [guesser.pair(wrong) for _ in range(5)] == [403] * 5
        status, page, reply = guesser.request("GET", "/pair")
        nonce = re.search(r'name="nonce" value="([^"]+)"', page)[1]
        status, page, reply = guesser.post("/pair", {"nonce": nonce, "code": code})
        wait = int(reply.headers["Retry-After"])
        assert status == 429 and alert(page) == f"Too many tries: wait {wait} s and retry."
        assert 50 <= wait <= 60
        assert owner.pair(code) == 303 and "rp_device" in owner.cookies
        assert "rp_device" not in guesser.cookies


def test_web_join_the_sockets_pair_ask_needs_one_of_the_words():
    assert parse(b'{"command": "pair-ask", "word": "river"}')["word"] == "river"
    for line in (b'{"command": "pair-ask"}', b'{"command": "pair-ask", "word": "hunter2"}'):
        with pytest.raises(ValueError, match="expected a word: apple, candle"):
            parse(line)
