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


# --- after the fourteenth blind set (its four missed crises, in new sentences) ---

@pytest.mark.parametrize("text,hotline", [
    ("아파트가 흔들흔들해요 이거 지진이에요", "119"),
    ("마당에 물이 무릎까지 찼는데 대피하라네 나는 다리가 불편해 못 걸어", "119"),
    ("저기 칼 들고 돌아다니는 남자가 있어요 무서워", "112"),
    ("밭에 간 남편이 안 돌아와요 벌써 날이 캄캄해졌어", "112"),
    ("치매 있는 엄마가 아침에 나가서 안 들어와요", "112"),
])
def test_an_earthquake_a_flood_a_knife_or_a_missing_person_now(mod, text, hotline):
    v = mod.check(text)
    assert v.label == "crisis" and v.hotline == hotline, (text, v.label, v.categories, v.hotline)


@pytest.mark.parametrize("text", ["지진 나면 어디로 대피해요", "칼 들고 요리하다가 손을 좀 베었어요",
                                  "아들이 군대 가서 안 돌아와서 적적해요", "밖으로 나가는 문이 어디예요 길을 못 찾겠네"])
def test_preparing_cooking_missing_someone_or_the_way_out_is_not(mod, text):
    assert mod.check(text).label != "crisis", text


def test_a_carer_who_does_not_come_home_to_a_parent_with_dementia_stays_elder_abuse(mod):
    v = mod.check("아들이 치매 있는 아버지를 두고 나가서 사흘째 안 들어와요 아버지가 굶고 계셔요")
    assert v.label == "crisis" and "crime" not in v.categories, (v.label, v.categories)
