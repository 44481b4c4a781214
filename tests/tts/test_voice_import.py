"""voice import with the real recordings in shared/fixtures/speech: aligned with Whisper word
timestamps, stored per sentence, a recording whose words do not match is rejected; the TTS node
then speaks that sentence in the person's voice."""
import os
import shutil

import numpy as np
import pytest

from bus.messages import Reply
from bus.testing import Harness
from nodes.tts.cache import SpeechCache
from nodes.tts.importer import import_dir, jamo
from nodes.tts.listen import Listener
from nodes.tts.node import TtsNode

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEECH = os.path.join(ROOT, "..", "shared", "fixtures", "speech")


@pytest.fixture(scope="module")
def listener():
    return Listener()


def test_import_real_recordings(tmp_path, listener):
    cache = SpeechCache(str(tmp_path))
    results = {r.file: r for r in import_dir(SPEECH, cache, listener)}
    fund = results["ko_male_support_fund.wav"]
    assert fund.ok and fund.cer < 0.1 and len(fund.keys) == 1
    entry = cache.get("정부에서 별도 지원금을 지급하고 있습니다.")
    assert entry.voice == "recording:ko_male_support_fund.wav" and entry.rate == 22050
    starts = [s for s, _ in entry.piece.words]
    assert [c for _, c in entry.piece.words] == [4, 7, 12, 17, 23] and starts == sorted(starts)
    assert 0.5 < (starts[-1] - starts[0]) / entry.rate < len(entry.piece.pcm) / entry.rate
    assert [p for _, p in entry.piece.phones][:4] == ["ㅈ", "ㅓ", "ㅇ", "ㅂ"]
    h = Harness(TtsNode, {"cache": str(tmp_path)})
    chunks = [c for _, c, _ in h.send("reply", Reply("answer", "정부에서 별도 지원금을 지급하고 있습니다.", id="f"))]
    h.node.teardown()
    assert {c.voice for c in chunks} == {"cache:recording:ko_male_support_fund.wav"}
    assert np.array_equal(np.concatenate([c.pcm for c in chunks]), entry.piece.pcm)


def test_a_recording_of_other_words_is_rejected(tmp_path, listener):
    folder = tmp_path / "rec"
    folder.mkdir()
    shutil.copy(os.path.join(SPEECH, "ko_male_support_fund.wav"), folder / "wrong.wav")
    (folder / "transcripts.tsv").write_text("file\ttranscript\nwrong.wav\t치매안심센터는 보건소마다 있습니다.\n", encoding="utf-8")
    cache = SpeechCache(str(tmp_path / "cache"))
    [r] = import_dir(str(folder), cache, listener)
    assert not r.ok and "do not match" in r.reason and r.cer > 0.5
    assert cache.get("치매안심센터는 보건소마다 있습니다.") is None


def test_jamo():
    assert jamo("정부") == ["ㅈ", "ㅓ", "ㅇ", "ㅂ", "ㅜ"] and jamo("있다") == ["ㅣ", "ㅆ", "ㄷ", "ㅏ"]
