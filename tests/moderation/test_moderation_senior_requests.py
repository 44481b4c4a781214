"""Ordinary senior requests that share words with crises are allowed, and crises worded alike still
are crises (corpus/seniors_requests.tsv). The sentences are written for these tests: they are neither
training rows nor sentences of the dialogue's senior sets."""
import pytest

from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def mod():
    return Moderator()


@pytest.mark.parametrize("text", [
    # a care or meal service asked for because of frailty
    "어머니가 누워만 계셔서 집에 와서 돌봐 주는 요양 서비스 받고 싶어요",
    "관절염 때문에 밥을 못 지어 먹는데 반찬 배달 되는교",
    # not keeping up with the machine
    "화면이 빨라서 못 따라가겠다 천천히 좀 해 주이소",
    # something that expires when unused
    "에너지바우처 카드 남은 금액 해 넘어가면 없어지나요",
    # a person instead of the machine
    "기계하고는 얘기 못 하겠다 사람 좀 불러 봐라",
    # left waiting by a companion (the dialogue answers it as a lost senior)
    "며느리가 여기 앉아 기다리라 카고 나갔는데 아직 안 와",
])
def test_ordinary_requests_are_not_crises(mod, text):
    v = mod.check(text)
    assert v.label == "allow", (text, v.categories)


@pytest.mark.parametrize("text,category", [
    ("요양보호사가 우리 아버지를 밀쳐서 넘어지셨어요", "elder_abuse"),
    ("사람 좀 불러 줘 남편이 갑자기 쓰러졌어", "medical"),
    ("다 귀찮다 그냥 없어지고 싶어", "suicide"),
    ("아들이 날 요양원 앞에 두고 가 버렸어 다시 안 온대", "elder_abuse"),
])
def test_crises_worded_alike_are_still_crises(mod, text, category):
    v = mod.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v.label, v.categories)
