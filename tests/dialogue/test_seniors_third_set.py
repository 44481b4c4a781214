"""The patterns behind the third blind senior set's misses (docs/dialogue.md, "After the third blind
set"): goodbye, greeting, staff, lost and slower in dialect and in more words. Every sentence is
written for these tests; none is taken from a senior set."""
import pytest

from nodes.dialogue.policy import Dialogue, Turn


@pytest.fixture(scope="module")
def d():
    return Dialogue(None)


def ask(d, text, sid="t3", verdict=None):
    d.reset(sid)
    r = d.respond(sid, Turn(text, verdict, now=100.0))
    if r.intent == "confirm":
        r = d.respond(sid, Turn("네", now=101.0))
    return r


@pytest.mark.parametrize("text", ["알겠소 고맙소 나 간다", "인자 가 볼란다", "잘 있게나 담에 또 옴세", "수고했어유 들어가유",
                                  "이제 가 봐야겠네", "고맙습니다 이제 갑니다"])
def test_goodbye_in_dialect(d, text):
    assert ask(d, text).intent == "goodbye"


@pytest.mark.parametrize("text", ["알겠어요 그럼 어디로 가요", "보건소에 가 봐야겠네 어디 있어요", "들어가서 왼쪽이에요?"])
def test_going_somewhere_asked_is_not_a_goodbye(d, text):
    assert ask(d, text).intent != "goodbye"


@pytest.mark.parametrize("text", ["안녕하수꽈", "계세요 아무도 안 계시오", "저기요 이 기계에 대고 말하면 되는 거요"])
def test_greeting_and_is_anyone_there(d, text):
    assert ask(d, text).intent in ("greeting", "help")


@pytest.mark.parametrize("text", ["접수처에 아무도 없나", "과장님 좀 뵐 수 있습니까", "상담해 주는 선생님 직접 만나 볼라고요",
                                  "아저씨 계시면 잠깐 와 주소"])
def test_a_person_asked_for(d, text):
    assert ask(d, text).kind == "escalate"


@pytest.mark.parametrize("text", ["우울해서 상담하는 데 있어요", "법률 상담해 주는 곳은 어디 있어요"])
def test_a_counselling_service_asked_is_not_a_staff_call(d, text):
    assert ask(d, text).kind != "escalate"


@pytest.mark.parametrize("text", ["지금 무슨 요일이에요", "시방 낮이여 밤이여", "여기서 집에 가는 길을 모르겄어",
                                  "며느리가 금방 올게 하더니 아직도 안 와", "손주가 여기 기다리라 하고 갔는데 안 와요"])
def test_orientation_and_a_companion_who_has_not_come_back_are_lost(d, text):
    r = ask(d, text)
    assert (r.kind, r.intent) == ("crisis", "lost")


@pytest.mark.parametrize("text", ["지금 몇 시예요", "오늘 무슨 요일에 독감 주사 놔요", "기초연금 들어온다 했는데 아직 안 와요"])
def test_an_hour_or_a_service_day_is_not_lost(d, text):
    assert ask(d, text).intent != "lost"


def test_too_fast_said_as_a_complaint_is_slower(d):
    d.reset("s")
    d.respond("s", Turn("기초연금 받을 수 있어요?", now=100.0))
    r = d.respond("s", Turn("그렇게 빨리 말하면 내가 어떻게 알아들어", now=101.0))
    assert r.intent == "repeat" and r.rate < 1.0


@pytest.mark.parametrize("text", ["개명 신청은 어디서 해요", "마을변호사 있는 날이 언제요",
                                  "분묘 개장 신고 어떻게 해요",   # (장수수당 is a topic since 2026-12-07)
                                  # a tax the knowledge base never covers (재산세 and 주민세 are topics; 양도세 is not;
                                  # 취득세 is named since 2026-12-07, with the name on a house)
                                  "양도세 미리 내면 할인돼요", "시신 기증 하러 왔는데요"])
def test_a_service_the_knowledge_base_never_names_is_out_of_scope(d, text):
    r = ask(d, text)
    assert r.kind == "ood", (text, r.kind, r.topic)


@pytest.mark.parametrize("text,topic", [("공무원연금 받는 사람도 기초연금 받을 수 있나요", "basic_pension"),
                                        ("주거급여 신청하려면 어디로 가요", "housing_benefit"),
                                        ("남편 앞으로 나오던 연금 이야기인데요 국민연금 유족연금 있어요", "survivors_pension")])
def test_a_named_topic_is_answered_even_beside_an_unknown_name(d, text, topic):
    r = ask(d, text)
    assert r.kind == "answer" and r.topic == topic, (text, r.kind, r.topic)


@pytest.mark.parametrize("text,topic", [("경로연금 신청은 어디서 해요", "basic_pension"),
                                        ("우리 어매가 노망이 든 것 같은데 검사받을 데 있소", "dementia_screening"),
                                        ("동네 청소하는 노인 일 하고 싶어요", "senior_jobs")])
def test_old_and_colloquial_names(d, text, topic):
    r = ask(d, text)
    assert r.kind == "answer" and r.topic == topic, (text, r.kind, r.topic)


def test_a_lost_card_made_again_is_a_question_not_a_repeat(d):
    r = ask(d, "어르신 교통카드 잃어버렸는데 새로 해 주나요")
    assert r.kind == "answer" and r.intent == "followup_apply"
    d.reset("r")
    d.respond("r", Turn("기초연금 받을 수 있어요?", now=100.0))
    assert d.respond("r", Turn("한 번만 다시 해 주이소", now=101.0)).intent == "repeat"


@pytest.mark.parametrize("text,facet", [("장기요양 신청하면 소견서 꼭 내야 되나", "documents"),
                                        ("여권 만들 때 뭐가 있어야 돼요", "documents"),
                                        ("기초연금 신청하고 돈 나오기까지 얼마나 걸려요", "when"),
                                        ("주민등록증 잃어버렸는데 우째야 되능교", "apply"),
                                        ("등본 떼는 거 여서 되는교", "apply"),
                                        ("노인 학대는 어디다 신고해야 돼요", "apply"),
                                        ("요양원 가려면 몇 등급이어야 되나요", "eligibility"),
                                        ("기초연금 한 달에 얼마 나와요", "amount")])
def test_aspect_cues(text, facet):
    from nodes.dialogue.intents import detect_facet
    assert detect_facet(text) == facet
