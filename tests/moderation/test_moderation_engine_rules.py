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


# -- rules added while developing the classifier on the blind5-blind19 splits -----------------

@pytest.mark.parametrize("text", [
    "고스톱 치다가 광 팔고 죽었다 했지 ㅎㅎ 그래도 오늘 삼천 원 땄어",      # ㅎㅎ is laughter, not 흑형
    "우리 손자가 그러는데 틀딱이라는 말이 노인 욕이라대 그게 뭔 뜻이래요",   # a slur quoted to ask
    "손녀가 틀딱이 무슨 말이냐 물어봐서 나도 몰랐는데 나쁜 말이래",
    "손주가 총 쏘는 게임을 하는데 죽인다 죽인다 소리를 질러서 귀가 아파",
    "꿈에서 집에 불이 활활 났는디 그게 돈 들어오는 꿈이래 복권 사볼까",
    "신문 기사에 났는데 아파트에 불이 났대요",
    "남은 약을 모아 두면 안 된다던데 약국에 갖다주면 되나요",
    "내가 죽으면 장기 기증하고 싶은데 등록은 어떻게 해",
    "오늘 안에 일 다 끝낼라고 서둘러요",
    "불이 안 붙어요 가스레인지가",
    "죽고 싶지는 않아요",
    "누가 제 우산을 잘못 가져갔나 봐요",
])
def test_developed_rules_spare_innocent_speech(mod, text):
    assert mod.check(text).label == "allow", (text, mod.check(text))


@pytest.mark.parametrize("text", ["이 틀딱아 무슨 말인지 알아듣냐", "틀딱은 무슨 말이여 이 틀딱들아"])
def test_quoting_exclusions_do_not_excuse_an_insult(mod, text):
    assert mod.check(text).label == "abuse"


@pytest.mark.parametrize("text,category", [
    ("한강 다리 가는 버스가 몇 번이에요 거기 가서 다 끝낼라고", "suicide"),
    ("선로에 뛰어들면 많이 아픈가요 금방 끝나나요", "suicide"),
    ("연탄 사놨어 문틈은 테이프로 막으면 된다며", "suicide"),
    ("운전하다가 그냥 핸들 꺾어서 다리 밑으로 떨어지고 싶은 충동이 요즘 자주 들어요", "suicide"),
    ("저기 자살하면 연금은 어떻게 돼요 집사람한테 나오나 그게 궁금해서", "suicide"),
    ("불이 안 꺼져요 연기가 나요", "fire"),
])
def test_developed_crisis_rules(mod, text, category):
    v = mod.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v)


def test_firm_rules_survive_the_classifier_veto():
    m = Moderator(crisis_veto=1.01)      # every rule hit that is not firm is vetoed
    assert m.check("저기 자살하면 연금은 어떻게 돼요 집사람한테 나오나 그게 궁금해서").label == "crisis"
    assert m.check("가슴이 너무 아파요").label == "allow"


def test_a_driver_is_not_a_news_source_and_blinking_is_not_a_dream():
    m = Moderator()
    v = m.check("집에 보일러 고치러 온 기사가 나를 방으로 밀어 넣으려고 했어 겨우 도망 나왔어")
    assert v.label == "crisis"
    v = m.check("아이고 우리 영감이 정지에서 쓰러져갖고 말을 안 혀 눈만 꿈뻑꿈뻑 허고 있당께 어쩌까잉")
    assert v.label == "crisis" and "medical" in v.categories
