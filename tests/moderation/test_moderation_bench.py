"""The bench runs on the labelled test set, meets the targets, and prints what it claims."""
import json

import pytest

from nodes.moderation import bench


@pytest.fixture(scope="module")
def result():
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = bench.main(["--json", "--repeat", "1"])
    assert rc == 0
    return json.loads(buf.getvalue())


def test_testset_is_large_and_covers_every_category():
    cases = bench.load_testset()
    main = [c for c in cases if c.split == "main"]
    assert len(main) >= 200
    cats = set().union(*(c.categories for c in main))
    assert set(bench.CRISIS_CATEGORIES) <= cats
    assert {"profanity", "hate", "sexual", "threat"} <= cats
    assert set(bench.PII_KINDS) <= set().union(*(c.pii for c in main))
    assert sum(c.hard for c in main) >= 50


def test_targets_met(result):
    m = result["main"]
    assert m["labels"]["crisis"]["recall"] >= 0.98
    assert m["labels"]["abuse"]["precision"] >= 0.95
    assert m["labels"]["abuse"]["recall"] >= 0.90
    assert m["hard_negatives"]["fp_rate"] <= 0.02
    assert result["latency"]["mean_ms"] <= 5.0
    assert all(result["targets_met"].values())


def test_heldback_failures_are_reported(result):
    assert result["heldback"]["cases"], "held-back known failures must be listed"


def test_blind_split_is_scored_apart(result):
    blind = result["blind"]["score"]
    assert blind["n"] >= 50
    assert blind["labels"]["crisis"]["support"] > 0 and blind["labels"]["abuse"]["support"] > 0
    # Precision on unseen speech must stay high even where recall does not.
    assert blind["labels"]["abuse"]["precision"] >= 0.95
    assert blind["hard_negatives"]["fp_rate"] <= 0.05


def test_blind2_is_large_covers_every_category_and_is_scored_apart(result):
    rows = [c for c in bench.load_testset() if c.split == "blind2"]
    assert len(rows) >= 120
    assert sum(c.label == "crisis" for c in rows) >= 60
    assert sum(c.label == "abuse" for c in rows) >= 25
    assert sum(c.hard and c.label == "allow" for c in rows) >= 35
    assert set(bench.CRISIS_CATEGORIES) <= set().union(*(c.categories for c in rows))
    b2 = result["blind2"]["score"]
    assert b2["n"] == len(rows)
    # Floors at the figures measured once after the 2026-11 rework (crisis R 0.96, abuse P 0.95,
    # hard-negative fp 4/44): a regression guard, not the product targets, which blind2 misses.
    assert b2["labels"]["crisis"]["recall"] >= 0.95
    assert b2["labels"]["abuse"]["precision"] >= 0.95
    assert b2["hard_negatives"]["fp_rate"] <= 0.10


def test_table_output(capsys):
    assert bench.main(["--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "[crisis]" in out and "suicide" in out and "p99" in out and "held-back" in out and "blind split" in out
    assert "blind2 split (frozen" in out and "blind2 + held-back together" in out


def test_bad_testset_row_fails_loudly(tmp_path):
    bad = tmp_path / "t.tsv"
    bad.write_text("main\tabuse\tprofanity\n", encoding="utf-8")
    with pytest.raises(ValueError, match="t.tsv:1"):
        bench.load_testset(bad)
