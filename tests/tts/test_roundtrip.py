"""Round trip: the kiosk speaks a slow Korean sentence (TTS node -> speaker node -> WAV, as the
loudspeaker would get it), the project's STT hears it, and the key words survive.

The STT runs without its hot-word list here: with it, Whisper writes the kiosk's own topic names
into unclear audio, and the key words would "survive" whatever the voice said."""
import time

import numpy as np
import pytest

from bus.messages import Reply
from bus.testing import Harness
from nodes.speaker.node import SpeakerNode
from nodes.tts.audio import read_wav, resample
from nodes.tts.node import TtsNode


@pytest.fixture(scope="module")
def stt():
    from nodes.stt.transcriber import load_backend
    return load_backend("faster_whisper", use_hotwords=False)


def say_and_hear(stt, text, wav, rate=0.8):
    tts = Harness(TtsNode, {"cache": ""})
    chunks = [(c, turn) for _, c, turn in tts.send("reply", Reply("answer", text, rate=rate, id="rt"))]
    tts.node.teardown()
    spk = Harness(SpeakerNode, {"sink": "wav", "path": wav})
    for c, turn in chunks:
        spk.send("speech", c, turn=turn)
    time.sleep(sum(len(c.pcm) for c, _ in chunks) / 22050 + 0.3)
    spk.node.teardown()
    pcm, sr = read_wav(wav)
    pcm = np.concatenate([np.zeros(8000, np.int16), resample(pcm, sr, 16000), np.zeros(8000, np.int16)])
    return stt.transcribe(pcm).text


@pytest.mark.parametrize("text,keys", [
    ("치매안심센터에 전화하세요.", ["안심", "전화"]),
    ("보건소에서 무료로 맞으세요.", ["무료"]),
])
def test_slow_sentence_key_words_survive(stt, tmp_path, text, keys):
    heard = say_and_hear(stt, text, str(tmp_path / "said.wav"))
    assert all(k in heard for k in keys), heard
