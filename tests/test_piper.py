"""A Piper voice end to end, with a tiny model built here (tests/piperkit.py): Piper's real
loader and phonemizer in our speech child, the cache, `render`, `voices` and the daemon.

piper-tts is an optional extra for people, but not for these tests: `make test` installs it.
Where it cannot be installed (a 32-bit system) they fail and say so, never skip.
"""

from __future__ import annotations

import array
import json
import logging
import wave
from pathlib import Path

import pytest

from player import cli, config
from player.config import VoiceConfig
from player.core import routine
from player.core.events import State
from player.routines import plans
from player.voice import cache as speech
from player.voice import checks as voices
from player.voice import worker
from player.voice.cache import SPEECH_RATE, SpeechCache

from . import piperkit
from .daemonkit import Running
from .test_daemon import daemon_process

LINE = "Lean onto your left side. Then breathe slowly."


@pytest.fixture(scope="session")
def installed() -> None:
    """piper-tts, soxr and onnx, or a failure that says what is missing and why."""
    try:
        import onnx  # noqa: F401
        import piper  # noqa: F401
        import soxr  # noqa: F401
    except ImportError as error:
        pytest.fail(
            f"the Piper tests need piper-tts, soxr and onnx (the dev extra; `make test` "
            f"installs them; piper-tts has wheels for 64-bit systems only): {error}"
        )


@pytest.fixture
def tiny(installed, tmp_path: Path) -> Path:
    """The tiny voice's model, with its .onnx.json beside it."""
    return piperkit.write_voice(tmp_path / "voices")


@pytest.fixture(autouse=True)
def fresh_worker():
    """Each test starts with no speech child, and leaves none."""
    worker.worker.stop()
    yield
    worker.worker.stop()


def piper(model: Path, **settings) -> VoiceConfig:
    return VoiceConfig(engine="piper", model=str(model), **settings)


def samples(path: Path) -> array.array:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SPEECH_RATE)
        return array.array("h", w.readframes(w.getnframes()))


def piper_frames(model: Path, text: str, pause: float = 0.3, length_scale: float = 1.0) -> int:
    """What Piper's own code makes of `text` with this model, at SPEECH_RATE."""
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(model)
    chunks = list(voice.synthesize(text, SynthesisConfig(length_scale=length_scale)))
    native = sum(len(c.audio_float_array) for c in chunks) + round(pause * 16000) * (
        len(chunks) - 1
    )
    return round(native * SPEECH_RATE / 16000)


def write_config(folder: Path, cache: Path, voice: str) -> Path:
    path = folder / "config.toml"
    # a short socket path: under pytest's HOME the default can pass 107 bytes, which the
    # daemon reports (with the voice's problems) before it starts
    path.write_text(f'[voice]\n{voice}\n[paths]\ncache = "{cache}"\ncontrol_socket = "c.sock"\n')
    return path


def test_piper_renders_a_line_through_piper_in_the_child_at_our_rate(tiny, tmp_path):
    cache = SpeechCache(tmp_path / "speech", piper(tiny))
    assert cache.version == "piper-tts 1.8.0" or cache.version.startswith("piper-tts 1.")
    audio = samples(cache.path(LINE))
    assert abs(len(audio) - piper_frames(tiny, LINE)) <= 2  # Piper's phonemes, our pause
    assert 0.8 * 32767 < max(abs(x) for x in audio) <= 0.9 * 32767  # -1 dBFS, not clipped
    assert cache.frames(LINE) == len(audio)
    slower = SpeechCache(tmp_path / "speech", piper(tiny, length_scale=2.0, sentence_pause=0))
    assert abs(len(samples(slower.path(LINE))) - piper_frames(tiny, LINE, 0, 2.0)) <= 2


def test_piper_sentence_pause_and_speaker_change_the_sound(installed, tmp_path):
    model = piperkit.write_voice(tmp_path / "voices", speakers=3)
    folder = tmp_path / "speech"
    plain = samples(SpeechCache(folder, piper(model, sentence_pause=0)).path(LINE))
    paused = samples(SpeechCache(folder, piper(model, sentence_pause=1.0)).path(LINE))
    assert abs(len(paused) - len(plain) - SPEECH_RATE) <= 2  # two sentences, one pause
    named = samples(SpeechCache(folder, piper(model, speaker="speaker_2")).path(LINE))
    numbered = samples(SpeechCache(folder, piper(model, speaker=2)).path(LINE))
    first = samples(SpeechCache(folder, piper(model)).path(LINE))
    assert named == numbered and named != first and len(named) == len(first)


