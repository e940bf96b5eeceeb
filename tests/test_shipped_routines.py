"""The routines we ship: they load, follow the article, and can be followed with eyes closed."""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from player.audio import chimes
from player.core import intro, joining, routine, timeline
from player.core.timeline import MAX_WORDS
from player.routines import library, plans
from player.routines.prepare import fallback_line

TENDER = re.compile(r"\btender spot\b")  # the cues of holds on a tender spot
# Words that ask for more pressure: never in a cue on a tender spot, where a hold ends as the
# ache eases (or at the chime), and never in the first-time routine, light all the way through.
BUILD = re.compile(r"\b(build|builds|more|deeper|harder|firmer|add|adds|sink|increase|lean into)\b")
EASES = "until it eases or the chime sounds"  # how every hold on a tender spot ends
SHIPPED = sorted(library.shipped_folder().glob("*.toml"))
FIRST_TIME, SHORT = "upper-glutes-first-time", "upper-glutes-everyday"
PER_SIDE = {FIRST_TIME: (5, 6), SHORT: (2, 3)}  # minutes a side; the others 5 to 10
SHORT_SESSION = (6, 8)  # minutes in all, as `list` counts them
RUN = 7  # words in a row that may never come from the article
ARTICLE = Path(
    os.environ.get("ROUTINE_PLAYER_ARTICLE")
    or Path(__file__).resolve().parents[2] / "shared" / "seed" / "upper-glute-massage.txt"
)
NUMBERS = {
    "six": 6,
    "seven": 7,
    "eight": 8,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
}
# How each tool is left before the long press: the sound stops at a press, the pressure does not.
COME_OFF = {
    "upper-glutes-ball-floor": "lift your hips off the ball first",
    "upper-glutes-ball-wall": "step away from the wall first, let the ball drop",
    "upper-glutes-everyday": "step away from the wall first, let the ball drop",
    "upper-glutes-first-time": "roll off the roller onto the mat first",
    "upper-glutes-foam-roller": "roll off the roller onto the mat first",
    "upper-glutes-hands": "lift your working hand away first",
}


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
    low, high = PER_SIDE.get(loaded.id, (5, 10))
    assert loaded.sides == ("left", "right")
    for side in loaded.sides:
        frames = sum(s.end - s.start for s in plan.steps if s.side == side)
        assert low * 60 <= frames / plan.rate <= high * 60, (side, frames / plan.rate)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_about_says_its_length_within_a_minute(path, settings, tmp_path):
    loaded = routine.load(path)
    said = re.match(r"About (\w+) minutes", loaded.about)
    assert said, loaded.about
    rendered = plans.prepare(loaded, settings).timeline.seconds()
    estimated, exact = plans.planned_seconds(loaded, unrendered(settings, tmp_path))
    assert not exact  # what `list` says before anything is rendered
    for seconds in (rendered, estimated):
        assert abs(NUMBERS[said.group(1)] * 60 - seconds) <= 60, seconds


def unrendered(settings, tmp_path: Path):
    """The settings with an empty speech cache: `list` then estimates every line."""
    return replace(settings, paths=replace(settings.paths, cache=tmp_path / "empty"))


