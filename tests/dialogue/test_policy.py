"""Multi-turn behaviour of the dialogue policy, one test per policy point."""

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from nodes.dialogue.policy import KINDS, Dialogue, DialogueParams, Response, Turn

KB_DIR = Path(__file__).resolve().parent / "fixtures" / "kb"


@dataclass
class FakeVerdict:
    """Stands in for nodes.moderation.engine.Verdict (the fields the policy reads)."""
    label: str = "allow"
    categories: list[str] = field(default_factory=list)
    hotline: str | None = None
    masked_text: str = ""
    pii: list[str] = field(default_factory=list)
    alert: bool = False


@pytest.fixture(scope="module")
def d():
    return Dialogue(KB_DIR)


class Conversation:
    def __init__(self, dialogue, sid):
        self.d, self.sid, self.t = dialogue, sid, 0.0
        dialogue.reset(sid)

    def say(self, text, verdict=None, conf=1.0, wait=1.0) -> Response:
        self.t += wait
        r = self.d.respond(self.sid, Turn(text=text, verdict=verdict, stt_confidence=conf, now=self.t))
        assert r.kind in KINDS
        return r


def test_arrival_greets_and_offers_topics(d):
    r = d.arrive("greet", now=0.0)
    assert r.kind == "smalltalk" and r.intent == "greeting"
    assert r.text.startswith("안녕하세요") and "기초연금" in r.text
    assert "기초연금" in r.suggestions


def test_answer_then_follow_ups_resolve_against_current_topic(d):
    c = Conversation(d, "follow")
    r = c.say("나라에서 노인한테 주는 연금 있어요?")
    assert (r.kind, r.topic) == ("answer", "basic_pension")
    assert r.text == d.kb.by_id["basic_pension"].answer
    assert r.sources == ["https://basicpension.mohw.go.kr"] and r.detail and r.title == "기초연금"
    r = c.say("그럼 어디서 신청해요?")
    assert (r.topic, r.intent) == ("basic_pension", "followup_apply")
    assert r.text == d.kb.by_id["basic_pension"].apply
    r = c.say("얼마예요")
    assert r.text == d.kb.by_id["basic_pension"].facets["amount"]
    r = c.say("전화번호 알려 주세요")
    assert "129번" in r.text and r.intent == "followup_phone"
    r = c.say("서류는 뭐 가져가요?")
    assert r.text == d.kb.by_id["basic_pension"].facets["documents"]


def test_follow_up_naming_another_topic_switches_topic(d):
    c = Conversation(d, "switch")
    assert c.say("기초연금 받고 싶어요").topic == "basic_pension"
    r = c.say("장기요양 신청은 어디서 해요?")
    assert (r.topic, r.intent) == ("long_term_care", "followup_apply")


def test_follow_up_without_facet_in_kb_says_the_sentences_on_that_aspect(d):
    c = Conversation(d, "nofacet")
    assert c.say("치매 검사 어디서 받아요").topic == "dementia_center"
    r = c.say("얼마예요?")
    assert r.topic == "dementia_center" and r.intent == "followup_amount"
    assert "무료" in r.text and "화면의 자세한 안내" not in r.text


def test_follow_up_with_no_current_topic_asks_which_service(d):
    r = Conversation(d, "nocontext").say("그럼 어디서 신청해요?")
    assert (r.kind, r.intent, r.topic) == ("clarify", "facet_unknown", None)


def test_repeat_and_slower_repeat_last_answer_slowly(d):
    c = Conversation(d, "repeat")
    first = c.say("지하철 무료로 타려면 어떻게 해요")
    for phrase in ("다시 말해 주세요", "천천히 말해 주세요", "뭐라고요?"):
        r = c.say(phrase)
        assert r.text == first.text and r.topic == first.topic
        assert r.rate < 1.0 and r.intent == "repeat"
    # the topic is still current after repeats
    assert c.say("어디서 신청해요?").topic == "transit_pass"


def test_repeat_with_nothing_said_yet(d):
    r = Conversation(d, "repeat0").say("다시 말해 주세요")
    assert r.kind == "smalltalk" and r.rate < 1.0


