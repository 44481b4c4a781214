from bus.messages import Transcript
from bus.testing import Harness
from nodes.moderation.node import ModerationNode


def test_only_masked_text_goes_downstream():
    h = Harness(ModerationNode)
    out = h.send("transcript", Transcript("제 주민번호는 800101-1234567 이고 전화는 010-2345-6789예요", confidence=0.9))
    assert [o for o, _, _ in out] == ["moderated"]
    msg = out[0][1]
    assert "1234567" not in msg.text and "2345-6789" not in msg.text
    assert set(msg.pii) >= {"rrn", "mobile"} and msg.label == "allow" and msg.stt_confidence == 0.9
    assert all("1234567" not in s["text"] for s in msg.spans)


def test_crisis_raises_a_staff_alert_with_the_hotline():
    h = Harness(ModerationNode)
    out = dict((o, m) for o, m, _ in h.send("transcript", Transcript("다 끝내고 싶어요 죽고 싶어", session="s1")))
    assert out["moderated"].label == "crisis" and out["moderated"].hotline == "109"
    assert out["alert"].hotline == "109" and out["alert"].session == "s1"


def test_abuse_is_labelled_and_innocent_words_pass():
    h = Harness(ModerationNode)
    assert h.send("transcript", Transcript("ㅅㅂ 왜 이렇게 느려"))[0][1].label == "abuse"
    assert h.send("transcript", Transcript("시발점이 어디예요?"))[0][1].label == "allow"


def test_params_are_checked_before_launch(tmp_path):
    params = ModerationNode.Params(crisis_model=str(tmp_path / "none.npz"), ml_model=str(tmp_path / "nothing"))
    problems = ModerationNode.check(params)
    assert any("crisis_model" in p and "classifier build" in p for p in problems)
    assert any("ml_model" in p for p in problems)
    assert ModerationNode.check(ModerationNode.Params()) == []


def test_the_classifier_works_inside_the_node():
    h = Harness(ModerationNode)
    out = dict((o, m) for o, m, _ in h.send("transcript", Transcript("영감이 밥 먹다가 갑자기 고개를 푹 떨구고 대답이 없어요")))
    assert out["moderated"].label == "crisis" and out["alert"].hotline == "119"


def test_the_utterance_id_source_and_confidence_flag_travel_on():
    h = Harness(ModerationNode)
    msg = h.send("transcript", Transcript("기초연금 어디서 신청해요", utterance="u-42", source="typed",
                                          low_confidence=True, session="s2"))[0][1]
    assert (msg.utterance, msg.source, msg.low_confidence, msg.session) == ("u-42", "typed", True, "s2")
    msg = h.send("transcript", Transcript("안녕하세요"))[0][1]
    assert (msg.utterance, msg.source, msg.low_confidence) == ("", "stt", False)
