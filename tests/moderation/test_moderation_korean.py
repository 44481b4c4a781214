"""Normalisation keeps original offsets while undoing spelling evasions."""
from nodes.moderation import korean


def test_split_jamo_is_composed_with_original_span():
    n = korean.normalize("ㅅㅣ발 뭐야")
    assert n.text.startswith("시발")
    assert n.span(0, 2) == (0, 3)


def test_latin_vowel_lookalike_after_consonant():
    assert korean.normalize("ㅅl발").text == "시발"
    assert korean.normalize("ㅅ1발").text == "시발"


def test_inword_noise_dropped_but_spacing_kept():
    n = korean.normalize("씨1발 진.짜")
    assert n.text == "씨발 진짜"
    assert n.span(0, 2) == (0, 3)


def test_lone_latin_letter_glued_to_hangul_is_a_consonant():
    assert korean.normalize("s발").text == "ㅅ발"
    assert korean.normalize("ss발").text == "ㅆ발"
    assert korean.normalize("ｓ발").text == "ㅅ발"  # full-width


def test_digits_next_to_words_are_kept():
    assert korean.normalize("18세 이상").text == "18세 이상"


def test_nfd_input_is_read_as_syllables():
    import unicodedata
    decomposed = unicodedata.normalize("NFD", "시발")
    assert korean.normalize(decomposed).text == "시발"


def test_leet_replacement_from_lexicon():
    n = korean.normalize("씨8 뭐야", {"씨8": "씨팔"})
    assert n.text == "씨팔 뭐야"
    assert n.span(0, 2) == (0, 2)


def test_compound_consonant_is_two_initials():
    assert korean.normalize("ㅄ").text == "ㅂㅅ"


def test_skeleton_merges_elongation_within_a_word_only():
    assert korean.skeleton(korean.normalize("씨이이발")).text == "씨발"
    assert korean.skeleton(korean.normalize("조오온나")).text == "존나"
    sk = korean.skeleton(korean.normalize("아저씨 이발"))
    assert sk.text == "아저씨이발"
    assert sk.word == [0, 0, 0, 1, 1]


def test_skeleton_span_maps_back_to_original():
    text = "개.새.끼 야"
    sk = korean.skeleton(korean.normalize(text))
    assert sk.text == "개새끼야"
    start, end = sk.span(0, 3)
    assert text[start:end] == "개.새.끼"


def test_letter_spaced_elongation_is_merged():
    sk = korean.skeleton(korean.normalize("시 이 발 뭐야"))
    assert sk.text == "시발뭐야"
    assert sk.word[:2] == [0, 1]          # 시 and 발 stay in different words (letter spacing)
    assert sk.span(0, 2) == (0, 5)


def test_lengthening_letter_inside_a_longer_word_is_not_merged():
    # "이" after a two-letter word, or before more letters, is an ordinary word.
    assert korean.skeleton(korean.normalize("가시 이 발")).text == "가시이발"
    assert korean.skeleton(korean.normalize("시 이발")).text == "시이발"


def test_romanised_syllable_glued_to_hangul_is_read_as_hangul():
    m = korean.normalize("시bal 짜증나")
    assert m.text == "시발 짜증나"
    assert m.span(1, 2) == (1, 4)                     # 발 came from "bal"
    assert korean.normalize("global 시장").text == "global 시장"   # not glued: left alone
    assert korean.normalize("bal").text == "bal"


def test_leet_digit_standing_alone_after_a_space():
    leet = {"씨8": "씨팔", "시8": "시팔"}
    m = korean.normalize("씨 8 진짜", leet)
    assert m.text == "씨 팔 진짜" and m.span(2, 3) == (2, 3)
    assert korean.normalize("김씨 8시에", leet).text == "김씨 8시에"       # digit not alone
    assert korean.normalize("수박씨 8개", leet).text == "수박씨 8개"
    assert korean.normalize("씨 88", leet).text == "씨 88"                # other digits