@pytest.mark.parametrize("phrase", ["직원 불러 주세요", "상담원 연결해 주세요", "사람이랑 얘기하고 싶어요"])
def test_staff_request_escalates(d, phrase):
    r = Conversation(d, "staff").say(phrase)
    assert (r.kind, r.topic) == ("escalate", "staff_call")
    assert r.text == d.kb.by_id["staff_call"].answer


@pytest.mark.parametrize("phrase", ["보건소 직원 월급은 얼마예요", "주민센터 직원이 친절해요"])
def test_mentioning_staff_is_not_a_request_for_staff(d, phrase):
    assert Conversation(d, "nostaff").say(phrase).kind != "escalate"


def test_staff_topic_found_by_retrieval_escalates_too(d):
    r = d._topic_answer(d.kb.by_id["staff_call"], "여기 좀 봐 주실 분", None, 0.9)
    assert (r.kind, r.topic) == ("escalate", "staff_call")


def test_crisis_gets_hotline_first_always(d):
    c = Conversation(d, "crisis")
    c.say("기초연금 얼마예요")
    v = FakeVerdict("crisis", ["suicide"], "109", alert=True)
    # even a text that would match a topic or a control intent
    for text in ("기초연금 신청하고 죽고 싶어요", "다시 말해 주세요 죽고 싶어요", "직원 불러 주세요 죽을래요"):
        r = c.say(text, verdict=v)
        assert r.kind == "crisis" and r.hotline == "109" and "109" in r.detail
        assert "직원이 곧" in r.text
    # crisis even when the STT was unsure
    r = c.say("가슴이 아파", verdict=FakeVerdict("crisis", ["medical"], "119"), conf=0.1)
    assert r.kind == "crisis" and r.hotline == "119" and "직원" in r.text


def test_abuse_gets_calm_deescalation_then_staff(d):
    c = Conversation(d, "abuse")
    v = FakeVerdict("abuse", ["profanity"])
    r = c.say("이 바보 같은 기계야", verdict=v)
    assert r.kind == "abuse" and "천천히" in r.text and r.topic is None
    c.say("바보야", verdict=v)
    r = c.say("바보", verdict=v)
    assert r.kind == "escalate" and r.intent == "abuse_repeat"


def test_low_stt_confidence_asks_to_repeat(d):
    c = Conversation(d, "stt")
    r = c.say("기초연금 얼마예요", conf=0.2)
    assert (r.kind, r.intent) == ("clarify", "stt_retry") and "다시" in r.text
    assert c.say("", conf=1.0).intent == "stt_retry"


def test_out_of_domain_is_politely_rejected_with_suggestions(d):
    r = Conversation(d, "ood").say("오늘 야구 누가 이겼어요?")
    assert r.kind == "ood" and r.topic is None
    assert r.text.startswith("죄송해요") and "직원을 불러 드릴까요" in r.text and "직원 호출" in r.suggestions
    assert len(r.suggestions) == 3


def test_goodbye_resets_session(d):
    c = Conversation(d, "bye")
    c.say("기초연금 얼마예요")
    r = c.say("안녕히 계세요")
    assert (r.kind, r.intent) == ("smalltalk", "goodbye")
    # the topic is gone: a bare follow-up asks which service
    assert c.say("어디서 신청해요?").intent == "facet_unknown"


def test_idle_timeout_resets_session_and_says_goodbye(d):
    d.reset("idle")
    d.respond("idle", Turn("기초연금 얼마예요", now=1000.0))
    d.tick(now=999.0)  # other tests' sessions (at earlier times) time out here
    assert d.tick(now=1000.0 + d.params.idle_timeout_s - 1) == []
    out = d.tick(now=1000.0 + d.params.idle_timeout_s + 1)
    assert [(sid, r.intent) for sid, r in out] == [("idle", "timeout")]
    assert out[0][1].kind == "smalltalk" and "안녕히" in out[0][1].text
    r = d.respond("idle", Turn("어디서 신청해요?", now=1000.0 + d.params.idle_timeout_s + 2))
    assert r.intent == "facet_unknown"