def test_shipped_short_session_is_short_in_all_as_list_counts_it(settings, tmp_path):
    loaded = routine.load(library.shipped_folder() / f"{SHORT}.toml")
    low, high = SHORT_SESSION
    for config in (settings, unrendered(settings, tmp_path)):  # exact once rendered, estimated
        seconds, _ = plans.planned_seconds(loaded, config)
        assert low * 60 <= seconds <= high * 60, seconds
    plans.prepare(loaded, settings)
    assert plans.planned_seconds(loaded, settings)[1]  # the first loop saw it exact, or now
    assert "a few times a week" in loaded.title  # the article's words for how often
    assert "everyday" not in loaded.title.lower()
    for side in loaded.sides:  # one pass a side: one hold on a tender spot
        tender = [s for s, played, _ in timeline.played_steps(loaded) if played == side]
        assert len([s for s in tender if s.hold and TENDER.search(s.say)]) == 1
    assert not [s for s in loaded.steps if s.wait and "warm" in s.say]  # no warm-up to wait for


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_holds_follow_the_article(path):
    loaded = routine.load(path)
    tender = [s.hold for s in loaded.steps if s.hold and TENDER.search(s.say)]
    assert len(tender) >= (1 if loaded.id == SHORT else 3)  # the short session: one pass
    low, high = (30, 60) if "ball" in loaded.title else (20, 30)
    if loaded.id == FIRST_TIME:
        low = high = 20
        assert "cross" not in words(" ".join(s.say for s in loaded.steps))
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
def test_shipped_routine_every_line_the_player_says_is_short(path):
    loaded = routine.load(path)
    lines = timeline.speech_texts(loaded)  # cues, recaps, intro, stop note, reminder, announce
    for line in (intro.BUTTON, intro.BUTTON_SHORT, timeline.STOP_NOTE, timeline.REMINDER):
        assert line in lines
    assert timeline.announce(loaded) in lines and set(cues(loaded)) <= set(lines)
    outside = (*joining.lines(), fallback_line(device=True, voice=True))  # the longest at start
    for line in (*lines, *outside):
        assert len(line.split()) <= MAX_WORDS, line


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_no_cue_on_a_tender_spot_asks_for_pressure_to_build(path):
    for cue in cues(routine.load(path)):
        if TENDER.search(cue) and cue.startswith("If "):  # a hold on a spot, if one was found
            assert not BUILD.search(cue.lower()), cue
            assert EASES in cue, cue  # the hold ends as the ache eases, or at the chime


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_resume_line_in_a_hold_on_a_tender_spot_says_what_to_do(path):
    for step, side, other in timeline.played_steps(routine.load(path)):
        if step.hold and TENDER.search(step.say):
            line = timeline.recap(step, side, other, said=True)
            assert line == f"The {side} side. {step.cue(side, other)}", line


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_says_the_limit_on_one_spot_once_before_the_first_side(path):
    loaded = routine.load(path)
    limit = [s for s in loaded.steps if "bruise" in s.say]
    assert len(limit) == 1 and not limit[0].each_side, limit
    assert "eases" in limit[0].say and "whichever comes first" in limit[0].say
    assert limit[0] in opening(loaded)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_finds_a_new_spot_only_after_searching(path):
    played = [s for s, _, _ in timeline.played_steps(routine.load(path)) if s.hold]
    for before, step in itertools.pairwise(played):
        if "another tender spot" in step.say:
            assert "search" in before.say or "different part" in before.say, step.number


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_explains_the_chimes_before_the_first_hold(path):
    loaded = routine.load(path)
    played = [s for s, _, _ in timeline.played_steps(loaded)]
    first_hold = next(i for i, s in enumerate(played) if s.hold)
    explained = [s for s in played[:first_hold] if "notes" in s.say]
    assert explained, "no cue explains the chimes before the first hold"
    said = explained[0].say
    holds = [s for s in loaded.steps if s.hold]
    assert said_notes(said, "start") == notes(chimes.DESIGNS["hold_start"], rising=True)
    assert said_notes(said, "end") == notes(chimes.DESIGNS["hold_end"], rising=False)
    if any(s.chimes.halfway for s in holds):
        assert "One note alone is halfway, not the end" in said
        assert len(chimes.DESIGNS["halfway"].notes) == 1
    if any(s.chimes.countdown for s in holds):
        assert "Ticks count the last seconds" in said


COUNTS = {"one": 1, "two": 2, "three": 3}


def said_notes(cue: str, what: str) -> tuple[int, bool]:
    """How many notes, rising or not, the cue says mark a hold's `what` ("start" or "end")."""
    found = re.search(rf"(\w+) (rising|falling) notes {what}", cue, re.IGNORECASE)
    assert found, (what, cue)
    return COUNTS[found.group(1).lower()], found.group(2) == "rising"


