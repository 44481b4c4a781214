import datetime as dt
from pathlib import Path

import pytest

from nodes.dialogue import spoken
from nodes.dialogue.importer import FaqImportError, import_faq
from nodes.dialogue.kb import load_kb

FAQ = Path(__file__).resolve().parent / "fixtures" / "faq.csv"
HEADER = "topic,question,q2,answer,phone\n"


def _csv(tmp_path, body: str, header: str = HEADER, encoding="utf-8") -> Path:
    p = tmp_path / "faq.csv"
    p.write_bytes((header + body).encode(encoding))
    return p


def test_import_writes_a_loadable_kb(tmp_path):
    out = tmp_path / "kb"
    paths = import_faq(FAQ, out, as_of=dt.date(2025, 3, 1))
    assert len(paths) == 5  # four rows + staff_call
    kb = load_kb(out, strict=True)
    t = kb.by_id["membership"]
    assert t.questions == ("회원증은 어떻게 만들어요?", "도서관 카드 발급받고 싶어요", "회원 가입 방법 알려 주세요")
    assert t.source == "https://library.example.go.kr/faq" and t.phone == "031-123-4567"
    assert t.as_of == dt.date(2025, 3, 1) and "안내데스크" in t.apply
    # a long answer is cut for speech; the whole text stays on screen
    parking = kb.by_id["parking"]
    assert parking.answer.count(".") <= 3 and "경차는 반값입니다." in parking.detail
    assert "staff_call" in kb.by_id


def test_imported_kb_answers_questions(tmp_path):
    from nodes.dialogue.policy import Dialogue, Turn

    import_faq(FAQ, tmp_path / "kb")
    d = Dialogue(tmp_path / "kb")
    r = d.respond("s", Turn("책은 몇 권 빌려요"))
    assert (r.kind, r.topic) == ("answer", "loans")
    assert d.respond("s", Turn("주차 되나요")).topic == "parking"


def test_bad_rows_report_row_numbers_and_write_nothing(tmp_path):
    csv = _csv(tmp_path, "a,질문 하나,,답입니다.,1\n"
                         "b,,,답입니다.,1\n"          # row 3: no question
                         "c,질문 셋,,,1\n"            # row 4: no answer
                         "a,질문 넷,,다른 답입니다.,1\n")  # row 5: same topic, other answer
    out = tmp_path / "kb"
    with pytest.raises(FaqImportError) as err:
        import_faq(csv, out)
    msg = str(err.value)
    assert "row 3: no question" in msg and "row 4: empty answer" in msg and "row 5:" in msg
    assert "row 2:" not in msg and "nothing written" in msg and "(row 2)" in msg
    assert not out.exists()


def test_header_needs_question_and_one_answer_column(tmp_path):
    with pytest.raises(FaqImportError, match="row 1: no question column"):
        import_faq(_csv(tmp_path, "x,y\n", header="title,answer\n"), tmp_path / "kb")
    with pytest.raises(FaqImportError, match="exactly one 'answer'"):
        import_faq(_csv(tmp_path, "x,y\n", header="question,text\n"), tmp_path / "kb")


def test_response_column_cp949_and_rows_with_same_topic_merge(tmp_path):
    csv = _csv(tmp_path, "주차,주차장 있어요?,지하에 있습니다.\n주차,차 대도 돼요?,지하에 있습니다.\n",
               header="topic,Question,response\n", encoding="cp949")
    import_faq(csv, tmp_path / "kb", phone="02-000-0000")
    kb = load_kb(tmp_path / "kb")
    (topic,) = kb.service_topics
    assert topic.questions == ("주차장 있어요?", "차 대도 돼요?") and topic.title == "주차"
    assert topic.id == "faq_002" and topic.phone == "02-000-0000"


def test_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "kb"
    import_faq(FAQ, out)
    with pytest.raises(FaqImportError, match="already holds YAML"):
        import_faq(FAQ, out)
    assert import_faq(FAQ, out, force=True)


def test_duplicates_are_merged_or_renamed_and_never_offered_as_a_choice(tmp_path):
    from nodes.dialogue.policy import Dialogue, Turn

    csv = _csv(tmp_path, "question,answer\n"
                         "회원증 만들기,1층 안내데스크에서 신분증을 보여 주시면 바로 만들어 드립니다.\n"
                         "회원증 만들기,1층 안내데스크에서 신분증을 보여 주시면 바로 만들어 드립니다.\n"
                         "회원증 만드는 법,1층 안내데스크에서 신분증을 보여 주시면 바로 만들어 드립니다.\n"
                         "책 반납,반납은 1층 무인 반납기에 넣으시면 됩니다.\n"
                         "책 반납,반납은 2층 종합자료실 창구에서 받습니다. 밤에는 무인 반납기를 쓰세요.\n", header="")
    notes: list[str] = []
    import_faq(csv, tmp_path / "kb", notes=notes)
    kb = load_kb(tmp_path / "kb")
    titles = [t.title for t in kb.service_topics]
    assert len(titles) == 3 and len(set(titles)) == 3          # one topic per answer, each its own title
    assert sum("merged" in n for n in notes) == 2 and sum("titled" in n for n in notes) == 1
    d = Dialogue(tmp_path / "kb")
    for q in ("회원증 만들고 싶어요", "책 반납 어디서 해요", "책 반납"):
        r = d.respond(q, Turn(q))
        assert not (r.intent == "tie" and r.suggestions[0] == r.suggestions[1])


def test_an_imported_entry_speaks_its_answer_never_a_generic_line(tmp_path):
    from nodes.dialogue.policy import Dialogue, Turn

    csv = _csv(tmp_path, "question,answer\n"
                         "셀 보호 해제,도구 메뉴에서 시트 보호를 누르면 보호가 풀립니다. 암호를 정했다면 암호를 넣고 확인을 누릅니다. "
                         "이제 셀을 고칠 수 있습니다.\n"
                         "글꼴 바꾸기,서식 메뉴에서 문자를 고르고 글꼴을 바꿉니다.\n", header="")
    import_faq(csv, tmp_path / "kb")
    d = Dialogue(tmp_path / "kb")
    for q in ("셀 보호는 어떻게 풀어요?", "셀 보호 해제하는 데 돈 들어요?", "셀 보호 해제 누가 할 수 있어요?"):
        r = d.respond(q, Turn(q))
        assert r.topic == "faq_002" and "화면의 자세한 안내" not in r.text and "문의해 주세요" not in r.text
        assert "보호" in r.text and len(spoken.sentences(r.text)) <= 2
        assert "이제 셀을 고칠 수 있습니다" in r.detail
