"""`render`: the same timeline as `play`, holds exact to the frame, byte-identical every time."""

from __future__ import annotations

import array
import wave

import pytest

from player import cli
from player.audio.mixer import Mixer
from player.audio.sounds import raw_sounds
from player.core import routine
from player.core.sounds import Chime
from player.routines import library, plans


def render(tmp_path, name: str, settings, out: str = "out.wav", *extra: str) -> tuple[int, bytes]:
    conf = tmp_path / "config.toml"
    conf.write_text(f'[paths]\ncache = "{settings.paths.cache}"\n')
    path = tmp_path / out
    code = cli.main(["render", name, "-o", str(path), "--config", str(conf), *extra])
    return code, path.read_bytes() if path.exists() else b""


def frames(data: bytes) -> array.array:
    return array.array("h", data[44:])


@pytest.mark.parametrize(
    "path", sorted(library.shipped_folder().glob("*.toml")), ids=lambda p: p.stem
)
def test_render_length_equals_the_planned_length_list_shows(path, tmp_path, settings, capsys):
    code, _ = render(tmp_path, path.stem, settings)
    assert code == 0
    with wave.open(str(tmp_path / "out.wav")) as w:
        rate = settings.audio.sample_rate
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, rate)
        length = w.getnframes()
    seconds, exact = plans.planned_seconds(routine.load(path), settings)
    assert exact and seconds == length / rate


def test_render_twice_is_byte_identical_and_never_overwrites(tmp_path, settings, capsys):
    _, first = render(tmp_path, "upper-glutes-hands", settings, "a.wav")
    _, second = render(tmp_path, "upper-glutes-hands", settings, "b.wav")
    assert first == second and len(first) > 1_000_000
    code, _ = render(tmp_path, "upper-glutes-hands", settings, "a.wav")
    assert code == 1 and "use --force to replace it" in capsys.readouterr().err
    assert render(tmp_path, "upper-glutes-hands", settings, "a.wav", "--force")[0] == 0


def test_render_holds_are_exact_to_the_frame(tmp_path, settings, monkeypatch):
    code, data = render(tmp_path, "upper-glutes-foam-roller", settings)
    assert code == 0
    samples = frames(data)
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    mixer = Mixer(settings.audio)
    try:
        prepared = plans.prepare(
            routine.load(library.locate("upper-glutes-foam-roller", settings)), settings
        )
        tl = prepared.timeline
        raw = raw_sounds(prepared.timeline, prepared.files, mixer)
    finally:
        mixer.close()
    assert len(samples) == tl.length
    for entry in tl.entries:  # every sound, exactly where planned
        assert samples[entry.start : entry.end].tobytes() == raw[entry.sound]
    for hold in tl.holds:  # inside a hold: the planned chimes and silence, nothing else
        chimes = [
            e for e in tl.entries if isinstance(e.sound, Chime) and hold.start <= e.start < hold.end
        ]
        quiet = bytearray(samples[hold.start : hold.end].tobytes())
        for e in chimes:
            quiet[(e.start - hold.start) * 2 : (min(e.end, hold.end) - hold.start) * 2] = bytes(
                (min(e.end, hold.end) - e.start) * 2
            )
        assert not any(quiet), hold
        assert round((hold.end - hold.start) / tl.rate, 3) in {20, 25, 30, 45, 60}


def test_render_an_unknown_routine_is_one_line(tmp_path, settings, capsys):
    code, _ = render(tmp_path, "no-such-routine", settings)
    assert code == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("no-such-routine: expected a routine id or a .toml file, found neither")
