"""Whisper base (from PyPI) through the whole path: mic node -> VAD -> end of turn -> STT node.
The model loads once for this module; Whisper calls are few (2 shared cores)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bus.messages import AudioChunk, Utterance
from bus.testing import Harness
from hardware.audio_in import load_audio
from nodes.mic.node import MicNode
from nodes.stt import models
from nodes.stt.node import SttNode
from tests.mic.audio import CLEAN, OTHER, ROOT, cer, transcripts


@pytest.fixture(scope="module")
def stt():
    return Harness(SttNode, {"threads": 2})


def hear(params):
    mic = Harness(MicNode, {"realtime": False, **params})
    assert mic.node.finished.wait(60)
    return [(msg, turn) for o, msg, turn in mic.published if o == "utterance"]


def test_clean_clip_through_mic_vad_and_stt_is_within_10_percent_cer(stt):
    utts = hear({"source": "wav", "files": [CLEAN], "lead_s": 0.5})
    assert len(utts) == 1
    msg, turn = utts[0]
    out = stt.send("utterance", msg, turn=turn)
    assert len(out) == 1
    name, t, ttl = out[0][0], out[0][2], out[0][1]
    assert name == "transcript" and t == turn and ttl.final and ttl.utterance == msg.utterance
    assert cer(transcripts()["ko_male_support_fund.wav"], ttl.text) <= 0.10, ttl.text
    assert ttl.segments and ttl.segments[0]["end"] > ttl.segments[0]["start"]
    assert ttl.avg_logprob > -0.8 and not ttl.low_confidence and 0 < ttl.confidence <= 1


def test_a_long_pause_inside_an_utterance_keeps_both_halves(stt):
    clip = load_audio(CLEAN)
    cut = int(1.74 * 16000)
    pcm = np.concatenate([clip[:cut], np.zeros(int(1.5 * 16000), np.int16), clip[cut:]])
    out = stt.send("utterance", Utterance(pcm, 16000, "u-pause"), turn=7)
    text = out[0][1].text
    assert cer(transcripts()["ko_male_support_fund.wav"], text) <= 0.15, text
    assert out[0][2] == 7


def test_noise_and_silence_give_no_transcript(stt):
    rng = np.random.default_rng(1)
    noise = (rng.standard_normal(16000 * 3) * 1000).astype(np.int16)   # -30 dBFS hiss
    assert stt.send("utterance", Utterance(noise, 16000, "u-noise")) == []
    assert stt.send("utterance", Utterance(np.zeros(32000, np.int16), 16000, "u-silence")) == []


def test_model_resolution_order_and_errors(tmp_path):
    with pytest.raises(models.ModelError, match="does not exist"):
        models.resolve("base", path=str(tmp_path / "nothing"))
    (tmp_path / "m").mkdir()
    with pytest.raises(models.ModelError, match="lacks model.bin"):
        models.resolve("base", path=str(tmp_path / "m"))
    with pytest.raises(models.ModelError, match="models fetch large-v3"):
        models.resolve("large-v3", cache=str(tmp_path))
    joined = models.resolve("base", cache=str(tmp_path))        # from the two PyPI packages, verified
    assert joined == str(tmp_path / "whisper-base") and models.is_model_dir(joined)
    assert os.path.getsize(os.path.join(joined, "model.bin")) == 94371840 + 50845767


def test_run_py_stt_json():
    out = subprocess.run([sys.executable, "run.py", "stt", "--json", OTHER], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(row) >= {"file", "text", "duration_s", "elapsed_s"} and row["file"] == OTHER
    assert abs(row["duration_s"] - 2.79) < 0.05 and row["elapsed_s"] > 0
    assert cer(transcripts()["ko_male_which_stop.wav"], row["text"]) <= 0.25, row["text"]


def test_partial_hypothesis_while_the_senior_speaks():
    h = Harness(SttNode, {"threads": 2, "partial_every_s": 100.0})   # one partial at most in this test
    clip = load_audio(CLEAN)[int(0.3 * 16000):]                       # from the mic's pre-roll on
    out = []
    for i in range(0, 16000 * 2, 320):                               # 2 s, the senior still speaking
        out += h.send("audio", AudioChunk(clip[i:i + 320], 16000, "mic", "u1", i), turn=5)
    assert len(out) == 1
    partial = out[0][1]
    assert partial.final is False and partial.utterance == "u1" and out[0][2] == 5
    assert partial.text.replace(" ", "").startswith("정부")
    final = h.send("utterance", Utterance(clip, 16000, "u1"), turn=5)
    assert final[0][1].final
    assert h.send("audio", AudioChunk(clip[:320], 16000, "mic", "u1", 0, True)) == []   # after the final: none
