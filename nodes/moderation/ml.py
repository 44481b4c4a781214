"""Optional ML backend: a local transformers sequence-classification checkpoint.

An operator supplies a directory saved with `save_pretrained` (for example a KcELECTRA
hate-speech classifier fine-tuned elsewhere); nothing is fetched from a hub. torch and
transformers are imported only when this backend is constructed.

    clf = TransformersClassifier("/opt/models/kcelectra-hate")
    p, category = clf.abuse_probability("...")   # p in 0..1, category one of ABUSE_CATEGORIES

Labels are read from the checkpoint's config.id2label. Labels named like "clean", "none",
"normal" (or listed in clean_labels) count as harmless; the abuse probability is 1 - P(clean)
for single-label (softmax) models and the largest non-clean sigmoid for multi-label models.
A label's name picks the verdict category: hate/혐오/차별 -> hate, sex/성적/음란 -> sexual,
threat/위협/violence/폭력 -> threat, anything else -> profanity.
"""
from __future__ import annotations

import threading
from pathlib import Path

DEFAULT_CLEAN_LABELS = ("clean", "none", "normal", "neutral", "non-hate", "not_hate", "ok", "safe",
                        "일반", "정상", "없음")
_CATEGORY_HINTS = (("hate", ("hate", "혐오", "차별", "race", "gender", "age", "region")),
                   ("sexual", ("sex", "성적", "음란", "sexual")),
                   ("threat", ("threat", "위협", "violence", "폭력")))


def category_for_label(label: str) -> str:
    low = label.lower()
    for category, hints in _CATEGORY_HINTS:
        if any(h in low for h in hints):
            return category
    return "profanity"


class TransformersClassifier:
    """Wraps a local sequence-classification checkpoint; thread-safe `abuse_probability`."""

    def __init__(self, model_dir: str | Path, clean_labels: tuple[str, ...] | None = None,
                 max_length: int = 128, num_threads: int = 1) -> None:
        path = Path(model_dir)
        if not path.is_dir():
            raise FileNotFoundError(f"ML model directory not found: {path}")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._torch = torch
        torch.set_num_threads(num_threads)
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(str(path), local_files_only=True)
        self.model.eval()
        self.max_length = max_length
        config = self.model.config
        self.labels = [str(config.id2label[i]) for i in range(config.num_labels)]
        self.multi_label = getattr(config, "problem_type", None) == "multi_label_classification"
        clean = {c.lower() for c in (clean_labels or DEFAULT_CLEAN_LABELS)}
        self.clean = [i for i, name in enumerate(self.labels) if name.lower() in clean]
        if not self.clean and not self.multi_label:
            self.clean = [0]  # unnamed LABEL_0/LABEL_1 checkpoints: index 0 is the harmless class
        self._lock = threading.Lock()

    def predict(self, text: str) -> dict[str, float]:
        """Probability per label."""
        torch = self._torch
        inputs = self.tokenizer(text, return_tensors="pt", truncation=True, max_length=self.max_length)
        with self._lock, torch.no_grad():
            logits = self.model(**inputs).logits[0]
        probs = torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)
        return {name: float(p) for name, p in zip(self.labels, probs)}

    def abuse_probability(self, text: str) -> tuple[float, str]:
        probs = self.predict(text)
        harmful = {name: p for i, (name, p) in enumerate(probs.items()) if i not in self.clean}
        if not harmful:
            return 0.0, "profanity"
        top = max(harmful, key=harmful.get)
        if self.multi_label:
            score = harmful[top]
        else:
            score = 1.0 - sum(p for i, p in enumerate(probs.values()) if i in self.clean)
        return max(0.0, min(1.0, score)), category_for_label(top)
