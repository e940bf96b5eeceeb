"""A phone asks to join the web page, and the button allows it (issue 27). What the player
says, and the words a phone may show. Pure: the session decides, the web page asks.

The player says a short word that the asking phone also shows, so that the person holding the
button allows their own phone and not another one that asks at the same moment."""

from __future__ import annotations

WORDS = ("apple", "candle", "garden", "lemon", "meadow", "pebble", "river", "violet")
ASK = "A phone asks to join: press the button to allow it."
ALLOWED = "The phone has joined."
ASK_SECONDS = 30.0  # after the announcement ends, a short press allows the phone this long


def word_line(word: str) -> str:
    """The line that names the word the asking phone shows."""
    return f"The phone shows the word {word}."


def lines() -> tuple[str, ...]:
    """Every line the player may say about a phone asking, rendered beside each routine's."""
    return (ASK, *(word_line(word) for word in WORDS), ALLOWED)
