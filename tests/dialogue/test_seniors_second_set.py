"""The patterns behind the second blind senior set's misses (docs/dialogue.md, "After the second
blind set"): a person asked for by role, confusion without the words "lost" or "home", repeat,
slower, goodbye and greeting in more words, and aspect cues. Every sentence is written for these
tests; none is taken from a senior set."""
import pytest

from nodes.dialogue.policy import Dialogue, Turn


@pytest.fixture(scope="module")
def d():
    return Dialogue(None)


def ask(d, text, sid="t", verdict=None):
    d.reset(sid)
    r = d.respond(sid, Turn(text, verdict, now=100.0))
    if r.intent == "confirm":
        r = d.respond(sid, Turn("네", now=101.0))
    return r


@pytest.mark.parametrize("text", ["복지 담당 공무원 좀 불러 주소", "주무관님 어데 계시능교", "사회복지사 선생님 좀 만나러 왔는데요",
                                  "창구에 앉은 아저씨 좀 와 보라 캐", "직원분한테 내 서류 좀 전해 주세요", "민원 담당자 찾는데요",
                                  "팀장님 좀 바꿔 주이소"])
def test_a_person_asked_for_by_role(d, text):
    assert ask(d, text).kind == "escalate"


@pytest.mark.parametrize("text", ["사회복지사 자격증 따려면 어떻게 해요", "독감 주사 어디서 맞아요",
                                  "공무원 연금이랑 국민연금 같이 받을 수 있어요", "공무원이 찾아와서 조사한다는데 언제 와요"])
def test_a_role_mentioned_in_a_question_is_not_a_staff_call(d, text):
    assert ask(d, text).kind != "escalate"


@pytest.mark.parametrize("text", ["올해가 몇 년이고 통 모르겠네", "오늘 며칠이여 깜빡했어", "어느 정류장에서 내렸는지 기억이 안 나요",
                                  "뭐 하러 왔드라 생각이 안 나네", "여기가 어느 동네여 내 동네가 아닌 거 같은디",
                                  "집에 어떻게 돌아가야 될지 모르겠어요"])
def test_confusion_without_lost_or_home_is_a_lost_senior(d, text):
    r = ask(d, text)
    assert (r.kind, r.intent, r.alert) == ("crisis", "lost", "lost")


@pytest.mark.parametrize("text", ["오늘 며칠이지 깜빡했네 기초연금 들어오는 날인데",
                                  "요즘 깜빡깜빡해서 오늘이 며칠인지도 헷갈려 치매 검사 받아야 되나",
                                  "여기가 무슨 동이에요 우리 동네가 아닌 것 같은데 전입신고 여기서 해요",
                                  "우리 어머니가 오늘이 며칠인지 자꾸 헷갈려 하셔요", "경로당 무슨 요일에 문 열어요"])
def test_confusion_words_do_not_steal_service_questions(d, text):
    assert ask(d, text).intent != "lost"


class _Verdict:
    label, categories, hotline, pii = "crisis", ["crime"], "112", []


def test_a_senior_left_waiting_is_lost_even_when_moderation_says_crime(d):
    r = ask(d, "사위가 여기 있으라 카고 갔는데 한참 안 와", verdict=_Verdict())
    assert (r.kind, r.intent) == ("crisis", "lost")
    # a real crime stays a crime
    v = _Verdict()
    r = ask(d, "누가 내 지갑을 훔쳐 갔어요", verdict=v)
    assert r.kind == "crisis" and r.category == "crime"


@pytest.mark.parametrize("text,intent", [
    ("아까 뭐라 카셨노", "repeat"), ("방금 머라 했소", "repeat"),
    ("말씀이 너무 빨라요 못 따라가겠어", "slower"), ("찬찬히 좀 말해 보이소", "slower"),
    ("알겠다 고맙데이 인자 갈게", "goodbye"), ("그럼 나 간다", "goodbye"),
    ("좋은 아침입니다", "greeting"), ("여보세요 내 말 들려요", "greeting"),
])
def test_control_in_more_words(d, text, intent):
    sid = "c"
    d.reset(sid)
    d.respond(sid, Turn("기초연금 받을 수 있어요?", now=100.0))
    r = d.respond(sid, Turn(text, now=101.0))
    if intent == "greeting":
        assert r.intent in ("greeting", "help")
    elif intent == "slower":
        assert r.intent == "repeat" and r.rate < 1.0
    else:
        assert r.intent == intent


@pytest.mark.parametrize("text", ["수업 진도를 따라가질 못해서 디지털 배움터 다시 들어도 되나", "경로당 가요",
                                  "그거 뭐라 하는 거 있잖아 나라에서 노인들한테 돈 주는 거",
                                  "귀가 잘 안 들려서 보청기 지원 받을 수 있어요"])
def test_control_words_inside_a_question_do_not_take_it(d, text):
    assert ask(d, text).intent not in ("repeat", "goodbye", "greeting")


@pytest.mark.parametrize("text,topic,facet", [
    ("땅이 쪼매 있어도 그래도 기초연금 나오능교", "basic_pension", "eligibility"),
    ("기초연금은 자녀 소득도 따지는 거요", "basic_pension", "eligibility"),
    ("인감 떼러 왔는데 신분증만 있으면 되나요", "seal_certificate", "documents"),
    ("전입신고 하러 가는데 임대차 계약서도 들고 가야 돼요", "move_in_report", "documents"),
    ("주민증 잃어버렸는데 새로 만들 수 있나요", "id_card_reissue", "apply"),
    ("가족관계증명서 여기서 뗄 수 있어요", "family_relation_certificate", "apply"),
])
def test_aspect_cues(d, text, topic, facet):
    r = ask(d, text)
    assert (r.kind, r.topic, r.intent) == ("answer", topic, f"followup_{facet}")


def test_only_family_may_do_it_is_a_question_of_who(d):
    r = ask(d, "주민등록등본은 본인만 뗄 수 있는 거요 내가 며느리인데")
    assert (r.kind, r.topic, r.intent) == ("answer", "resident_registration_copy", "followup_proxy")


@pytest.mark.parametrize("text,topic", [("경로당 말고 복지관은 어디 있어요", "senior_welfare_center"),
                                        ("기초연금 말고 국민연금은 언제 들어와요", "national_pension_payment")])
def test_a_service_set_aside_is_not_the_one_asked(d, text, topic):
    r = ask(d, text)
    assert (r.kind, r.topic) == ("answer", topic)


def test_a_service_set_aside_never_becomes_a_staff_call(d):
    assert ask(d, "도장 말고 서명만 하는 그런 증명서 있다 카던데 그게 뭐고").kind != "escalate"
