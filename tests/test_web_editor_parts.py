"""The routine editor's parts without a server: the TOML writer, drafts and their checks in
check's own words, advice, the phone's folder (versions, whole writes, trash), the library's
third folder and the control socket's new requests."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from player import commands
from player.core import routine
from player.core.errors import RoutineError
from player.routines import library, phone, written
from player.service.control import MAX_REQUEST, parse
from player.web import draft as drafts

SHIPPED = sorted(library.shipped_folder().glob("*.toml"))
DAY = 86400


def same(a: routine.Routine, b: routine.Routine) -> bool:
    return replace(a, source="") == replace(b, source="")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_written_shipped_routine_loads_back_the_same(path):
    loaded = routine.load(path)
    assert same(routine.parse(written.dump(loaded).encode(), str(path)), loaded)


hostile = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@given(title=hostile, say=hostile, side=hostile)
def test_written_any_text_stays_text_and_is_checked_by_the_schema(title, say, side):
    """Whatever is typed, the writer makes valid TOML holding exactly that text: the schema,
    not the syntax, decides."""
    document = {"title": title, "sides": [side], "step": [{"say": say, "each_side": True}]}
    assert tomllib.loads(written.dump_document(document)) == document


def test_draft_copy_of_a_shipped_routine_checks_clean_and_has_a_length(settings):
    loaded = routine.load(SHIPPED[0])
    draft = drafts.from_routine(loaded, "mine")
    checked = drafts.check(draft, settings)
    assert checked.ok and same(checked.loaded, replace(loaded, id="mine"))
    assert checked.length.startswith(("about ", "1", "2"))


def test_draft_problems_are_check_s_own_lines_beside_their_fields(settings, write):
    draft = drafts.from_routine(routine.load(SHIPPED[0]), "mine")
    steps = list(draft.steps)
    steps[2] = replace(steps[2], hold="seventy")
    steps[4] = replace(steps[4], say="")
    draft = replace(draft, title="", steps=tuple(steps), chimes={**draft.chimes, "every": "-1"})
    checked = drafts.check(draft, settings)
    file = write("mine.toml", drafts.to_toml(draft))
    said = commands._routine_problems(file)
    shown = [line for lines in checked.problems.values() for line in lines]
    assert sorted(f"{file}: {line}" for line in shown) == sorted(said)
    assert checked.problems["step-3.hold"] == ['step 3: hold: expected seconds from 1 to 600, found "seventy"']  # fmt: skip
    assert set(checked.problems) == {"title", "step-3.hold", "step-5.say", "chimes.every"}
    assert checked.loaded is None and checked.length == ""


def test_draft_refuses_an_id_that_could_name_a_path(settings):
    for rid in ("../evil", "a/b", "", "UPPER", "x" * 65, ".hidden", "a.toml"):
        checked = drafts.check(replace(drafts.blank(), id=rid, title="T"), settings)
        assert checked.problems["id"][0].startswith("id: expected a routine id"), rid


def test_draft_advice_is_not_an_error(settings):
    long_cue = " ".join(["word"] * 26)
    draft = replace(
        drafts.blank(),
        id="ball",
        title="Ball on the wall",
        steps=(
            drafts.StepDraft(say=long_cue),
            drafts.StepDraft(say="If you found a tender spot, stay on it.", hold="90"),
            drafts.StepDraft(say="If you found a tender spot, stay on it.", hold="45"),
        ),
    )
    checked = drafts.check(draft, settings)
    assert checked.ok
    assert set(checked.advice) == {"step-1.say", "step-2.hold"}
    assert "30-60 s on a tender spot with a massage ball; this is 90 s" in checked.advice["step-2.hold"][0]  # fmt: skip
    roller = drafts.check(replace(draft, title="Foam roller"), settings).advice
    assert "20-30 s" in roller["step-3.hold"][0]  # 45 s is a ball's hold, not a roller's


def test_draft_from_form_and_operations_add_remove_reorder():
    form = {"id": "x", "title": "T", "steps": "3", "step-1.say": "a", "step-2.say": "b"}
    form |= {"step-3.say": "c", "step-2.each_side": "on", "chimes.start": "on"}
    draft = drafts.from_form(form)
    assert [s.say for s in draft.steps] == ["a", "b", "c"] and draft.steps[1].each_side
    assert draft.chimes["start"] is True and draft.chimes["end"] is False
    moved = drafts.operate(draft, "up:3")
    assert [s.say for s in moved.steps] == ["a", "c", "b"]
    assert [s.say for s in drafts.operate(moved, "down:1").steps] == ["c", "a", "b"]
    assert [s.say for s in drafts.operate(draft, "remove:2").steps] == ["a", "c"]
    assert len(drafts.operate(draft, "add").steps) == 4
    for nothing in ("up:1", "down:3", "remove:9", "up:x", "drop"):
        assert drafts.operate(draft, nothing) == draft


def test_draft_more_steps_than_the_bound_is_one_line(settings):
    form = {"id": "many", "title": "T", "steps": str(phone.MAX_STEPS + 50)}
    form |= {f"step-{n}.say": "Breathe." for n in range(1, phone.MAX_STEPS + 51)}
    draft = drafts.from_form(form)
    assert len(draft.steps) == phone.MAX_STEPS + 1
    assert drafts.check(draft, settings).problems[""] == [
        f"expected at most {phone.MAX_STEPS} steps, found {phone.MAX_STEPS + 1}"
    ]
    assert len(drafts.operate(drafts.operate(draft, "remove:1"), "add").steps) == phone.MAX_STEPS


def test_draft_a_cue_over_the_schema_s_length_is_check_s_line(settings):
    draft = replace(drafts.blank(), id="x", title="T", steps=(drafts.StepDraft(say="a" * 1001),))
    assert drafts.check(draft, settings).problems["step-1.say"] == [
        "step 1: say: expected at most 1000 characters, found 1001"
    ]


# The phone's folder --------------------------------------------------------------------------


def store(tmp_path: Path, taken=("upper-glutes-hands",), now=lambda: 1_000_000.0):
    return phone.PhoneRoutines(tmp_path / "phone", lambda: set(taken), now)


TEXT = 'title = "Mine"\n[[step]]\nsay = "Breathe in."\n'


def test_phone_save_writes_the_checked_model_not_the_text(tmp_path):
    kept = store(tmp_path)
    version = kept.save("mine", '# a comment\ntitle = "  Mine  "\n[[step]]\nsay = "a   b"\n', "")
    data = kept.path("mine").read_bytes()
    assert b"comment" not in data and b'title = "Mine"' in data and b'say = "a b"' in data
    assert version == phone.version(data) == kept.current("mine")
    assert oct(kept.path("mine").stat().st_mode & 0o777) == "0o640"


def test_phone_second_save_from_a_stale_version_is_told_and_changes_nothing(tmp_path):
    kept = store(tmp_path)
    first = kept.save("mine", TEXT, "")
    second = kept.save("mine", TEXT.replace("in.", "out."), first)  # phone A saves
    with pytest.raises(ValueError, match="changed since"):
        kept.save("mine", TEXT.replace("in.", "deeply."), first)  # phone B, still on `first`
    with pytest.raises(ValueError, match="by that name already"):
        kept.save("mine", TEXT, "")
    assert kept.current("mine") == second


def test_phone_never_writes_a_shipped_or_own_routine_s_id(tmp_path):
    kept = store(tmp_path)
    with pytest.raises(ValueError, match="may not change"):
        kept.save("upper-glutes-hands", TEXT, "")
    assert not (tmp_path / "phone").exists()


@pytest.mark.parametrize("rid", ["../../etc/passwd", "a/b", "/abs", "..", "x\x00y", "A", 7])
def test_phone_an_id_never_names_a_path_outside_the_folder(tmp_path, rid):
    kept = store(tmp_path)
    for attempt in (lambda: kept.save(rid, TEXT, ""), lambda: kept.delete(rid, "x")):
        with pytest.raises(ValueError, match="expected a routine id"):
            attempt()
    assert list(tmp_path.rglob("*")) == []


def test_phone_a_failed_save_leaves_the_old_file_whole(tmp_path, monkeypatch):
    kept = store(tmp_path)
    kept.save("mine", TEXT, "")
    before = kept.path("mine").read_bytes()

    def full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        kept.save("mine", TEXT.replace("in.", "out."), phone.version(before))
    assert kept.path("mine").read_bytes() == before
    assert [p.name for p in (tmp_path / "phone").iterdir()] == ["mine.toml"]  # no temporary


def test_phone_refuses_what_check_refuses_and_what_is_too_big(tmp_path):
    kept = store(tmp_path)
    with pytest.raises(RoutineError, match="step 1: hold: expected seconds"):
        kept.save("mine", TEXT + "hold = 0\n", "")
    with pytest.raises(ValueError, match=f"at most {phone.MAX_FILE} bytes"):
        kept.save("mine", TEXT + "#" * phone.MAX_FILE, "")
    many = 'title = "T"\n' + '[[step]]\nsay = "a"\n' * (phone.MAX_STEPS + 1)
    with pytest.raises(ValueError, match=f"at most {phone.MAX_STEPS} steps"):
        kept.save("mine", many, "")
    assert not (tmp_path / "phone").exists()


def test_phone_deleted_comes_back_within_30_days_and_not_after(tmp_path):
    clock = [1_000_000.0]
    kept = store(tmp_path, now=lambda: clock[0])
    version = kept.save("mine", TEXT, "")
    with pytest.raises(ValueError, match="changed since"):
        kept.delete("mine", "stale")
    name = kept.delete("mine", version)
    assert kept.current("mine") == "" and [t.id for t in kept.trash()] == ["mine"]
    clock[0] += 29 * DAY
    assert kept.restore(name) == "mine" and kept.current("mine") == version
    name = kept.delete("mine", version)
    clock[0] += 31 * DAY
    assert kept.trash() == []
    with pytest.raises(ValueError, match="deleted in the last 30 days"):
        kept.restore(name)
    kept.save("other", TEXT, "")
    kept.delete("other", kept.current("other"))  # a delete forgets what is older than 30 days
    assert [p.name for p in (tmp_path / "phone" / "trash").iterdir()] == [
        f"other.{int(clock[0])}.toml"
    ]


def test_phone_restore_refuses_a_name_that_is_not_in_the_trash(tmp_path):
    kept = store(tmp_path)
    for name in ("../mine.toml", "mine.1.toml", "x", 3):
        with pytest.raises(ValueError, match="deleted in the last"):
            kept.restore(name)


def test_phone_restore_keeps_a_routine_saved_since_under_the_same_id(tmp_path):
    kept = store(tmp_path)
    name = kept.delete("mine", kept.save("mine", TEXT, ""))
    again = kept.save("mine", TEXT.replace("in.", "out."), "")
    with pytest.raises(ValueError, match="found a routine there now"):
        kept.restore(name)
    assert kept.current("mine") == again and [t.name for t in kept.trash()] == [name]


# The library and the control socket ----------------------------------------------------------


def test_library_reads_the_phone_s_folder_after_the_shipped_and_before_the_own(settings):
    folder = phone.folder(settings)
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text(TEXT)
    (folder / "upper-glutes-hands.toml").write_text(TEXT)  # never in place of a shipped one
    settings.paths.routines.mkdir(parents=True)
    (folder / "both.toml").write_text(TEXT)
    (settings.paths.routines / "both.toml").write_text(TEXT.replace("Mine", "Own"))
    found = {e.id: e for e in library.entries(settings)}
    assert found["mine"].phone and found["mine"].path == folder / "mine.toml"
    assert found["upper-glutes-hands"].shipped
    assert not found["both"].phone
    assert library.fixed_ids(settings) >= {"upper-glutes-hands", "both"} and "mine" not in (
        library.fixed_ids(settings)
    )


def test_control_parses_the_routine_requests_and_bounds_them():
    save = {"command": "save-routine", "routine": "mine", "toml": TEXT, "version": ""}
    assert parse(json.dumps(save).encode())["toml"] == TEXT
    assert parse(b'{"command": "routines"}')["command"] == "routines"
    for bad, said in (
        ({**save, "routine": "../x"}, "expected a routine id"),
        ({**save, "toml": 3}, "TOML text"),
        ({**save, "toml": "x" * (phone.MAX_FILE + 1)}, "TOML text"),
        ({**save, "version": "v" * 101}, "version"),
        ({"command": "restore-routine", "trash": ["x"]}, "trash"),
    ):
        with pytest.raises(ValueError, match=said):
            parse(json.dumps(bad).encode())
    escaped = {**save, "toml": '"' * phone.MAX_FILE}
    assert len(json.dumps(escaped).encode()) < MAX_REQUEST  # the largest routine fits
