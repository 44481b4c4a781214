"""Text normalisation and the colloquial map (nodes/dialogue/text.py)."""

from nodes.dialogue.text import Analyzer, normalize


def test_normalize_lowercases_and_drops_punctuation():
    assert normalize("KTX  할인?!") == "ktx 할인"


def test_spoken_phone_numbers_add_the_digits():
    a = Analyzer()
    assert a.expand("일 이 구 번은 몇 시까지 해요").split()[-1] == "129"
    assert "109" in a.expand("백구 번에 전화하면 돼요").split()
    assert "129" not in a.expand("일자리 구해요").split()


def test_colloquial_forms_add_the_standard_word_and_keep_the_original():
    a = Analyzer()
    out = a.expand("도서관 카드 맨들고 싶어요")
    assert out.startswith("도서관 카드 맨들고 싶어요") and "만들" in out.split()
