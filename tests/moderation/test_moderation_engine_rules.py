"""The 2026-11-25 rule families: each general rule on a new sentence, and its innocent look-alikes.

The sentences here are not the blind2 rows the rules were built from; they check that each rule is
a family (verbs in every form, any order, any perpetrator of the kind), not one string.
"""
import pytest

from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def mod():
    return Moderator(use_classifier=False)   # the rules alone; the classifier is tested apart


@pytest.mark.parametrize("text, category, hotline", [
    # violent verbs in any form, the perpetrator anywhere in the sentence
    ("아들이 술 마시고 들어오면 저를 마구 밀치고 그래요", "family_violence", "1577-1389"),
    ("손녀가 화가 나면 리모컨을 집어 던져요", "family_violence", "1577-1389"),
    ("남편이 술만 먹으면 밥상을 엎고 소리를 질러요", "family_violence", "1366"),
    ("딸이 제가 말대꾸하면 꼬집어요", "family_violence", "1577-1389"),
    # carers and staff: the same order-free rule as family members
    ("간병인이 밤에 제가 기저귀 갈아 달라고 하면 뺨을 때려요", "elder_abuse", "1577-1389"),
    ("주간보호센터 선생님이 말 안 들으면 저를 밀쳐요", "elder_abuse", "1577-1389"),
    ("도우미 아줌마가 화나면 제 팔을 꼬집어요", "elder_abuse", "1577-1389"),
    # touching: 만져 and other forms, a staff member or stranger anywhere
    ("씻겨 주는 직원이 자꾸 가슴을 만져요", "sexual_violence", "1366"),
    ("모르는 남자가 버스에서 엉덩이를 만졌어요", "sexual_violence", "1366"),
    # a poison swallowed is also treated as a suicide attempt unless said to be a mistake
    ("영감이 제초제를 마셨어요", "suicide", "119"),
])
def test_new_crisis_rule_families(mod, text, category, hotline):
    v = mod.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v)
    assert v.hotline == hotline, (text, v)


def test_poison_by_mistake_is_medical_only(mod):
    for text in ("농약을 음료수인 줄 알고 마셨어요", "모르고 살충제를 마셨어요"):
        v = mod.check(text)
        assert v.label == "crisis" and v.categories == ["medical"], (text, v)


def test_ageist_insults_by_family_are_elder_abuse_only(mod):
    v = mod.check("아들이 늙은이는 죽어야 한다고 욕해요")
    assert v.label == "crisis" and v.categories == ["elder_abuse"], v


@pytest.mark.parametrize("text", [
    # news, TV and drama framing: a report, not an emergency
    "뉴스에서 아파트에 불이 났다는 소식 봤어요",
    "드라마에서 아들이 엄마를 때리는 장면이 나왔어요",
    "티비에 요양원에서 할머니를 때렸다는 뉴스가 나왔대요",
    # a danger long past, said to be over
    "예전에 집에 불이 난 적이 있는데 지금은 다 괜찮아요",
    "젊었을 때 남편이 때리곤 했는데 이제는 괜찮아요",
    # play, care, harmless contact
    "손주들이 서로 밀치면서 놀아요",
    "요양보호사 선생님이 어깨를 주물러 줘요",
    "의사 선생님이 배를 만져 보셨어요",
    "손녀가 공을 던지며 놀아요",
    "딸이 그릇을 깨뜨렸어요",
    "직원들이 다 친절해요",
    "고추밭에 농약을 쳤어요",
])
def test_new_crisis_rules_spare_innocent_speech(mod, text):
    v = mod.check(text)
    assert v.label == "allow", (text, v)


@pytest.mark.parametrize("text", [
    "뉴스 보는데 갑자기 연기가 나요 타는 냄새가 나요",      # framing word present, danger now
    "옛날에 불이 났었는데 지금 또 연기가 나요",             # past, then a new danger
    "드라마 보다가 숨이 안 쉬어져요",
    "tv에서 연기가 나요",
])
def test_framing_does_not_hide_a_danger_now(mod, text):
    assert mod.check(text).label == "crisis", text