def test_piper_cache_key_has_engine_model_digest_and_every_setting(tiny, tmp_path):
    base = SpeechCache(tmp_path, piper(tiny))
    espeak = SpeechCache(tmp_path, VoiceConfig(), version="v")
    assert espeak.sound() == ["en-us", "160"]  # eSpeak's keys are what they were
    others = [
        piper(tiny, length_scale=1.1),
        piper(tiny, sentence_pause=0.5),
        piper(piperkit.write_voice(tmp_path / "other", speakers=2), speaker=1),
    ]
    keys = {base.key(LINE), *(SpeechCache(tmp_path, v).key(LINE) for v in others)}
    assert len(keys) == 4
    settings = Path(f"{tiny}.json")
    settings.write_text(settings.read_text().replace('"noise_w": 0.8', '"noise_w": 0.5'))
    assert SpeechCache(tmp_path, piper(tiny)).key(LINE) != base.key(LINE)  # same model file
    tiny.write_bytes(piperkit.model_bytes(speakers=2))  # a new model under the old name
    assert SpeechCache(tmp_path, piper(tiny)).key(LINE) not in keys


def test_piper_switching_back_to_espeak_renders_nothing_again(tiny, tmp_path):
    folder = tmp_path / "speech"
    spoken = SpeechCache(folder, VoiceConfig()).path(LINE)
    stamp = spoken.stat().st_mtime_ns
    neural = SpeechCache(folder, piper(tiny)).path(LINE)
    again = SpeechCache(folder, VoiceConfig()).path(LINE)
    assert again == spoken and again.stat().st_mtime_ns == stamp and neural != spoken
    assert len(list(folder.iterdir())) == 2


def test_piper_render_of_a_shipped_routine_matches_list_and_holds_are_exact(
    tiny, tmp_path, settings, capsys
):
    # at the speech cache's own rate, so that Piper's samples land in the render unresampled
    voice = f'engine = "piper"\nmodel = "{tiny}"\n[audio]\nsample_rate = {speech.SPEECH_RATE}'
    conf = write_config(tmp_path, settings.paths.cache, voice)
    out = tmp_path / "hands.wav"
    assert cli.main(["render", "upper-glutes-hands", "-o", str(out), "--config", str(conf)]) == 0
    loaded = config.load(conf)
    shipped = routine.load(next(p for p in _shipped() if p.stem == "upper-glutes-hands"))
    seconds, exact = plans.planned_seconds(shipped, loaded)
    with wave.open(str(out)) as w:
        length = w.getnframes()
        audio = array.array("h", w.readframes(length))
    assert exact and seconds == length / speech.SPEECH_RATE
    plan = plans.prepare(shipped, loaded).timeline
    assert plan.length == length and plan.holds
    for hold in plan.holds:  # a hold is exact to the frame: nothing spoken inside it
        inside = [e for e in plan.entries if hold.start <= e.start < hold.end]
        assert all(type(e.sound).__name__ == "Chime" for e in inside), hold
    title = speech.SpeechCache(loaded.paths.cache / "speech", loaded.voice).cached(shipped.title)
    first = next(e for e in plan.entries if type(e.sound).__name__ == "Speech")  # after wake_ms
    assert audio[first.start : first.start + 1000] == samples(title)[:1000]  # Piper's line
    cli.main(["list", "--config", str(conf)])
    listed = next(
        line for line in capsys.readouterr().out.splitlines() if "upper-glutes-hands " in line
    )
    assert f"{round(seconds) // 60}:{round(seconds) % 60:02d}" in listed and "~" not in listed


def _shipped() -> list[Path]:
    from player.routines import library

    return sorted(library.shipped_folder().glob("*.toml"))


def test_piper_voices_command_says_engine_model_digest_and_that_it_loads(tiny, tmp_path, capsys):
    import hashlib

    conf = write_config(
        tmp_path, tmp_path / "cache", f'engine = "piper"\nmodel = "voices/{tiny.name}"'
    )
    assert cli.main(["voices", "--config", str(conf)]) == 0
    out = capsys.readouterr().out
    assert f"Engine: Piper (piper-tts, GPL-3.0), model {tiny}" in out
    assert hashlib.sha256(tiny.read_bytes()).hexdigest() in out
    assert out.endswith("It loads and is ready to speak.\n")
    assert cli.main(["voices", "--config", str(write_config(tmp_path, tmp_path, ""))]) == 0
    assert "Engine: eSpeak NG, voice en-us, 160 words a minute." in capsys.readouterr().out


def bad(tmp_path: Path, model: Path, how: str) -> None:
    settings = Path(f"{model}.json")
    if how == "no model file":
        model.unlink()
    elif how == "no settings":
        settings.unlink()
    elif how == "broken settings":
        settings.write_text('{"audio": ')
    elif how == "not ONNX":
        model.write_text("this is a text file, not a voice")
    elif how == "ONNX but not a voice":
        model.write_bytes(piperkit.not_a_voice())
    elif how in ("sample rate", "phoneme type"):
        data = json.loads(settings.read_text())
        data |= (
            {"audio": {"sample_rate": 4000}} if how == "sample rate" else {"phoneme_type": "pinyin"}
        )
        settings.write_text(json.dumps(data))


CASES = {
    "no model file": "{model}: expected a Piper voice file, found: No such file or directory",
    "no settings": "{model}.json: expected the voice's settings beside its model, found no such file (download both files)",
    "broken settings": "{model}.json: expected the voice's settings as JSON, found: Expecting value: line 1 column 11 (char 10)",
    "not ONNX": "{model}: expected an ONNX model Piper can load, found: [ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from {model} failed:Protobuf parsing failed.",
    "ONNX but not a voice": "{model}: expected a Piper voice (inputs input, input_lengths, scales), found inputs x",
    "sample rate": "{model}.json: audio.sample_rate: expected a sample rate from 8000 to 48000 Hz, found 4000",
    "phoneme type": '{model}.json: phoneme_type: expected "espeak" or "text", found \'pinyin\'',
}


