"""The routines we ship: they load, and each side lasts what the article advises."""

from __future__ import annotations

import re

import pytest

from player import library, plans
from player.core import routine

TENDER = re.compile(r"\b(tender|new) spot\b")  # the cues of holds on a tender spot
SHIPPED = sorted(library.shipped_folder().glob("*.toml"))


def test_shipped_routines_are_the_four_of_the_article():
    assert [p.stem for p in SHIPPED] == [
        "upper-glutes-ball-floor",
        "upper-glutes-ball-wall",
        "upper-glutes-foam-roller",
        "upper-glutes-hands",
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_each_side_lasts_five_to_ten_minutes(path, settings):
    loaded = routine.load(path)
    plan = plans.prepare(loaded, settings).timeline
    assert loaded.sides == ("left", "right")
    for side in loaded.sides:
        frames = sum(s.end - s.start for s in plan.steps if s.side == side)
        assert 5 * 60 <= frames / plan.rate <= 10 * 60, (side, frames / plan.rate)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_holds_follow_the_article(path):
    loaded = routine.load(path)
    tender = [s.hold for s in loaded.steps if s.hold and TENDER.search(s.say.lower())]
    assert len(tender) >= 3
    low, high = (30, 60) if "ball" in loaded.id else (20, 30)
    assert all(low <= h <= high for h in tender), tender


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_speaks_the_safety_rules_first_and_last(path):
    loaded = routine.load(path)
    opening = " ".join(s.say for s in loaded.steps[:4]).lower()
    closing = " ".join(s.say for s in loaded.steps[-5:]).lower()
    for word in ("warm", "water", "sharp", "shooting", "press the button", "start gently"):
        assert word in opening, word
    for word in ("numbness", "tingling", "weakness", "pigeon", "figure four", "seated glute"):
        assert word in closing, word
