"""The TTS node through the fake bus: chunks, timeline, sentences, cache, speed, interrupt."""
import threading
import time

import numpy as np
import pytest

from bus.messages import Reply, Touch
from bus.testing import Harness
from nodes.tts import audio
from nodes.tts.cache import SpeechCache, key
from nodes.tts.node import TtsNode
from nodes.tts.normalize import normalize

TEXT = "기초연금은 만 65세 이상 어르신께 드립니다. 1577-1389로 전화하세요."


def speak(h, text=TEXT, **kw):
    return [c for _, c, _ in h.send("reply", Reply("answer", text, id="r1", **kw))]


@pytest.fixture
def h():
    node = Harness(TtsNode, {"cache": ""})
    yield node
    node.node.teardown()


def test_one_utterance_per_sentence_in_short_chunks(h):
    chunks = speak(h)
    utts = list(dict.fromkeys(c.utterance for c in chunks))
    assert len(utts) == 2
    assert [c.text for c in chunks if c.final] == ["기초연금은 만 65세 이상 어르신께 드립니다.", "1577-1389로 전화하세요."]
    assert [c.last for c in chunks].count(True) == 1 and chunks[-1].last and chunks[-1].final
    for u in utts:
        mine = [c for c in chunks if c.utterance == u]
        assert [c.final for c in mine] == [False] * (len(mine) - 1) + [True]
        pos = 0
        for c in mine:                                  # contiguous samples from 0
            assert c.sample == pos and c.rate == 22050 and c.voice == "espeak" and c.reply == "r1"
            pos += len(c.pcm)
        assert all(0.1 <= len(c.pcm) / c.rate <= 0.2 for c in mine[:-1])


def test_timeline_covers_the_chunk_and_maps_words_to_the_original(h):
    chunks = speak(h)
    for c in chunks:
        span = (c.sample, c.sample + len(c.pcm))
        assert all(span[0] <= s < span[1] or c.final for s in c.ph_start)
        assert np.all(c.ph_end >= c.ph_start) and len(c.ph_id) == len(c.ph_start)
        assert all(0 <= i < len(c.phones) for i in c.ph_id)
    first = [c for c in chunks if c.text.startswith("기초")]
    ends = np.concatenate([c.word_end_char for c in first]).tolist()
    words = [first[0].text[:e].split()[-1] for e in ends]
    assert words[0] == "기초연금은" and words[-1] == "드립니다." and ends == sorted(ends)
    assert "65세" in words                               # 육십오 세 maps back to what the screen shows
    second = [c for c in chunks if c.text.startswith("1577")]
    assert np.concatenate([c.word_end_char for c in second]).tolist()[-1] == len(second[0].text)


def test_loudness_is_normalised(h):
    pcm = np.concatenate([c.pcm for c in speak(h)])
    assert abs(audio.rms_dbfs(pcm) - audio.TARGET_DBFS) < 3.0
    assert np.abs(pcm.astype(np.int32)).max() < 32767


def test_pause_between_sentences(h):
    chunks = speak(h)
    first = np.concatenate([c.pcm for c in chunks if c.text.startswith("기초")])
    tail = first[-int(0.25 * 22050):]
    assert np.abs(tail.astype(np.int32)).max() < 200      # the end of sentence one is quiet


def test_slower_reply_and_touch(h):
    def seconds(chunks):
        return sum(len(c.pcm) for c in chunks) / 22050
    normal = seconds(speak(h, "천천히 말씀드릴게요."))
    slow = seconds(speak(h, "천천히 말씀드릴게요.", rate=0.7))
    h.send("touch", Touch("slower"))
    slower = seconds(speak(h, "천천히 말씀드릴게요."))
    assert slow > normal * 1.2 and slower > normal * 1.1
    h.send("touch", Touch("home"))
    assert abs(seconds(speak(h, "천천히 말씀드릴게요.")) - normal) < 0.05


def test_cache_first_then_live(tmp_path):
    from nodes.tts.voice import load
    cache = SpeechCache(str(tmp_path))
    voice = load("espeak")
    sentence = "기초연금은 만 65세 이상 어르신께 드립니다."
    piece = voice.synthesize(normalize(sentence).text, 0.85)
    cache.put(sentence, piece, voice.rate, "espeak")
    h = Harness(TtsNode, {"cache": str(tmp_path)})
    chunks = speak(h)
    assert [c.voice for c in chunks if c.final] == ["cache:espeak", "espeak"]
    assert sum(len(c.pcm) for c in chunks if c.voice.startswith("cache")) >= len(piece.pcm)
    # a slower request does not take the cached normal-speed audio
    assert {c.voice for c in speak(h, rate=0.7)} == {"espeak"}
    # an edited text misses: stale, never the old words
    assert key(sentence) != key("기초연금은 만 66세 이상 어르신께 드립니다.")
    assert key(sentence) == key("기초연금은  만 65세 이상 어르신께 드립니다.")
    h.node.teardown()


def test_interrupt_stops_synthesis(h):
    text = " ".join(["국민연금공단에 전화하시면 자세히 알려 드립니다."] * 30)
    full = len(speak(h, text))
    h.published = []
    worker = threading.Thread(target=h.send, args=("reply", Reply("answer", text, id="x")))
    worker.start()
    while not h.published:
        time.sleep(0.0005)
    h.interrupt_now("barge_in")
    worker.join(2.0)
    assert not worker.is_alive()          # how fast: `run.py bench tts` (tts_stop_ms)
    assert len(h.published) < full / 2 and not any(c.last for _, c, _ in h.published)


def test_check_names_the_problem():
    assert "unknown TTS backend 'nope'" in TtsNode.check(TtsNode.Params(backend="nope"))[0]
    assert TtsNode.check(TtsNode.Params(backend="jets"))          # jets needs its files
    assert TtsNode.check(TtsNode.Params()) == []
