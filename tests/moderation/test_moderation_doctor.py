"""`run.py doctor` checks of moderation: lexicons and classifier weights load, a known crisis is caught."""
from nodes.moderation import cli


def test_doctor_loads_everything_and_catches_the_known_crisis():
    checks = cli.doctor_moderation()
    assert [status for status, _, _ in checks] == ["OK", "OK"]
    assert "crisis rules" in checks[0][1] and "features" in checks[0][1]
    assert cli.KNOWN_CRISIS[0] in checks[1][1] and "119" in checks[1][1]


def test_doctor_says_how_to_rebuild_a_missing_model(monkeypatch, tmp_path):
    from nodes.moderation import classifier
    monkeypatch.setattr(classifier, "DEFAULT_MODEL", tmp_path / "none.npz")
    (status, detail, fix), = cli.doctor_moderation()
    assert status == "FAIL" and "none.npz" in detail and "classifier build" in fix


def test_doctor_is_registered_for_run_py():
    assert cli.DOCTOR["moderation"][1] == "doctor_moderation"
