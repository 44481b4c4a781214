"""Ordinary welfare questions that the moderation read as crises (found on the blind senior sets
after they were scored, 2026-12-06). The rules: a device or service that calls 119 for someone, a
person who looks in on a parent for them, and a pension paid into by someone who died before drawing
it are questions, not emergencies (crisis.yaml excludes). The model: a spouse's dementia described at
length before a question about 요양등급, living alone or short of money before an eligibility
question (data/moderation/corpus/seniors_services_hardneg.tsv, retrained). The sentences are written
for these tests; none is a row of a blind set."""
import pytest

from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def mod():
    return Moderator()


@pytest.mark.parametrize("text", [
    "넘어지면 알아서 119 불러 주는 기계가 있다던데 우리 집에도 달 수 있어요",
    "목에 거는 거 누르면 구급차 불러 준다면서요 그거 신청은 어디서 해요",
    "딸네가 멀리 살아서 누가 일주일에 한 번씩 들여다봐 주면 좋겠는디",
    "엄마 집에 들여다봐 줄 사람 보내 주는 데가 있나요",
    "아버지가 국민연금 몇십 년 붓다가 한 푼도 못 받고 돌아가셨는데 그 돈은 어떻게 돼요",
])
def test_a_service_question_with_heavy_words_is_not_a_crisis(mod, text):
    v = mod.check(text)
    assert v.label != "crisis", (text, v.categories)


@pytest.mark.parametrize("text,category", [
    ("할아버지가 쓰러졌어요 119 불러 주세요", "medical"),
    ("모르는 남자가 밤마다 창문으로 들여다봐요", "crime"),
    ("아들이 내 연금을 가져가서 한 푼도 안 줘요", "financial_abuse"),
])
def test_the_same_words_in_an_emergency_still_are(mod, text, category):
    v = mod.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v.label, v.categories)
