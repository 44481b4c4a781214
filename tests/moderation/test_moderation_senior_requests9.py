"""After the thirteenth blind senior set (crisis.yaml, 2026-12-06): a bite or sting by a snake or a
hornet, now, is a medical crisis; asking what to do in case of one, or one long past, is not. A clerk
asked to send a person is not abuse (abuse.yaml model_exclude). The sentences are written for these
tests (none is a row of the blind set); the model is not retrained."""
import pytest

from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def mod():
    return Moderator()


@pytest.mark.parametrize("text", ["밭일 하다가 뱀한테 물렸어요 발이 부어 올라", "말벌에 쏘여서 얼굴이 막 부어요",
                                  "우리 영감이 독사한테 물려가지고 어지럽대요"])
def test_a_venomous_bite_or_sting_now_is_a_medical_crisis(mod, text):
    v = mod.check(text)
    assert v.label == "crisis" and "medical" in v.categories, (text, v.label, v.categories)


@pytest.mark.parametrize("text", ["뱀한테 물렸을 때는 어떻게 해요", "작년에 벌에 쏘였는데 지금은 괜찮아요",
                                  "모기한테 물려서 가려워요"])
def test_asking_ahead_or_a_harmless_bite_is_not(mod, text):
    assert mod.check(text).label == "allow", text


def test_a_person_sent_for_is_not_abuse(mod):
    assert mod.check("아가씨 거기 사람 좀 이리 보내 줘요").label != "abuse"
