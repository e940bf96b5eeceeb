"""The routines we ship: they load, follow the article, and can be followed with eyes closed."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest

from player.core import intro, routine, timeline
from player.routines import library, plans

TENDER = re.compile(r"\btender spot\b")  # the cues of holds on a tender spot
SHIPPED = sorted(library.shipped_folder().glob("*.toml"))
SHORT = ("upper-glutes-first-time", "upper-glutes-everyday")  # about five minutes a side
MAX_WORDS = 25  # a cue a listener can hold: one action, at most this many words
RUN = 7  # words in a row that may never come from the article
ARTICLE = Path(
    os.environ.get("ROUTINE_PLAYER_ARTICLE")
    or Path(__file__).resolve().parents[2] / "shared" / "seed" / "upper-glute-massage.txt"
)
NUMBERS = {"twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16}


def cues(loaded: routine.Routine) -> list[str]:
    """Every cue as spoken, sides filled in."""
    return [step.cue(side, other) for step, side, other in timeline.played_steps(loaded)]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def opening(loaded: routine.Routine) -> list[routine.Step]:
    """The steps before the first side."""
    first = next(i for i, s in enumerate(loaded.steps) if s.each_side)
    return list(loaded.steps[:first])


def test_shipped_routines_are_the_article_s_four_and_the_gentle_and_short_ones():
    assert [p.stem for p in SHIPPED] == [
        "upper-glutes-ball-floor",
        "upper-glutes-ball-wall",
        "upper-glutes-everyday",
        "upper-glutes-first-time",
        "upper-glutes-foam-roller",
        "upper-glutes-hands",
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_each_side_lasts_what_it_promises(path, settings):
    loaded = routine.load(path)
    plan = plans.prepare(loaded, settings).timeline
    low, high = (5, 6) if loaded.id in SHORT else (5, 10)
    assert loaded.sides == ("left", "right")
    for side in loaded.sides:
        frames = sum(s.end - s.start for s in plan.steps if s.side == side)
        assert low * 60 <= frames / plan.rate <= high * 60, (side, frames / plan.rate)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_about_says_its_rendered_length_within_a_minute(path, settings):
    loaded = routine.load(path)
    said = re.match(r"About (\w+) minutes", loaded.about)
    assert said, loaded.about
    seconds = plans.prepare(loaded, settings).timeline.seconds()
    assert abs(NUMBERS[said.group(1)] * 60 - seconds) <= 60, seconds


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_holds_follow_the_article(path):
    loaded = routine.load(path)
    tender = [s.hold for s in loaded.steps if s.hold and TENDER.search(s.say)]
    assert len(tender) >= 3
    low, high = (30, 60) if "ball" in loaded.title else (20, 30)
    if loaded.id == "upper-glutes-first-time":
        low = high = 20
        assert "cross" not in " ".join(s.say for s in loaded.steps)
    assert all(low <= h <= high for h in tender), tender


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_no_timed_cue_assumes_a_spot_was_found(path):
    for step in routine.load(path).steps:
        assert "that spot" not in step.say, step.number  # which spot, if none was found?
        if step.hold and TENDER.search(step.say):
            assert step.say.startswith("If ") and "If not" in step.say, step.say


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_never_holds_one_spot_twice_in_a_row(path):
    holds = [s for s, _, _ in timeline.played_steps(routine.load(path)) if s.hold]
    for first, second in itertools.pairwise(holds):
        assert not (TENDER.search(first.say) and TENDER.search(second.say)), second.number


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_cues_are_short(path):
    loaded = routine.load(path)
    for cue in [*cues(loaded), intro.BUTTON, intro.BUTTON_SHORT]:
        assert len(cue.split()) <= MAX_WORDS, cue


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_says_where_to_work_in_one_way(path):
    text = " ".join(s.say for s in routine.load(path).steps)
    assert "upper, outer part of" in text and "top rim of the pelvis" in text
    assert "hip bone" not in text


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_opening_gives_each_safety_rule_its_own_cue(path):
    steps = opening(routine.load(path))
    warm = [s for s in steps if "warm" in s.say]
    assert warm and warm[0].wait and "press the button" in warm[0].say.lower()
    assert steps[-1].wait  # settled in position before the first side

    def one(*needles: str) -> routine.Step:
        (found,) = [s for s in steps if all(n in s.say.lower() for n in needles)]
        return found

    comfort, stop = one("sharp", "shooting"), one("numbness", "tingling", "button")
    assert comfort is not stop
    one("water")
    one("without looking")  # where the button lives
    one("ease off")
    one("start gently")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_closes_with_the_article_s_advice(path):
    closing = " ".join(s.say for s in routine.load(path).steps[-5:]).lower()
    for word in ("numbness", "tingling", "weakness", "pigeon", "figure four", "seated glute"):
        assert word in closing, word


@pytest.mark.skipif(not ARTICLE.is_file(), reason=f"the seed article is not at {ARTICLE}")
def test_shipped_routines_copy_no_run_of_seven_words_from_the_article():
    article = words(ARTICLE.read_text(encoding="utf-8"))
    runs = {tuple(article[i : i + RUN]) for i in range(len(article) - RUN + 1)}
    assert len(runs) > 1000  # the article really was read
    texts = [intro.BUTTON, intro.BUTTON_SHORT, timeline.REMINDER, timeline.STOP_NOTE]
    for path in SHIPPED:
        loaded = routine.load(path)
        texts += [loaded.title, loaded.about, *cues(loaded)]
    copied = []
    for text in texts:
        said = words(text)
        copied += [" ".join(said[i : i + RUN]) for i in range(len(said) - RUN + 1)]
    assert not [run for run in copied if tuple(run.split()) in runs]