@pytest.mark.parametrize("text, categories", [
    ("시bal 왜 이래", ["profanity"]),              # romanised syllable glued to Hangul
    ("gae새끼", ["profanity"]),
    ("시 8 뭐야", ["profanity"]),                  # digit standing alone after a space
    ("저 개쉐이 또 저러네", ["profanity"]),
    ("이 쉐이야", ["profanity"]),
    ("엿이나 실컷 먹어라", ["profanity"]),
    ("엿 먹어라", ["profanity"]),
    ("시빠 진짜", ["profanity"]),
    ("외국인 새끼들 다 똑같아", ["hate", "profanity"]),  # 새끼들 after a neutral group
    ("쪽바리들 다 꺼져", ["hate"]),                   # after a slur, part of the hate speech
    ("아가씨 엉덩이 크냐", ["sexual"]),
    ("너 가슴 몇 컵이야", ["sexual"]),
    ("가슴 좀 보여줘", ["sexual"]),
    ("우리 둘이 모텔 가자", ["sexual"]),
    ("ㅈㅈ 빨아", ["sexual"]),
])
def test_new_abuse_rule_families(mod, text, categories):
    v = mod.check(text)
    assert v.label == "abuse" and sorted(v.categories) == sorted(categories), (text, v)


@pytest.mark.parametrize("text", [
    "김씨 8시에 오신대요", "수박씨 8개 심었어요", "global 시장", "시진핑 뉴스 봤어요",
    "이 쉐이크 맛있어요", "엿 먹고 싶어요", "호박엿 먹어요", "엿 먹어 봤어요 울릉도 호박엿",
    "고양이 새끼들 밥 줬어요", "장애인 복지관에 다녀요",
    "가슴이 크니까 옷이 안 맞아요", "엉덩이가 아파요", "너도 다리 아프니",
    "우리 딸이랑 여관 갈까 고민이에요", "저 모텔에서 청소 일해요", "속옷 좀 보여 줘요 어디 있는지",
    "ㅈㅈ 인정",
    "우리 큰아들이 병신년 원숭이띠예요", "1956년 병신년생이에요", "병신생이에요", "병신년에 태어났어요",
])
def test_new_abuse_rules_spare_innocent_speech(mod, text):
    v = mod.check(text)
    assert v.label == "allow", (text, v)


def test_year_name_context_does_not_excuse_the_insult(mod):
    assert mod.check("이 병신아").label == "abuse"
    assert mod.check("병신 같은 소리 하네").label == "abuse"


@pytest.mark.parametrize("text, category", [
    ("옆집 아저씨가 저를 밀쳤어요", "crime"),          # anyone else hurting the speaker: 112
    ("윗집 사람한테 맞았어요", "crime"),
    ("간병인이 제 발을 꾹꾹 밟아요", "elder_abuse"),
])
def test_violence_by_others_and_more_verbs(mod, text, category):
    v = mod.check(text)
    assert v.label == "crisis" and v.categories == [category], (text, v)


@pytest.mark.parametrize("text", [
    "제 등을 두들겨 줬어요", "아들이 제 어깨를 주물러 줘요",      # care, not violence
    "손주들이 장난으로 저를 밀쳐요",                             # play
    "옛날에 남편이 밀치고 그랬는데 이젠 다 지난 일이에요",          # past and over
    "간호사한테 주사 맞았어요", "형사가 왔어요",
    "병신년 일출 보러 갔었지요", "너랑 얘기하고 싶어",
])
def test_more_innocent_lookalikes(mod, text):
    assert mod.check(text).label == "allow", (text, mod.check(text))


def test_stealing_is_not_violence(mod):
    # 훔쳐 ends in 쳐 (hit): violent verbs must start a word
    v = mod.check("요양보호사가 제 돈을 훔쳐 갔어요")
    assert "elder_abuse" not in v.categories and "financial_abuse" in v.categories, v


def test_family_words_inside_other_words_are_not_family(mod):
    v = mod.check("딸기 먹다가 누가 저를 밀쳤어요")
    assert v.label == "crisis" and v.categories == ["crime"], v


@pytest.mark.parametrize("text, category", [("너랑 자고 싶어", "sexual"), ("ㅗ", "profanity")])
def test_more_abuse_forms(mod, text, category):
    v = mod.check(text)
    assert v.label == "abuse" and v.categories == [category], (text, v)


@pytest.mark.parametrize("text, category", [
    ("갑자기 오른팔에 힘이 하나도 없어요", "medical"),
    ("숨 쉬기가 너무 힘들어요", "medical"),
    ("남자 간병인이 밤에 제 이불 속에 손을 넣어요", "sexual_violence"),
])
def test_more_crisis_forms(mod, text, category):
    v = mod.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v)


@pytest.mark.parametrize("text", ["오른손에 힘이 좀 없어요 나이 들어서", "주머니 속에 손을 넣었어요",
                                  "요즘 숨 쉬기 운동 해요"])
def test_more_crisis_lookalikes(mod, text):
    assert mod.check(text).label == "allow", (text, mod.check(text))
