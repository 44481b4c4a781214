"""The learned control intent (nodes/dialogue/control.py): what the patterns miss, and never a
question. Every sentence is written for these tests; none is in data/dialogue/control.tsv."""
import numpy as np
import pytest

from nodes.dialogue import control
from nodes.dialogue.policy import Dialogue, Turn


@pytest.fixture(scope="module")
def model():
    m = control.load_model()
    assert m is not None, "config/dialogue/control_model.npz is missing: python -m nodes.dialogue.control build"
    return m


def test_the_shipped_model_has_every_control_class(model):
    assert set(control.CONTROL) <= set(model.classes) and {"none", "crisis"} <= set(model.classes)


@pytest.mark.parametrize("text", ["기초연금 언제 들어와요", "틀니 보험 되는 치과 어디예요", "오늘 날씨 좋네요",
                                  "장기요양 등급 받으려면 뭐 가져가요"])
def test_questions_are_not_control_intents(model, text):
    assert model.intent(text) is None, (text, model.probs(text))


def test_the_policy_asks_the_model_only_when_no_pattern_reads_the_turn(monkeypatch):
    d = Dialogue(control_model="default")
    asked = []
    monkeypatch.setattr(d.controls, "intent", lambda text: asked.append(text) or "goodbye")
    r = d.respond("c1", Turn("안녕히 계세요", now=1.0))      # the pattern reads it
    assert r.intent == "goodbye" and asked == []
    r = d.respond("c2", Turn("기초연금 얼마예요", now=1.0))   # a service named: never asked
    assert r.topic == "basic_pension" and asked == []
    r = d.respond("c3", Turn("그라믄 나는 인자 볼일 다 봤구마", now=1.0))
    assert asked and r.intent == "goodbye"


def test_a_learned_lost_turn_gets_the_lost_reply(monkeypatch):
    d = Dialogue()
    monkeypatch.setattr(d.controls, "intent", lambda text: "lost")
    r = d.respond("c4", Turn("아이고 여가 우데고 나는 모르겄다", now=1.0))
    assert (r.kind, r.intent) == ("crisis", "lost")


def test_off_turns_it_off_and_a_bad_path_is_a_clear_error(tmp_path):
    assert Dialogue(control_model="off").controls is None
    with pytest.raises(ValueError, match="control_model"):
        Dialogue(control_model=str(tmp_path / "none.npz"))


def test_a_model_file_round_trips(tmp_path, model):
    path = tmp_path / "m.npz"
    np.savez(path, vocab=np.array([" 수고"]), idf=np.ones(1, np.float32), coef=np.array([[5.0], [-5.0]], np.float32),
             intercept=np.zeros(2, np.float32), classes=np.array(["goodbye", "none"]), threshold=np.float32(0.6),
             override=np.float32(1.0))
    m = control.load_model(path)
    assert m.intent("수고") == "goodbye" and m.intent("기초연금") is None
