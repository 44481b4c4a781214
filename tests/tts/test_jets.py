"""JETS: the real ESPnet loading and synthesis code, on a tiny random model built by the test."""
import numpy as np
import pytest

from bus.messages import Reply
from bus.testing import Harness
from tests.tts.jets_model import build


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return build(str(tmp_path_factory.mktemp("jets")))


def test_jets_voice_synthesises_with_a_timeline(model):
    from nodes.tts.voice import load
    config, weights = model
    voice = load("jets", train_config=config, model_file=weights)
    assert voice.rate == 22050 and voice.hop == 256
    piece = voice.synthesize("안녕하세요 기초연금 신청.")
    assert piece.pcm.dtype == np.int16 and len(piece.pcm) > 0
    starts = [s for s, _ in piece.phones]
    assert starts == sorted(starts) and all(0 <= s < len(piece.pcm) for s in starts)
    assert all(p == "_" or "\u3131" <= p <= "\u318e" for _, p in piece.phones)   # compatibility jamo
    assert [c for _, c in piece.words] == [5, 10, 14][:len(piece.words)]


def test_tts_node_with_jets(model, tmp_path):
    from nodes.tts.node import TtsNode
    config, weights = model
    assert TtsNode.check(TtsNode.Params(backend="jets", voice={"train_config": config, "model_file": "/nope"}))
    h = Harness(TtsNode, {"backend": "jets", "voice": {"train_config": config, "model_file": weights}, "cache": ""})
    out = h.send("reply", Reply("answer", "안녕하세요. 반갑습니다.", id="r"))
    chunks = [c for _, c, _ in out]
    assert {c.voice for c in chunks} == {"jets"} and chunks[-1].last and sum(c.final for c in chunks) == 2
