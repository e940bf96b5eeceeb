"""`routine-player sound-test` through the real mixer on SDL's disk driver."""

from __future__ import annotations

import array
import wave

from player import cli, soundtest
from player.audio import chimes, loudness
from player.core.sounds import CHIMES

LOUD = 300


def segments(samples: array.array, rate: int, gap: float = 0.4) -> list[tuple[int, int]]:
    """(start, end) of each stretch of sound, split at quiet longer than `gap` seconds."""
    found: list[tuple[int, int]] = []
    for i, v in enumerate(samples):
        if abs(v) > LOUD:
            if found and i - found[-1][1] <= gap * rate:
                found[-1] = (found[-1][0], i)
            else:
                found.append((i, i))
    return found


def test_sound_test_plays_a_line_then_each_chime_at_the_volume(disk_audio, write, capsys, settings):
    path = write(
        "c.toml",
        f'[audio]\nvolume = 50\nwake_ms = 0\nsample_rate = 22050\n[paths]\ncache = "{settings.paths.cache}"\n',
    )
    assert cli.main(["sound-test", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "volume 50 of 100" in out and soundtest.LINE in out
    assert [n for n in CHIMES if f"Chime {n} " in out] == list(CHIMES)
    played = array.array("h", disk_audio.read_bytes())
    heard = segments(played, 22050)
    assert len(heard) == 1 + len(CHIMES)  # the line, then each chime on its own
    start, end = heard[1 + CHIMES.index("stop")]
    with wave.open(str(chimes.shipped("stop"))) as w:
        full = max(abs(v) for v in array.array("h", w.readframes(w.getnframes())))
    expected = full * 0.5 * 10 ** (-loudness.HEADROOM_DB / 20)  # volume 50, chime_level 0
    assert abs(max(abs(v) for v in played[start : end + 1]) - expected) <= 0.05 * expected
