"""The ninth development round (docs/dialogue.md, "Before the thirteenth blind set"): the word set
aside by "말고" is the one just before it, short goodbyes and rough calls for a person, a senior who
forgot who brought them, and aspect cues. Every sentence is written for these tests; none is taken
from a senior set."""
import pytest

from nodes.dialogue import crisis, intents
from nodes.dialogue.policy import Turn


def answer(d, text, sid="r9"):
    d.reset(sid)
    r = d.respond(sid, Turn(text, now=100.0))
    if r.intent == "confirm":
        r = d.respond(sid, Turn("네", now=101.0))
    return r


@pytest.mark.parametrize("text,topic", [("인감 떼러 왔는데 도장 말고 또 뭐 챙겨야 돼요", "seal_certificate"),
                                        ("여권 만들려는데 사진 말고 또 뭐 있어야 돼요", "passport")])
def test_only_the_word_before_malgo_is_set_aside(d, text, topic):
    """"X 떼러 왔는데 신분증 말고": the service named earlier is still the one asked about."""
    r = answer(d, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


def test_a_service_named_right_before_malgo_is_still_set_aside(d):
    r = answer(d, "경로당 말고 낮에 뭐 배우러 다닐 데 있어요")
    assert r.topic != "kyungrodang", r.topic


@pytest.mark.parametrize("text", ["수고해유", "이제 됐어요 고마워요", "네 됐습니다 감사합니다", "인자 그만 됐다"])
def test_short_goodbyes(text):
    assert intents.detect_intent(text) == "goodbye", text


@pytest.mark.parametrize("text", ["이거 어려워서 못 하겠네 누가 좀 와보소", "저기요 여기 직원 좀 보내 주세요",
                                  "이쪽으로 사람 하나 보내 줘요"])
def test_a_person_sent_for_is_a_staff_call(text):
    assert intents.detect_intent(text) == "staff", text


@pytest.mark.parametrize("text", ["아들이 집에 사람 보내줘서 고쳤어요", "집수리 사람 보내주나요", "택배 보내주세요"])
def test_sending_someone_or_something_elsewhere_is_not_a_staff_call(text):
    assert intents.detect_intent(text) != "staff", text


def test_a_clerk_called_by_a_plain_word_and_a_person_sent_for_is_not_abuse():
    from nodes.moderation.engine import Moderator
    v = Moderator().check("언니 저기 사람 좀 보내 줘요")
    assert v.label != "abuse", v


@pytest.mark.parametrize("text", ["내가 누구하고 같이 왔는지 생각이 안 나", "누가 날 데려왔는지 모르겠네"])
def test_who_brought_one_here_forgotten_is_confusion(text):
    assert crisis.is_confused(text), text


def test_is_this_the_thing_to_talk_to_is_help():
    assert intents.detect_intent("저기 이게 말하는 기계 맞나") == "help"


@pytest.mark.parametrize("text,facet", [
    ("예방접종 올해 안에 꼭 맞아야 되나", None),   # "맞아야" is not a listed verb: no false "when"
    ("치과 검진 올해 안에 꼭 받아야 돼요", "when"),
    ("일흔 넘었는데 버스 무료 되는 거 맞지요", "eligibility"),
    ("무료 급식 저도 대상인가요", "eligibility"),
    ("복지관 가져갈 거 있어요", "documents"),
    ("사위가 내 초본 떼 가도 돼요", "proxy"),
    ("제가 대신 엄마 걸로 신청하는 것도 가능해요", "proxy"),
    ("밥 주는 데 이 근처에 있을까요", "apply"),
    ("그건 구청으로 가는 거예요", "apply"),
])
def test_aspect_cues(text, facet):
    assert intents.detect_facet(text) == facet, text


@pytest.mark.parametrize("text,topic", [("호적 등본 떼려면 이제 뭘 떼야 돼요", "family_relation_certificate"),
                                        ("홀몸 노인 돌봐주는 서비스 있어요", "customized_elderly_care"),
                                        ("스마트폰 교실 어디서 해요", "digital_learning"),
                                        ("수급 받으려면 뭐 가져가요", "basic_livelihood")])
def test_old_and_plain_names(d, text, topic):
    r = answer(d, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


# --- after the thirteenth blind set (its misses, in new sentences) ---

@pytest.mark.parametrize("text,topic", [("궁민연금 언제 들어와요", "national_pension_payment"),
                                        ("으료급여 누가 받아요", "medical_aid")])
def test_a_known_name_misheard_is_not_an_unknown_service(d, text, topic):
    assert d.retriever.unknown_service(text) is None, text
    r = answer(d, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


@pytest.mark.parametrize("text,topic", [("노인일자리 신청서 말고 또 뭐 챙겨 가요", "senior_jobs"),
                                        ("전기요금 할인 우리도 돼요 기초수급은 아닌데", "utility_discount")])
def test_a_form_set_aside_or_a_service_one_is_not_on(d, text, topic):
    r = answer(d, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


@pytest.mark.parametrize("text", ["볼일 보고 화장실 갔다 오니까 딸이 없어요", "여기가 시장이여 병원이여"])
def test_companion_gone_or_two_places_guessed_is_lost(text):
    assert crisis.is_lost(text), text


@pytest.mark.parametrize("text,facet", [
    ("아들 시켜서 등본 떼 오라 해도 돼요", "proxy"),
    ("재산세 신고 우찌 해야 돼", "apply"),
    ("인감 떼려면 주민센터 가야 돼요", "apply"),
    ("독감 주사 보건소 가면 공짜요", "amount"),
    ("제 주민번호가 뭐였더라 주민등록증 어디서 다시 만들어요", "apply"),
])
def test_more_aspect_cues(text, facet):
    assert intents.detect_facet(text) == facet, text


def test_can_you_hear_me_after_two_calls_is_help():
    assert intents.detect_intent("여기요 저기요 내 말 들려요") == "help"


# --- after the fourteenth blind set ---

def test_which_place_one_came_to_is_confusion():
    assert crisis.is_confused("보건소에 왔는지 은행에 왔는지 모르겠어")


@pytest.mark.parametrize("text,intent", [("사람 좀 보내 주십시오", "staff")])
def test_formal_request_for_a_person(text, intent):
    assert intents.detect_intent(text) == intent


@pytest.mark.parametrize("text,facet", [("초본 한 장 을마예요", "amount"), ("목욕 서비스 그거 돈 받어", "amount")])
def test_cost_in_dialect(text, facet):
    assert intents.detect_facet(text) == facet, text


@pytest.mark.parametrize("text,topic", [("장제비는 어디서 신청해요", "funeral_support"),
                                        ("전화 요금 깎아 주는 거 있어요", "telecom_discount")])
def test_plain_names_round_two(d, text, topic):
    r = answer(d, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)
