import sqlite3
from pathlib import Path

from nodes.dialogue.convlog import ConversationLog, mask_pii
from nodes.dialogue.policy import Dialogue, Turn

KB_DIR = Path(__file__).resolve().parent / "fixtures" / "kb"

PHONE, RRN, CARD = "010-9876-5432", "800101-1234567", "4111 1111 1111 1111"


def test_log_is_wal_and_report_lists_frequent_unanswered(tmp_path):
    log = ConversationLog(tmp_path / "log.sqlite")
    for text, kind in [("여권 어디서 만들어요", "ood"), ("여권 어디서 만들어요?", "ood"), ("기초연금 얼마", "answer"),
                       ("날씨 어때요", "ood"), ("여권  어디서 만들어요", "ood")]:
        log.write(session_id="s", user_text=text, kind=kind, latency_ms=1.0)
    assert log.unanswered() == [("여권 어디서 만들어요", 3), ("날씨 어때요", 1)]
    mode = sqlite3.connect(tmp_path / "log.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_no_unmasked_personal_data_reaches_the_log(tmp_path):
    path = tmp_path / "log.sqlite"
    d = Dialogue(KB_DIR, log_path=str(path))
    # the caller forgot to mask: the log masks again at write time
    texts = [f"제 번호는 {PHONE}이에요 기초연금 얼마예요", f"주민번호 {RRN} 불러 드릴게요", f"카드 {CARD} 로 내요",
             "메일은 halmoni@example.com 이에요"]
    for i, text in enumerate(texts):
        d.respond(f"sess-{PHONE}", Turn(text=text, now=float(i)))
    rows = ConversationLog(path).rows()
    assert len(rows) == len(texts)
    assert rows[0]["topic"] == "basic_pension" and rows[0]["latency_ms"] > 0
    dump = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (PHONE, RRN, CARD, "halmoni@example.com", "9876", "1234567"):
        assert secret.encode() not in dump, secret
        assert all(secret not in str(v) for row in rows for v in row.values())


def test_mask_pii_masks_digits_even_without_moderation_package():
    masked = mask_pii(f"연락처 {PHONE}")
    assert PHONE not in masked and "5432" not in masked