def notes(design: chimes.Design, rising: bool) -> tuple[int, bool]:
    """A chime's notes as a listener hears them: how many, and whether they rise."""
    pitches = [n.hz for n in design.notes]
    assert pitches == sorted(pitches, reverse=not rising)
    return len(pitches), rising


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_gives_one_pain_limit_and_leaves_the_tool_before_the_long_press(path):
    loaded = routine.load(path)
    limit = [s.say for s in loaded.steps if "sharp" in s.say.lower()]
    assert len(limit) == 2 and all(intro.PAIN in c.lower() for c in limit), limit
    assert "Achy is fine" in limit[0]
    stop = limit[1]
    assert f"{COME_OFF[loaded.id]}, then hold the button down" in stop, stop
    assert loaded.steps[0].say.startswith("Before anything else")  # nothing physical before
    assert "see a professional before" in loaded.steps[0].say
    for needle in ("numbness", "tingling", "pain down a leg"):
        assert needle in loaded.steps[0].say


def test_player_lines_give_the_same_pain_limit_and_come_off_the_pressure_first():
    for line in (intro.BUTTON, intro.BUTTON_SHORT):
        assert f"{intro.PAIN.capitalize()}? Come off the pressure, then hold" in line, line
    assert timeline.STOP_NOTE.startswith("Come off the pressure")
    assert "see a professional" in timeline.STOP_NOTE


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_set_up_can_be_followed_without_seeing(path):
    loaded = routine.load(path)
    text = " ".join(s.say for s in loaded.steps)
    if "roller" in loaded.title or "floor" in loaded.title:
        assert "Lay a mat on the floor" in text
    if "roller" in loaded.title:
        assert "feet flat on the mat" in text and "move slowly, a short way at a time" in text
    if "wall" in loaded.title:
        assert "Balance comes first" in text and "hand flat on the wall" in text
        knees = [s.say for s in loaded.steps if "bend your knees" in s.say]
        assert knees and all(s.startswith("Eyes open") for s in knees)
    if loaded.id == FIRST_TIME:
        assert "spare your wrists" in text and "wrists tire" in text
    assert re.search(
        r"free to (find|press) it|button in (your other|one) hand|with the other", text
    )


def test_shipped_first_time_is_light_all_the_way_through():
    loaded = routine.load(library.shipped_folder() / f"{FIRST_TIME}.toml")
    for step in loaded.steps:
        if step.each_side:
            assert not BUILD.search(step.say.lower()), step.number


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_words_mean_one_thing(path):
    """A single press pauses, so "once" never means "when"; "pause" and "press" are the
    button's, never something done to a muscle."""
    loaded = routine.load(path)
    for step in loaded.steps:
        said = words(step.say)
        assert "once" not in said, step.number
        assert "pause" not in said, step.number
        if "press" in said:
            assert "press the button" in step.say.lower() or "to press" in step.say, step.number
    for line in (intro.BUTTON, intro.BUTTON_SHORT):
        assert re.findall(r"\w+ once", line.lower()) in ([], ["button once"]), line


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_says_where_to_work_in_one_way(path):
    text = " ".join(s.say for s in routine.load(path).steps)
    assert "upper, outer part of" in text and re.search("top rim of (the|your) pelvis", text)
    assert "hip bone" not in text


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_routine_opening_gives_each_safety_rule_its_own_cue(path):
    loaded = routine.load(path)
    steps = opening(loaded)
    warm = [s for s in steps if "warm" in s.say]
    assert warm
    if loaded.id != SHORT:  # the short session is for after a walk or a shower
        assert warm[0].wait and "press the button when you are warm" in warm[0].say.lower()
    assert steps[-1].wait  # settled in position before the first side

    def one(*needles: str) -> routine.Step:
        (found,) = [s for s in steps if all(n in s.say.lower() for n in needles)]
        return found

    one("ease off")
    one("start gently")
    if loaded.id != SHORT:
        one("water")


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
