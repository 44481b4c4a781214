"""The patterns behind misses that recur across the blind senior sets used as development data
(docs/dialogue.md, "Misses that recur across the sets"): a service named outright beside another
topic's near-identical example, 노령연금 said for 기초연금, what one gains from a status asked as
"뭐가 좋아요", gossip asked as "들었나", Gyeongsang and Jeju forms, months said in words, a
disoriented senior the classifier alone took for a victim, and facts the KB lacked. Every sentence is
written for these tests; none is taken from a senior set."""
import pytest

from nodes.moderation.dialect import standardize_text
from tests.senior_turns import ask


@pytest.mark.parametrize("text,topic,intent", [
    # 장애인연금's example "장애인연금은 매달 며칠에 들어와요?" matches all but the name
    ("기초연금은 매달 며칠날 나와요", "basic_pension", "followup_when"),
    ("기초 연금 매달 며칠에 통장으로 들어와요", "basic_pension", "followup_when"),
])
def test_the_service_named_outright_beats_a_near_identical_example(d, mod, text, topic, intent):
    r = ask(d, mod, text)
    assert (r.kind, r.topic, r.intent) == ("answer", topic, intent), (text, r.kind, r.topic, r.intent)


@pytest.mark.parametrize("text,topic", [
    # a word only the other topic says keeps it first (반환일시금 says 돌려받다)
    ("국민연금 십 년을 못 채웠으면 낸 돈 한꺼번에 돌려받나요", "pension_lump_sum"),
    # two services named: the topic about both answers
    ("국민연금 받는 사람은 기초연금 얼마나 깎여요", "basic_and_national_pension"),
])
def test_a_closer_topic_keeps_its_place(d, mod, text, topic):
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


@pytest.mark.parametrize("text,topic", [
    ("노령연금 나도 받을 수 있어요 나 일흔셋이요", "basic_pension"),
    ("노령 연금 어디 가서 신청해유", "basic_pension"),
    ("국민연금 노령연금은 몇 살부터 나와요", "national_pension_payment"),
    ("조기노령연금 받으면 얼마나 줄어들어요", "national_pension_payment"),
])
def test_old_age_pension_alone_is_the_basic_pension(d, mod, text, topic):
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


def test_the_basic_pension_tells_the_national_old_age_pension_apart(d):
    assert "노령연금" in d.kb.by_id["basic_pension"].detail


@pytest.mark.parametrize("text,topic", [
    ("의료급여 받게 되면 뭐가 좋아요", "medical_aid"),
    ("동사무소에서 차상위 될 거라던데 차상위 되면 뭐가 좋은 거요", "near_poverty_certificate"),
])
def test_what_a_status_brings_is_not_a_request_for_a_recommendation(d, mod, text, topic):
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


@pytest.mark.parametrize("text", ["뒷집 영감이 장가간다 카더라 들었나", "앞집 며느리가 집 나갔다던데 혹시 알아요",
                                  "아랫집 할망 손주 장가갔댄 들어수꽈"])
def test_gossip_asked_as_have_you_heard_is_not_a_service_question(d, mod, text):
    r = ask(d, mod, text)
    assert r.kind == "smalltalk" and r.topic is None, (text, r.kind, r.topic)


def test_news_about_a_named_service_is_still_answered(d, mod):
    r = ask(d, mod, "기초연금 내년에 오른다 카던데 들었어요")
    assert (r.kind, r.topic) == ("answer", "basic_pension"), (r.kind, r.topic)


@pytest.mark.parametrize("said,standard", [
    ("주거급여라 카는 기 뭡니꺼", "주거급여라고 하는 게 뭡니까"),
    ("그거 신청 어찌께 하는 거요", "그거 신청 어떻게 하는 거요"),
    ("주민센터 일요일도 문 열엄수과", "주민센터 일요일도 문 열어요"),
    ("복지관 가민 무시거 햄수꽈", "복지관 가면 뭐 해요"),
    ("이거 얼마 됩니꺼", "이거 얼마 됩니까"),
    ("국민 주민 시민", "국민 주민 시민"),
])
def test_more_gyeongsang_and_jeju_forms_in_standard_korean(said, standard):
    assert standardize_text(said) == standard


