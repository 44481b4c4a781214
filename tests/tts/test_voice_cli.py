"""run.py tts, voice render and voice status: the cache is keyed by the spoken text, so a KB edit
makes an entry stale, never wrong."""
import json
import os
import shutil
import wave

from nodes.tts.cli import tts_main, voice_main


def kb(folder, answer):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "pension.yaml"), "w", encoding="utf-8") as f:
        f.write(f"id: pension\ntitle: 기초연금\nanswer: {answer}\nfacets:\n  amount: 한 달 최대 34만 9,700원입니다.\n")


def status(capsys, *args):
    capsys.readouterr()
    assert voice_main(["status", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_render_status_stale(tmp_path, capsys):
    folder, cache = str(tmp_path / "kb"), str(tmp_path / "cache")
    kb(folder, "기초연금은 만 65세 이상이면 받습니다. 주민센터에서 신청하세요.")
    args = ["--kb", folder, "--cache", cache]
    before = status(capsys, *args)
    assert before["counts"]["ok"] == 0 and before["counts"]["missing"] > 3
    assert voice_main(["render", "--backend", "espeak", *args]) == 0
    after = status(capsys, *args)
    assert after["counts"] == {"ok": len(after["entries"]), "stale": 0, "missing": 0}
    assert {e["voice"] for e in after["entries"]} == {"espeak"}
    kb(folder, "기초연금은 만 66세 이상이면 받습니다. 주민센터에서 신청하세요.")     # staff edit the KB
    edited = {e["name"]: e["state"] for e in status(capsys, *args)["entries"]}
    assert edited["kb/pension/answer#0"] == "stale" and edited["kb/pension/answer#1"] == "ok"


def test_tts_command_json(tmp_path, capsys):
    out = str(tmp_path / "a.wav")
    assert tts_main(["2시 30분에 1577-1389로 전화하세요.", "--out", out, "--json", "--no-cache"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["normalized"] == "두 시 삼십 분에 일오칠칠, 일삼팔구로 전화하세요."
    with wave.open(out) as w:
        assert abs(w.getnframes() / w.getframerate() - d["duration_s"]) < 0.01
    phones, words = d["timeline"]["phones"], d["timeline"]["words"]
    assert phones and all(0 <= s <= e <= d["duration_s"] + 1e-3 for s, e, _ in phones)
    assert [w[2] for w in words][:2] == ["2", "2시"] and words[-1][2] == "전화하세요."   # 두 | 시


def test_tts_command_unknown_backend(tmp_path, capsys):
    assert tts_main(["안녕하세요", "--out", str(tmp_path / "x.wav"), "--backend", "nope"]) == 1
    assert "unknown TTS backend 'nope'" in capsys.readouterr().err