@pytest.mark.parametrize("how", CASES)
def test_piper_each_bad_voice_is_one_line_for_voices_render_and_the_daemon(
    how, tiny, tmp_path, capsys
):
    bad(tmp_path, tiny, how)
    conf = write_config(tmp_path, tmp_path / "cache", f'engine = "piper"\nmodel = "{tiny}"')
    expected = [CASES[how].format(model=tiny)]
    assert cli.main(["voices", "--config", str(conf)]) == 1
    assert capsys.readouterr().err.splitlines() == expected
    out = tmp_path / "out.wav"
    assert cli.main(["render", "upper-glutes-hands", "-o", str(out), "--config", str(conf)]) == 1
    assert capsys.readouterr().err.splitlines() == expected and not out.exists()
    assert tiny.parent.exists()  # nothing a person made is touched
    if how in ("not ONNX", "no settings"):  # one cheap check, one found by loading
        conf.write_text(conf.read_text() + '[player]\nroutine = "upper-glutes-hands"\n')
        proc = daemon_process(conf)  # starts with the basic voice, saying why (issue 25)
        said = [proc.stdout.readline().rstrip("\n")]
        while not said[-1].startswith("ready:"):
            said.append(proc.stdout.readline().rstrip("\n"))
        proc.terminate()
        assert proc.wait(timeout=60) == 0
        assert "using the basic voice: " + expected[0] in said


def test_piper_config_mistakes_are_one_line_each(tiny, tmp_path, capsys, monkeypatch):
    conf = write_config(tmp_path, tmp_path / "cache", 'engine = "piper"')
    assert cli.main(["voices", "--config", str(conf)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f'{conf}: voice.model: expected the path of a Piper voice (.onnx) for engine "piper", found none'
    ]
    conf = write_config(
        tmp_path, tmp_path / "cache", f'engine = "piper"\nmodel = "{tiny}"\nspeaker = "Ann"'
    )
    assert cli.main(["voices", "--config", str(conf)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{tiny}.json: voice.speaker: expected one of this voice's speakers (0 to 0), found 'Ann'"
    ]
    monkeypatch.setattr(voices, "available_bytes", lambda: 60 << 20)  # what /proc says
    conf = write_config(tmp_path, tmp_path / "cache", f'engine = "piper"\nmodel = "{tiny}"')
    assert cli.main(["voices", "--config", str(conf)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{tiny}: expected a voice that fits in the memory free now (about 80 MB with Piper), "
        'found 60 MB free: choose a smaller voice (low or x_low), or voice.engine = "espeak"'
    ]
    real = voices.importlib.util.find_spec
    monkeypatch.setattr(
        voices.importlib.util, "find_spec", lambda name: None if name == "piper" else real(name)
    )
    assert cli.main(["voices", "--config", str(conf)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f'{conf}: voice.engine: expected piper-tts installed for "piper" (pip install '
        "'routine-player[piper]', or sudo make install PIPER=1), found it missing"
    ]


def test_piper_on_a_32_bit_system_the_config_line_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(config.struct, "calcsize", lambda kind: 4)
    monkeypatch.setitem(config.SCHEMA["voice"], "engine", config._engine())
    conf = write_config(tmp_path, tmp_path, 'engine = "piper"')
    with pytest.raises(config.ConfigError) as caught:
        config.load(conf)
    assert caught.value.lines() == [
        f'{conf}: voice.engine: expected "espeak" (Piper runs on 64-bit systems only; '
        'this one is 32-bit), found "piper"'
    ]


def test_piper_daemon_starts_with_the_tiny_voice_and_keeps_it_on_a_bad_reload(
    pins, setup, tiny, caplog
):
    caplog.set_level(logging.INFO, logger="routine-player")
    text = setup.read_text()
    setup.write_text(text + f'[voice]\nengine = "piper"\nmodel = "{tiny}"\n')
    with Running(setup) as run:
        assert run.session.state is State.IDLE
        run.until(lambda: len(run.session.plans) > 1)  # the others, rendered in the background
        cache = SpeechCache(run.daemon.settings.paths.cache / "speech", run.daemon.settings.voice)
        assert cache.cached("Daemon test") is not None  # the title, in Piper's voice
        broken = tiny.with_name("broken.onnx")
        broken.write_text("not a model")
        Path(f"{broken}.json").write_text(Path(f"{tiny}.json").read_text())
        setup.write_text(setup.read_text().replace(tiny.name, broken.name))
        run.daemon.runner.call(run.daemon.reload)
        run.until(lambda: "reload kept the old voice" in caplog.text)
        assert run.daemon.settings.voice.model == str(tiny)
        run.until(lambda: "routines ready" in caplog.text.split("reload kept the old voice")[-1])
        assert len(run.session.plans) > 1
