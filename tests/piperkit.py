"""A tiny Piper-compatible voice, built here so that tests drive Piper's real loading and
phonemizing code without downloading a voice.

The model takes what Piper feeds a real one (`input`, `input_lengths`, `scales`, and `sid`
when it has several speakers) and gives a tone whose length is 256 samples per phoneme id
times the length scale, so timing is real: more text, or a slower pace, gives more frames.
A speaker's number changes the tone's pitch.
"""

from __future__ import annotations

import json
from pathlib import Path

HOP = 256  # samples per phoneme id at length scale 1


def model_bytes(speakers: int = 1) -> bytes:
    """The ONNX model, serialised."""
    import onnx
    from onnx import TensorProto, helper

    def const(name: str, values: list, kind: int = TensorProto.FLOAT) -> onnx.NodeProto:
        tensor = helper.make_tensor(name + "_value", kind, [len(values)], values)
        return helper.make_node("Constant", [], [name], value=tensor)

    nodes = [
        const("hop", [HOP], TensorProto.INT64),
        const("where_length", [1], TensorProto.INT64),
        const("step", [0.07]),
        # Frames: phoneme ids x HOP x length scale, rounded down.
        helper.make_node("Shape", ["input"], ["shape"]),
        helper.make_node("Gather", ["shape", "where_length"], ["ids"], axis=0),
        helper.make_node("Mul", ["ids", "hop"], ["unscaled"]),
        helper.make_node("Cast", ["unscaled"], ["unscaled_f"], to=TensorProto.FLOAT),
        helper.make_node("Gather", ["scales", "where_length"], ["length_scale"], axis=0),
        helper.make_node("Mul", ["unscaled_f", "length_scale"], ["frames_f"]),
        helper.make_node("Floor", ["frames_f"], ["frames_floor"]),
        helper.make_node("Squeeze", ["frames_floor"], ["frames"]),
        helper.make_node("Constant", [], ["zero"], value=helper.make_tensor("z", 1, [], [0.0])),
        helper.make_node("Constant", [], ["unit"], value=helper.make_tensor("u", 1, [], [1.0])),
        helper.make_node("Range", ["zero", "frames", "unit"], ["t"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
    ]
    if speakers > 1:
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
        nodes += [
            const("one", [1]),
            helper.make_node("Cast", ["sid"], ["sid_f"], to=TensorProto.FLOAT),
            helper.make_node("Add", ["sid_f", "one"], ["pitch"]),
            helper.make_node("Mul", ["step", "pitch"], ["rate"]),
        ]
    else:
        nodes.append(helper.make_node("Identity", ["step"], ["rate"]))
    nodes += [
        helper.make_node("Mul", ["t", "rate"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["tone"]),
        const("shape_out", [1, 1, -1], TensorProto.INT64),
        helper.make_node("Reshape", ["tone", "shape_out"], ["output"]),
    ]
    output = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "frames"])
    graph = helper.make_graph(nodes, "tiny-piper", inputs, [output])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def voice_config(speakers: int = 1, sample_rate: int = 16000) -> dict:
    """The voice's `.onnx.json`, with Piper's own phoneme map for eSpeak voices."""
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    names = {f"speaker_{n}": n for n in range(speakers)} if speakers > 1 else {}
    return {
        "audio": {"sample_rate": sample_rate, "quality": "x_low"},
        "espeak": {"voice": "en-us"},
        "inference": {"noise_scale": 0.667, "length_scale": 1, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": 256,
        "num_speakers": speakers,
        "speaker_id_map": names,
        "piper_version": "1.0.0",
    }


def write_voice(folder: Path, name: str = "tiny", speakers: int = 1, **config) -> Path:
    """Write `<name>.onnx` and `<name>.onnx.json` into `folder`; return the model's path."""
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / f"{name}.onnx"
    model.write_bytes(model_bytes(speakers))
    settings = voice_config(speakers) | config
    Path(f"{model}.json").write_text(json.dumps(settings), encoding="utf-8")
    return model


def not_a_voice() -> bytes:
    """A valid ONNX model that is not a Piper voice: one input, `x`."""
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "other", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()
