import shutil
from pathlib import Path

import pytest

from nodes.dialogue.kb import KbError, load_kb

KB_DIR = Path(__file__).resolve().parent / "fixtures" / "kb"


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "kb"
    shutil.copytree(KB_DIR, dst)
    return dst


def test_fixture_kb_loads_with_all_fields():
    kb = load_kb(KB_DIR, strict=True)
    t = kb.by_id["basic_pension"]
    assert t.title == "기초연금" and t.phone == "129"
    assert t.as_of.year == 2025 and "amount" in t.facets
    assert "staff_call" in kb.by_id and kb.synonyms["기초연금"]
    assert all(x.id != "staff_call" for x in kb.service_topics)


@pytest.mark.parametrize("edit, key", [
    (lambda s: s.replace("phone: \"129\"\n", ""), "'phone'"),
    (lambda s: s + "colour: blue\n", "'colour'"),
    (lambda s: s.replace("as_of: 2025-01-01", "as_of: last year"), "'as_of'"),
    (lambda s: s.replace("id: basic_pension", "id: Basic Pension"), "'id'"),
    (lambda s: s.replace("  amount:", "  price:"), "'facets.price'"),
    (lambda s: s.replace("questions:\n", "questions: []\nx:\n"), "'x'"),
])
def test_errors_name_file_and_key(tmp_path, edit, key):
    kb = _copy(tmp_path)
    f = kb / "basic_pension.yaml"
    f.write_text(edit(f.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(KbError) as err:
        load_kb(kb)
    assert "basic_pension.yaml" in str(err.value) and key in str(err.value) and "Fix:" in str(err.value)


def test_invalid_yaml_reports_line(tmp_path):
    kb = _copy(tmp_path)
    (kb / "broken.yaml").write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(KbError, match=r"broken.yaml: invalid YAML at line"):
        load_kb(kb)


def test_duplicate_id_and_missing_staff_call(tmp_path):
    kb = _copy(tmp_path)
    shutil.copy(kb / "dentures.yaml", kb / "dentures_copy.yaml")
    with pytest.raises(KbError, match="also used in"):
        load_kb(kb)
    (kb / "dentures_copy.yaml").unlink()
    (kb / "staff_call.yaml").unlink()
    with pytest.raises(KbError, match="staff_call"):
        load_kb(kb)
    assert load_kb(kb, require_staff_call=False).topics


def test_long_spoken_answer_is_warning_or_error(tmp_path):
    kb = _copy(tmp_path)
    f = kb / "dentures.yaml"
    text = f.read_text(encoding="utf-8").replace(
        "본인 부담은 30% 정도입니다.", "본인 부담은 30% 정도입니다. 치과에 가세요. 신분증을 챙기세요.")
    f.write_text(text, encoding="utf-8")
    loaded = load_kb(kb)
    assert len(loaded.warnings) == 1 and "dentures.yaml, key 'answer'" in loaded.warnings[0]
    with pytest.raises(KbError, match="4 sentences"):
        load_kb(kb, strict=True)


def test_missing_directory():
    with pytest.raises(KbError, match="not found"):
        load_kb("/nonexistent/kb")
