"""The rejected n-gram backstop: it trains, separates an easy toy set, and its training file
holds only development splits (never blind4)."""
from nodes.moderation.backstop import DEFAULT_TRAINING, TRAIN_SPLITS, NaiveBayes, Row, load_rows


def test_naive_bayes_separates_a_toy_set():
    rows = [Row("main", "suicide", "죽고 싶어요"), Row("main", "suicide", "정말 죽고 싶다"),
            Row("main", "allow", "날씨가 좋아요"), Row("main", "allow", "오늘 날씨 좋네요"),
            Row("main", "abuse", "씨발 뭐야")]
    nb = NaiveBayes(rows)
    p, category = nb.crisis("너무 죽고 싶네요")
    assert category == "suicide" and p > 0.5
    assert nb.crisis("날씨가 참 좋네요")[0] < 0.5


def test_training_file_uses_development_splits_only():
    rows = load_rows(DEFAULT_TRAINING)
    assert len(rows) > 900
    assert {r.split for r in rows} <= set(TRAIN_SPLITS)
