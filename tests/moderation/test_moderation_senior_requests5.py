"""After the fifth blind senior set: a clerk asked for as 아가씨 or 총각 is not a sexual remark
(abuse.yaml model_exclude), and a benefit that may stop when a senior moves in with family or stays
abroad is not elder abuse (crisis.yaml elder_abuse exclude); a remark about a woman's body and family
cutting a senior off stay flagged. The model is not retrained: 20 training rows of this kind moved
unrelated borderline scores across the thresholds, a fire call among them. The sentences are
written for these tests: they are neither training rows nor sentences of the dialogue's senior
sets."""
import pytest

from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def mod():
    return Moderator()


@pytest.mark.parametrize("text", [
    "저 창구 아가씨 좀 불러줘 물어볼 거 있어",
    "총각 좀 불러줘요 이거 우째 쓰는지 모르겠어",
    "딸네 집에 들어가 살면 기초연금 끊기는교",
    "캐나다 사는 아들한테 몇 달 가 있으면 수급비 끊긴다 카던데",
])
def test_ordinary_requests_worded_like_abuse_or_a_crisis_are_allowed(mod, text):
    v = mod.check(text)
    assert v.label == "allow", (text, v.label, v.categories)


def test_a_remark_about_a_clerks_body_is_still_abuse(mod):
    v = mod.check("창구 아가씨 다리 좀 보게 이리 와 봐라")
    assert v.label == "abuse" and "sexual" in v.categories, (v.label, v.categories)


@pytest.mark.parametrize("text", [
    "아들이 생활비를 뚝 끊어 버려서 사흘째 굶고 있어요",
    "딸이 내 연금 통장을 가져가서 한 푼도 안 줘",
])
def test_family_cutting_a_senior_off_is_still_a_crisis(mod, text):
    v = mod.check(text)
    assert v.label == "crisis", (text, v.label, v.categories)
