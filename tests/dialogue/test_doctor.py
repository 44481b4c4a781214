"""`run.py doctor` checks of the dialogue: the knowledge base loads and answers a known question."""
from nodes.dialogue import cli


def test_doctor_reports_the_topics_and_a_known_answer():
    checks = cli.doctor_dialogue()
    assert [status for status, _, _ in checks] == ["OK", "OK"]
    assert "topics" in checks[0][1] and cli.KNOWN_QUESTION[1] in checks[1][1]


def test_doctor_names_a_broken_knowledge_base(monkeypatch):
    from nodes.dialogue.kb import KbError

    def broken(_):
        raise KbError("kb: /nope: no topic files (*.yaml)")
    monkeypatch.setattr(cli, "load_kb", broken)
    (status, detail, fix), = cli.doctor_dialogue()
    assert status == "FAIL" and "/nope" in detail and "kb check" in fix


def test_doctor_is_registered_for_run_py():
    assert cli.DOCTOR["dialogue"][1] == "doctor_dialogue"
