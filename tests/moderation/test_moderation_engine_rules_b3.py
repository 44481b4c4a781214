"""The second 2026-11-25 rule families (built from the blind3 misses): each general rule on a new
sentence that is not a blind3 row, and innocent look-alikes that must stay allowed."""
import pytest

from nodes.moderation.engine import Moderator
from bus.privacy import mask


@pytest.fixture(scope="module")
def mod():
    return Moderator(use_classifier=False)   # the rules alone; the classifier is tested apart


@pytest.mark.parametrize("text, category", [
    # indirect suicide: a method + what it would bring; farewells; giving things away; a noose
    ("베란다에서 뛰어내리면 다 끝나겠지요", "suicide"),
    ("농약 한 병 마시면 영영 안 깨겠지요", "suicide"),
    ("목 맬 줄을 창고에 숨겨 놨어요", "suicide"),
    ("그동안 정말 고마웠어요 오늘이 마지막이에요", "suicide"),
    ("패물이랑 통장은 다 며느리한테 넘겼어요 이제 마지막이에요", "suicide"),
    ("제가 사라져도 아무도 모를 거예요", "suicide"),
    # medical signs: headache + vision, dizziness + falling, a limb bent wrongly, gas symptoms
    ("머리가 너무 아프고 눈앞이 흐릿해요", "medical"),
    ("어지러워서 일어날 수가 없어요", "medical"),
    ("넘어졌는데 손목이 이상하게 꺾였어요", "medical"),
    ("보일러 가스 냄새가 나고 머리가 아파요", "medical"),
    # a cooker left on at home
    ("가스레인지를 안 끄고 나왔어요", "fire"),
    # neglect and abandonment
    ("며느리가 보일러 꺼 놓고 저 혼자 두고 여행 갔어요", "elder_abuse"),
    ("아들이 어머니를 휴게소에 버려두고 갔어요", "elder_abuse"),
    ("요양원 다녀오시면 아버지 팔에 멍이 들어 있어요", "elder_abuse"),
    ("병원에 데려가 달라고 해도 딸이 안 데려가요", "elder_abuse"),
    # scams in progress without a named official
    ("모르는 번호로 전화 온 사람이 현금 보내래요", "crime"),
    ("아들이라고 문자가 왔는데 상품권 사서 보내 달래요", "crime"),
    # stalking and peeping
    ("누가 자꾸 화장실 창문으로 훔쳐봐요", "crime"),
    ("모르는 남자가 며칠째 집 앞에서 서성거려요", "crime"),
    # sexual violence without touching verbs
    ("싫다고 했는데도 자꾸 끌어안으려고 해요", "sexual_violence"),
    ("찜질방에서 누가 탈의실을 몰래 찍었어요", "sexual_violence"),
    # violence without a named perpetrator; a neighbour's child
    ("집에 들어가면 또 두들겨 맞아요", "family_violence"),
    ("아랫집 아이가 맞는 소리가 들려요", "family_violence"),
    # a relative demanding a sale with shoving; a loan on the speaker's ID number
    ("딸이 집 팔라고 와서 소리 지르고 밀쳐요", "financial_abuse"),
    ("조카가 제 주민번호로 몰래 대출을 받았어요", "financial_abuse"),
])
def test_new_crisis_families(mod, text, category):
    v = mod.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v)


def test_spouse_confinement_is_domestic_violence(mod):
    v = mod.check("남편이 저를 방에 가둬 놓고 못 나가게 해요")
    assert v.categories == ["family_violence"] and v.hotline == "1366", v


def test_family_lock_and_phone_is_not_street_crime(mod):
    v = mod.check("남편이 제 휴대폰 뺏고 문을 잠가요")
    assert "crime" not in v.categories and "family_violence" in v.categories, v


@pytest.mark.parametrize("text", [
    # resolved or checked and found fine
    "아까 가스 냄새가 났는데 밸브 잠그고 나니 이제 괜찮아요",
    "지난주에 어지러워서 병원 가 보니 괜찮대요",
    "생선 굽다가 연기가 좀 났는데 별일 없어요",
    # an emotion remembered with a body word
    "심장이 터질 것 같았어요 합격 소식 들었을 때",
    # news reported speech
    "뉴스에서 어떤 사람이 다리에서 뛰어내렸다던데 마음이 아파요",
    # a scam seen through
    "사기 전화가 왔는데 안 속고 끊었어요",
    # gifts, errands and ordinary cleaning
    "손녀 생일이라 상품권 사서 보냈어요",
    "이제 다 정리하려고요 봄맞이 대청소요",
    "가스불 안 끄고 나온 줄 알았는데 껐더라고요",
    "옥상에 고추 말리러 올라가려고요",
    "딸이 택배를 집 앞에 두고 갔어요",
    # seeds germinating, not a curse
    "콩 씨 발아가 잘 안 돼요",
])
def test_innocent_look_alikes_stay_allowed(mod, text):
    v = mod.check(text)
    assert v.label == "allow", (text, v)


@pytest.mark.parametrize("text, category", [
    ("죽 여 버 린 다", "threat"),
    ("부 숴 버 린 다", "threat"),
    ("이 기계 몽둥이로 부숴", "threat"),
    ("너 속옷은 무슨 색이야", "sexual"),
    ("흑형들 싫어", "hate"),
])
def test_new_abuse_families(mod, text, category):
    v = mod.check(text)
    assert v.label == "abuse" and category in v.categories, (text, v)


def test_letter_spaced_ordinary_words_stay_allowed(mod):
    for text in ("사 과 주 세 요", "오 늘 날 씨 좋 네 요"):
        assert mod.check(text).label == "allow", text


@pytest.mark.parametrize("text, kind", [
    ("카드번호 1234-5678-9012-3456 분실했어요", "card"),          # fails Luhn, read after 카드
    ("주민번호 앞자리는 510203 뒷자리는 1 2 3 4 5 6 7 이에요", "rrn"),
    ("메일은 kim77 골뱅이 네이버 닷 컴이에요", "email"),
])
def test_spoken_and_misread_personal_data(text, kind):
    masked, spans = mask(text)
    assert kind in {s.category for s in spans}, (text, spans)
    assert not any(ch.isdigit() for s in spans if s.category in ("card", "rrn") for ch in s.text)


def test_grouped_digits_without_card_word_stay_account():
    _, spans = mask("계좌 1234-5678-9012-3456으로 보내 주세요")
    assert [s.category for s in spans] == ["account"]
