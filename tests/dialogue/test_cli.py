import io
import json
import subprocess
import sys
from pathlib import Path

from nodes.dialogue import bench, cli

HERE = Path(__file__).resolve().parent
KB_DIR = HERE / "fixtures" / "kb"
ROOT = HERE.parents[1]


def test_ask_json_single_question(capsys):
    assert cli.ask_main(["기초연금", "얼마", "받아요?", "--kb", str(KB_DIR), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "answer" and out["topic"] == "basic_pension"
    assert out["text"] and out["sources"] == ["https://basicpension.mohw.go.kr"]
    assert out["user_text"] == "기초연금 얼마 받아요?"


def test_ask_masks_personal_data_in_user_text(capsys):
    cli.ask_main(["제 번호 010-2345-6789 인데 직원 불러 주세요", "--kb", str(KB_DIR), "--json"])
    out = json.loads(capsys.readouterr().out)
    # a person is called either way (moderation may read this as a crime report: then a crisis)
    assert out["kind"] in ("escalate", "crisis") and "2345-6789" not in json.dumps(out, ensure_ascii=False)


def test_ask_reads_stdin_one_fresh_session_per_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("기초연금 얼마예요\n\n어디서 신청해요?\n오늘 야구 누가 이겼어요\n"))
    assert cli.ask_main(["--kb", str(KB_DIR), "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["kind"] for x in lines] == ["answer", "clarify", "ood"]  # line 2 has no context: fresh session


def test_ask_reports_kb_error(capsys, tmp_path):
    assert cli.ask_main(["안녕", "--kb", str(tmp_path / "none")]) == 1
    assert "not found" in capsys.readouterr().err


def test_kb_import_check_and_report(capsys, tmp_path):
    out = tmp_path / "kb"
    assert cli.kb_main(["import", str(HERE / "fixtures" / "faq.csv"), "--out", str(out)]) == 0
    assert "wrote 5 topics" in capsys.readouterr().out
    assert cli.kb_main(["check", str(out)]) == 0
    assert "5 topics" in capsys.readouterr().out
    db = tmp_path / "log.sqlite"
    assert cli.ask_main(["오늘 야구 누가 이겼어요", "--kb", str(out), "--log", str(db)]) == 0
    capsys.readouterr()
    assert cli.kb_main(["report", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"question": "오늘 야구 누가 이겼어요", "count": 1}]


def test_kb_import_bad_file_exit_code(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("question,answer\n질문,\n", encoding="utf-8")
    assert cli.kb_main(["import", str(bad), "--out", str(tmp_path / "kb")]) == 1
    assert "row 2: empty answer" in capsys.readouterr().err
    assert not (tmp_path / "kb").exists()


def test_bench_prints_figures(capsys):
    fx = HERE / "fixtures"
    argv = ["dialogue", "--kb", str(KB_DIR), "--heldout", str(fx / "heldout.tsv"), "--ood", str(fx / "ood.tsv"),
            "--faq-csv", str(fx / "faq.csv"), "--faq-heldout", str(fx / "heldout_faq_none.tsv"),
            "--heldout2", str(fx / "none.tsv"), "--ood2", str(fx / "none.tsv"),
            "--entries", "60", "--queries", "30", "--faq-real", "", "--json"]
    assert bench.main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["heldout"]["n"] == 10 and out["heldout"]["top1"] >= 0.8
    assert out["ood"]["reject"] == 1.0
    assert out["latency"]["entries"] == 60 and out["latency"]["mean_ms"] < 100
    assert "heldout2" not in out and "ood2" not in out  # the independent sets are optional


def test_real_faq_bench_scores_engine_and_plain_bm25_on_the_same_queries(tmp_path):
    from nodes.dialogue import bench_faq

    (tmp_path / "faq.csv").write_bytes((HERE / "fixtures" / "faq.csv").read_bytes())
    (tmp_path / "paraphrases.tsv").write_text("id\tparaphrase\nloans\t한 번에 책을 몇 권 가져갈 수 있나요\n"
                                              "parking\t차 세울 곳이 있어요\nhours\t몇 시에 문 닫아요\n", encoding="utf-8")
    out = bench_faq.run(tmp_path, dense=None)
    real = out["faq_real"]
    assert real["n"] == 3 and real["dense"] == "" and 0 <= real["bm25_top1"] <= 1
    assert real["top1"] >= 2 / 3 and real["turn_ms_mean"] > 0 and "faq_dev" not in out


def test_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "nodes.dialogue.cli", "ask", "직원 불러 주세요", "--kb", str(KB_DIR),
                           "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kind"] == "escalate"


def test_ask_runs_real_moderation_crisis_first(capsys):
    import pytest

    pytest.importorskip("nodes.moderation.engine")
    assert cli.ask_main(["기초연금 신청하려는데 그냥 죽고 싶어요", "--kb", str(KB_DIR), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "crisis" and out["hotline"] == "109" and "직원이 곧" in out["text"]


def test_chat_typed_conversation(capsys, monkeypatch):
    lines = iter(["기초연금 얼마예요", "어디서 신청해요?", "천천히 말해 주세요", "안녕히 계세요"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    assert cli.chat_main(["--kb", str(KB_DIR)]) == 0
    out = capsys.readouterr().out.splitlines()
    said = [x for x in out if x.startswith("상담")]
    assert said[0].startswith("상담: 안녕하세요")
    assert "행정복지센터" in said[2] and said[3].startswith("상담 (천천히):") and "안녕히 가세요" in said[4]


def test_staff_clear_without_a_graph_says_how_to_start_one(capsys):
    assert cli.staff_clear_main(["--session", "x", "--bus", "127.0.0.1:7659"]) == 2
    assert "Start the graph first" in capsys.readouterr().err