def test_stale_session_is_reset_on_next_turn_without_tick(d):
    d.reset("stale")
    d.respond("stale", Turn("기초연금 얼마예요", now=0.0))
    r = d.respond("stale", Turn("어디서 신청해요?", now=d.params.idle_timeout_s + 5))
    assert r.intent == "facet_unknown"


def test_sessions_are_independent(d):
    a, b = Conversation(d, "A"), Conversation(d, "B")
    a.say("기초연금 얼마예요")
    b.say("치매 검사 어디서 받아요")
    assert a.say("어디서 신청해요?").topic == "basic_pension"
    assert b.say("어디서 신청해요?").topic == "dementia_center"


def test_smalltalk_thanks_and_greeting(d):
    c = Conversation(d, "small")
    assert c.say("감사합니다").intent == "thanks"
    assert c.say("안녕하세요").intent == "greeting"
    assert c.say("뭘 물어볼 수 있어요?").intent == "help"


def _tie_kb(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    base = {"as_of": "2025-01-01", "source": "https://example.go.kr", "phone": "120", "detail": "자세한 안내입니다.",
            "apply": "주민센터에서 신청하세요."}
    topics = [
        {"id": "bus_card", "title": "버스 카드", "questions": ["어르신 교통 카드 발급 받고 싶어요", "버스 카드 만들어요"],
         "answer": "버스 카드는 주민센터에서 만들어요."},
        {"id": "subway_card", "title": "지하철 카드", "questions": ["어르신 교통 카드 발급 받고 싶어요", "지하철 카드 만들어요"],
         "answer": "지하철 카드는 역에서 만들어요.", "keywords": ["경로우대권"]},
        {"id": "staff_call", "title": "직원 호출", "questions": ["직원 불러 주세요"], "answer": "직원을 불러 드릴게요."},
        {"id": "library", "title": "도서관", "questions": ["도서관 책 빌리고 싶어요", "도서관 몇 시에 열어요"],
         "answer": "도서관은 아홉 시에 열어요."},
    ]
    for t in topics:
        (kb / f"{t['id']}.yaml").write_text(yaml.safe_dump({**base, **t}, allow_unicode=True), encoding="utf-8")
    return kb


def _tie_dialogue(tmp_path):
    d = Dialogue(_tie_kb(tmp_path))
    # a three-topic KB gives too few examples to calibrate on; these tests are about the policy
    d.retriever.threshold = d.retriever.answer_threshold = 0.0
    return d


def test_tie_asks_clarifying_question_and_resolves_by_ordinal_or_name(tmp_path):
    d = _tie_dialogue(tmp_path)
    c = Conversation(d, "tie")
    r = c.say("어르신 교통 카드 발급 받고 싶어요")
    assert r.kind == "clarify" and r.intent == "tie"
    assert set(r.suggestions) == {"버스 카드", "지하철 카드"} and "중에서" in r.text
    first = r.suggestions[0]
    r = c.say("첫 번째요")
    assert r.kind == "answer" and r.title == first
    r = c.say("어르신 교통 카드 발급 받고 싶어요")
    assert r.kind == "answer"  # the current topic breaks the tie
    c2 = Conversation(d, "tie2")
    c2.say("어르신 교통 카드 발급 받고 싶어요")
    assert c2.say("지하철이요").topic == "subway_card"


def test_params_unknown_key_fails_loudly():
    with pytest.raises(ValueError, match="unknown key 'idle_timout'"):
        DialogueParams.from_dict({"idle_timout": 3})


def test_response_to_dict_has_interface_fields(d):
    r = Conversation(d, "dict").say("기초연금 얼마예요")
    keys = set(r.to_dict())
    assert {"kind", "text", "topic", "sources", "detail", "title", "rate", "suggestions", "score", "hotline"} <= keys


def _unnamed(d, monkeypatch):
    """Force the middle band (ask to confirm) whatever the calibration says or the question names."""
    monkeypatch.setattr(d.retriever, "answer_threshold", 1.01)
    retrieve = d.retriever.retrieve
    monkeypatch.setattr(d.retriever, "retrieve", lambda t, k=3: dataclasses.replace(retrieve(t, k), named=False))


def test_confirm_flow_yes_no(d, monkeypatch):
    _unnamed(d, monkeypatch)
    c = Conversation(d, "confirm2")
    r = c.say("치매 검사 어디서 받아요")
    assert (r.kind, r.intent, r.topic) == ("clarify", "confirm", "dementia_center")
    r = c.say("네 맞아요")
    # the aspect asked in the first question (where) is kept through the confirmation
    assert (r.kind, r.topic, r.intent) == ("answer", "dementia_center", "followup_apply")
    r = c.say("난방비 지원 있어요")
    assert r.intent == "confirm" and r.topic == "energy_voucher"
    r = c.say("아니요")
    assert (r.kind, r.intent) == ("clarify", "confirm_no")
    assert c.say("네").intent == "ack"  # a yes with nothing pending is acknowledged, not searched


def test_a_bare_yes_keeps_the_aspect_asked_before_the_confirmation(d, monkeypatch):
    # "네" has no aspect of its own; the learned aspect model must not give it one (it guessed "where")
    _unnamed(d, monkeypatch)
    for question, facet in (("기초연금 한 달에 얼마 나와요", "followup_amount"),
                            ("기초연금 받으려면 뭐 가져가요", "followup_documents")):
        c = Conversation(d, f"yes-{facet}")
        assert c.say(question).intent == "confirm"
        r = c.say("네")
        assert (r.kind, r.topic, r.intent) == ("answer", "basic_pension", facet)


def test_tie_broken_by_a_topic_title_named_in_the_question(tmp_path, monkeypatch):
    d = _tie_dialogue(tmp_path)
    monkeypatch.setattr(d.retriever.params, "tie_ratio", 0.0)  # every question ties
    assert Conversation(d, "unnamed").say("어르신 교통 카드 발급 받고 싶어요").intent == "tie"
    r = Conversation(d, "named").say("지하철 카드 발급 받고 싶어요")
    assert (r.kind, r.topic) == ("answer", "subway_card")
    # a keyword of one of them said outright breaks the tie too
    r = Conversation(d, "keyword").say("경로우대권 어르신 교통 카드 발급 받고 싶어요")
    assert (r.kind, r.topic) == ("answer", "subway_card")


def test_personal_data_gets_a_kind_notice_and_keeps_the_topic(d):
    c = Conversation(d, "pii")
    r = c.say("나라에서 노인한테 주는 연금 있어요?")
    assert (r.kind, r.topic) == ("answer", "basic_pension")
    r = c.say("제 전화번호는 010-****-**** 이에요", verdict=FakeVerdict(pii=["phone"]))
    assert (r.kind, r.intent) == ("smalltalk", "pii_notice")
    assert "개인정보" in r.text and r.topic == "basic_pension"
    r = c.say("주민번호는 ******-******예요", verdict=FakeVerdict(pii=["rrn"]))
    assert r.intent == "pii_notice"
    # the next follow-up still resolves against the topic kept through the notice
    r = c.say("그럼 어디서 신청해요?")
    assert (r.topic, r.intent) == ("basic_pension", "followup_apply")


def test_personal_data_keeps_a_pending_confirmation(d, monkeypatch):
    _unnamed(d, monkeypatch)
    c = Conversation(d, "pii-confirm")
    assert c.say("치매 검사 어디서 받아요").intent == "confirm"
    assert c.say("제 번호는 010-****-****", verdict=FakeVerdict(pii=["phone"])).intent == "pii_notice"
    r = c.say("네")
    assert (r.kind, r.topic) == ("answer", "dementia_center")


def test_chitchat_about_the_kiosk_is_answered_kindly(d):
    c = Conversation(d, "chit")
    for text in ("너는 몇 살이야", "노래 한 곡 불러 줄래"):
        r = c.say(text)
        assert (r.kind, r.intent) == ("smalltalk", "chitchat") and r.suggestions
