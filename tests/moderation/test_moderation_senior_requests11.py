"""A goodbye in dialect and a question about a protection agency that the moderation read as crises
(the fifteenth blind senior set, after its one score, 2026-12-06). The model learnt from
data/moderation/corpus/seniors_talk_hardneg.tsv (farewells and thanks in dialect, disoriented talk,
questions about protection agencies, family at home; and crises said the same way, written blind)
and was retrained. The sentences are written for these tests; none is a row of a blind set."""
import pytest

from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def mod():
    return Moderator()


@pytest.mark.parametrize("text", [
    "됐어 인제 들어갈게 욕봤어",
    "됐소 인자 갈라요",
    "그래 됐다 고마 갈란다 수고했데이",
    "인제 됐수다 들어가 보쿠다 고맙수다",
    "노인 학대 신고하는 기관은 뭐 하는 곳이에요",
    "해바라기센터가 뭐 하는 곳인지 좀 알려 주세요",
])
def test_a_goodbye_or_a_question_about_an_agency_is_not_a_crisis(mod, text):
    v = mod.check(text)
    assert v.label != "crisis", (text, v.categories)


@pytest.mark.parametrize("text,category", [
    ("다 정리했어 인자 영영 갈라요 그동안 욕봤소", "suicide"),
    ("이제 그만 살고 싶어 다 됐어", "suicide"),
    ("옆집 할머니가 아들한테 맞는 것 같아요 노인 학대 신고하려고요", "elder_abuse"),
    ("며느리가 밥을 안 줘요 노인 학대 아닌가요", "elder_abuse"),
    ("아들놈이 또 때릴까 봐 집에 못 들어가겠어요", "family_violence"),
])
def test_the_same_words_in_distress_still_are(mod, text, category):
    v = mod.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v.label, v.categories)