@pytest.mark.parametrize("text,topic,intent", [
    ("재산세 구월에 또 내는 거 맞아요", "property_tax", "followup_when"),
    ("치매안심센터 일요일에도 문 여나요", "dementia_center", "followup_when"),
    ("보청기 나라 지원 받을라면 청력검사 결과도 가져가야 돼요", "hearing_aid_support", "followup_documents"),
    ("나라에서 다달이 주는 돈 한 달에 얼마예요", "basic_pension", "followup_amount"),
    ("연금공단 지사 가려면 어디로 가요", "national_pension_payment", "followup_apply"),
    ("경비 자리 같은 거 노인도 구해 주는 데 있어요", "senior_jobs", None),
    ("휴대폰 요금 노인 할인 받으려면 어떻게 해요", "telecom_discount", None),
])
def test_facts_and_names_the_kb_lacked(d, mod, text, topic, intent):
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)
    assert intent is None or r.intent == intent, (text, r.intent)


@pytest.mark.parametrize("said,standard", [("칠월이요 구월이요", "7월이요 9월이요"), ("시월 말까지 내요", "10월 말까지 내요"),
                                          ("일요일월요일 이월 오월드", "일요일월요일 이월 오월드")])
def test_months_said_in_words_read_as_numbers(said, standard):
    assert standardize_text(said) == standard


@pytest.mark.parametrize("text", ["한참 걸었는데 어디가 어딘지 통 모르겠어요", "오늘이 무슨 날이가 아침을 먹었는지도 모르갔어"])
def test_a_disoriented_senior_gets_the_lost_reply(d, mod, text):
    r = ask(d, mod, text)
    assert (r.kind, r.intent) == ("crisis", "lost"), (text, r.kind, r.intent)


def test_a_lost_senior_the_classifier_alone_heard_as_a_victim_gets_the_lost_reply(d):
    """The classifier alone (no rule word) calls a disoriented senior's words a crime or money abuse;
    the policy gives the lost reply, which calls staff just the same."""
    from nodes.dialogue.policy import Turn
    from nodes.moderation.engine import Verdict

    for category in ("crime", "financial_abuse"):
        v = Verdict("crisis", [category], "112", "…", [], [], True, 0.6, True)
        r = d.respond(f"s-{category}", Turn(text="여기가 어딘지 하나도 모르겠어", verdict=v))
        assert (r.kind, r.intent) == ("crisis", "lost"), (category, r.kind, r.intent)
        v = Verdict("crisis", [category], "112", "…", [], [], True, 0.6, False)   # a rule word: a crisis
        r = d.respond(f"r-{category}", Turn(text="여기가 어딘지 하나도 모르겠어", verdict=v))
        assert (r.kind, r.intent) == ("crisis", "crisis"), (category, r.kind, r.intent)


# After the seventeenth blind set's one score (it is development data now)

@pytest.mark.parametrize("text,category", [
    ("우리 할멈이 아까부터 입이 한쪽으로 돌아갔는데 한숨 자면 괜찮아지겠지", "medical"),
    ("재작년에 약 먹고 응급실에 실려 갔었거든 근데 요즘 다시 그 생각이 나", "suicide"),
])
def test_a_stroke_sign_and_a_returning_thought_after_an_attempt_are_crises(mod, text, category):
    v = mod.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v.label, v.categories)


@pytest.mark.parametrize("text", ["이거 말고 사무실에 있는 총각한테 물어봐야겠어", "사람이 와서 좀 알려 주면 좋겠는데"])
def test_a_person_asked_to_come_or_a_clerk_to_ask_is_a_staff_call(d, mod, text):
    assert ask(d, mod, text).kind == "escalate", text


def test_a_dialect_greeting_with_a_trailing_ing(d, mod):
    assert ask(d, mod, "워메 반갑소잉").intent == "greeting"


def test_not_knowing_which_way_home_is_a_lost_senior(d, mod):
    r = ask(d, mod, "우리 집이 어느 쪽이여 골목이 다 비슷해가")
    assert (r.kind, r.intent) == ("crisis", "lost"), (r.kind, r.intent)


@pytest.mark.parametrize("said,standard", [
    ("경로당 어디 이수과", "경로당 어디 있어요"),
    ("그게 무신 거우꽈", "그게 무슨 거예요"),
    ("어드렇게 하면 되갔소", "어떻게 하면 되겠소"),
    ("집에 갔소", "집에 갔소"),
])
def test_jeju_and_north_korean_forms_in_standard_korean(said, standard):
    assert standardize_text(said) == standard


@pytest.mark.parametrize("text,topic", [("경로당이 뭐 허는 디여", "kyungrodang"),
                                        ("낮에 노인 맡아 주는 데 어디 있어요", "ltc_insurance_grade")])
def test_what_a_place_does_and_day_care_said_plainly(d, mod, text, topic):
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)
