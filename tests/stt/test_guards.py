"""The guards against Whisper's inventions, without a model."""
import numpy as np

from nodes.stt.transcriber import Result, Segment, collapse_repeats, guard, is_stock_hallucination

LOUD = (np.random.default_rng(0).standard_normal(16000 * 3) * 3000).astype(np.int16)


def test_repeated_phrase_loops_are_cut_and_flagged():
    text, looped = collapse_repeats("어느 정류장에서 타야 어느 정류장에서 타야 어느 정류장에서 타야 어느 정류장에서 타야")
    assert looped and text == "어느 정류장에서 타야"
    assert collapse_repeats("네네네네네네네네") == ("네", True)
    assert collapse_repeats("기초연금 신청은 어디서 해요") == ("기초연금 신청은 어디서 해요", False)
    r = guard(Result("", [Segment(0, 3, "감사 감사 감사 감사 감사", -0.2, 0.1)]), LOUD)
    assert r.text == "감사" and r.low_confidence


def test_silence_stock_phrases_and_impossible_speed_give_no_text():
    quiet = np.zeros(16000, np.int16)
    assert guard(Result("", [Segment(0, 1, "시청해 주셔서 감사합니다.", -0.3, 0.1)]), quiet).dropped == "too quiet"
    r = guard(Result("", [Segment(0, 3, "시청해주셔서 감사합니다", -0.6, 0.3)]), LOUD)
    assert r.text == "" and r.dropped == "stock subtitle phrase"
    fast = "".join(chr(0xAC00 + 37 * i) for i in range(80))      # 80 distinct syllables in 3 s
    assert guard(Result("", [Segment(0, 3, fast, -0.2, 0.1)]), LOUD).dropped.startswith("too fast")


def test_confident_speech_passes_and_a_spoken_ne_is_kept():
    r = guard(Result("", [Segment(0, 2, " 기초연금 신청하고 싶어요", -0.2, 0.05)]), LOUD)
    assert r.text == "기초연금 신청하고 싶어요" and not r.low_confidence and 0.8 < r.confidence < 0.83
    ne = guard(Result("", [Segment(0, 0.6, "네.", -0.3, 0.1)]), LOUD[:9600])
    assert ne.text == "네."
    unsure = guard(Result("", [Segment(0, 2, "기초 연금", -1.1, 0.2)]), LOUD)
    assert unsure.text and unsure.low_confidence
