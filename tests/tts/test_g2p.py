"""The 표준발음법 pre-pass (espeak `g2p: true`): the core rules, and that it keeps word positions."""
import pytest

from nodes.tts.g2p import pronounce

CASES = [
    ("국민연금을 신청합니다", "궁미년그믈 신청함니다"),    # nasalisation, liaison
    ("같이 갑시다", "가치 갑씨다"),                      # palatalisation, tensing
    ("좋아요 놓고", "조아요 노코"),                      # ㅎ loss, aspiration
    ("입학 축하", "이팍 추카"),
    ("심리 협력 신라 설날", "심니 혐녁 실라 설랄"),         # ㄹ assimilation
    ("학교에 있습니다", "학꾜에 읻씀니다"),
    ("닭이 값을", "달기 갑쓸"),                          # split codas
    ("많다 많아", "만타 마나"),
    ("부엌", "부억"),                                   # coda neutralisation
    ("안녕하세요", "안녕하세요"),
]


@pytest.mark.parametrize("text,said", CASES)
def test_rules(text, said):
    assert pronounce(text) == said


def test_length_and_spaces_kept():
    text = "기초연금은 만 육십오 세 이상 어르신께 드립니다."
    said = pronounce(text)
    assert len(said) == len(text) and [i for i, c in enumerate(said) if c == " "] == [i for i, c in enumerate(text) if c == " "]


def test_espeak_with_g2p_keeps_the_word_timeline():
    from nodes.tts.voice import load
    piece = load("espeak", g2p=True).synthesize("국민연금을 신청합니다.")
    assert [c for _, c in piece.words] == [5, 12] and len(piece.pcm) > 0
