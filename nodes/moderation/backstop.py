"""Candidate learned crisis backstop, NOT used by the engine: a character n-gram (2-4)
multinomial naive Bayes in numpy, trained from config/moderation/training.tsv (labelled rows of
the main, blind, blind2 and blind3 splits; never blind4). Classes are allow, abuse and each crisis
category; P(crisis) is the summed posterior of the crisis categories.

It was meant to raise `allow` to `crisis` when P(crisis) is very high. Leave-one-split-out
cross-validation (2026-11-25) rejected it: at every threshold tried (0.9 to 1 - 1e-9) it flags
11-44 % of the held-out hard negatives (target: at most 2 %), because hard negatives share their
character n-grams with crises by design. The module stays so that the figures can be reproduced.

    python -m nodes.moderation.backstop build   # (re)write training.tsv from the test sets
    python -m nodes.moderation.backstop cv      # leave-one-split-out cross-validation
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_TRAINING = Path(__file__).resolve().parents[2] / "config" / "moderation" / "training.tsv"
TRAIN_SPLITS = ("main", "blind", "blind2", "blind3")
CV_THRESHOLDS = (0.9, 0.99, 0.99999, 1 - 1e-9)
NGRAMS = (2, 3, 4)
ALPHA = 0.5  # additive smoothing of n-gram counts


def ngrams(text: str) -> list[str]:
    t = " " + " ".join(text.lower().split()) + " "
    return [t[i:i + n] for n in NGRAMS for i in range(len(t) - n + 1)]


@dataclass
class Row:
    split: str
    cls: str   # allow | abuse | a crisis category
    text: str


def load_rows(path: Path = DEFAULT_TRAINING) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip() or line.startswith("#") or line.startswith("split\t"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 3:
                raise ValueError(f"{path}:{n}: expected split, class, text")
            rows.append(Row(*cols))
    return rows


class NaiveBayes:
    def __init__(self, rows: list[Row]) -> None:
        self.classes = sorted({r.cls for r in rows})
        index = {c: k for k, c in enumerate(self.classes)}
        vocab: dict[str, int] = {}
        pairs = []
        for r in rows:
            for g in ngrams(r.text):
                pairs.append((index[r.cls], vocab.setdefault(g, len(vocab))))
        counts = np.zeros((len(self.classes), len(vocab)))
        if pairs:
            cls_idx, feat_idx = np.array(pairs).T
            np.add.at(counts, (cls_idx, feat_idx), 1.0)
        counts += ALPHA
        self.log_lik = np.log(counts / counts.sum(axis=1, keepdims=True))
        self.log_unseen = np.log(ALPHA / counts.sum(axis=1))
        prior = np.array([sum(r.cls == c for r in rows) for c in self.classes], dtype=float)
        self.log_prior = np.log(prior / prior.sum())
        self.vocab = vocab

    def posterior(self, text: str) -> dict[str, float]:
        score = self.log_prior.copy()
        for g in ngrams(text):
            k = self.vocab.get(g)
            score += self.log_lik[:, k] if k is not None else self.log_unseen
        score -= score.max()
        p = np.exp(score)
        p /= p.sum()
        return dict(zip(self.classes, p.tolist()))

    def crisis(self, text: str) -> tuple[float, str]:
        """(P(crisis), the most probable crisis category)."""
        post = self.posterior(text)
        crisis = {c: p for c, p in post.items() if c not in ("allow", "abuse")}
        best = max(crisis, key=crisis.get)
        return sum(crisis.values()), best


def build(out: Path = DEFAULT_TRAINING) -> int:
    from .bench import DEFAULT_BLIND3, DEFAULT_TESTSET, load_testset
    cases = [c for c in load_testset(DEFAULT_TESTSET) + load_testset(DEFAULT_BLIND3)
             if c.split in TRAIN_SPLITS]
    with out.open("w", encoding="utf-8") as fh:
        fh.write("# Training rows for nodes/moderation/backstop.py, written by `python -m "
                 "nodes.moderation.backstop build`\n# from the labelled main, blind, blind2 and "
                 "blind3 rows of tests/data/moderation (never blind4).\n# class: allow | abuse | "
                 "the first crisis category of the row.\nsplit\tclass\ttext\n")
        for c in cases:
            cls = c.label if c.label != "crisis" else sorted(c.categories)[0]
            fh.write(f"{c.split}\t{cls}\t{c.text}\n")
    return len(cases)


def cross_validate(thresholds=CV_THRESHOLDS) -> None:
    """Leave one split out: train on three of main/blind/blind2/blind3, test on the fourth.
    Reports, per held-out split, the backstop's own crisis recall, its flags on non-crisis rows
    and on hard negatives, and, on top of the current rules, the rule misses it would catch and
    the rule-allowed rows it would raise wrongly."""
    from .bench import DEFAULT_BLIND3, DEFAULT_TESTSET, load_testset
    from .engine import Moderator
    cases = [c for c in load_testset(DEFAULT_TESTSET) + load_testset(DEFAULT_BLIND3)
             if c.split in TRAIN_SPLITS]
    mod = Moderator()
    rule_label = {id(c): mod.check(c.text).label for c in cases}
    rows = {id(c): Row(c.split, c.label if c.label != "crisis" else sorted(c.categories)[0], c.text)
            for c in cases}
    for thr in thresholds:
        print(f"threshold {thr}:")
        tot = dict(crisis=0, caught=0, allow=0, flagged=0, hard=0, hard_flagged=0, missed=0, rescued=0,
                   raised_fp=0)
        for held in TRAIN_SPLITS:
            nb = NaiveBayes([rows[id(c)] for c in cases if c.split != held])
            test = [c for c in cases if c.split == held]
            p = {id(c): nb.crisis(c.text)[0] for c in test}
            crisis = [c for c in test if c.label == "crisis"]
            allow = [c for c in test if c.label != "crisis"]
            hard = [c for c in test if c.hard]
            missed = [c for c in crisis if rule_label[id(c)] != "crisis"]
            f = dict(crisis=len(crisis), caught=sum(p[id(c)] >= thr for c in crisis),
                     allow=len(allow), flagged=sum(p[id(c)] >= thr for c in allow),
                     hard=len(hard), hard_flagged=sum(p[id(c)] >= thr for c in hard),
                     missed=len(missed), rescued=sum(p[id(c)] >= thr for c in missed),
                     raised_fp=sum(p[id(c)] >= thr and rule_label[id(c)] == "allow" for c in allow))
            for k in tot:
                tot[k] += f[k]
            _print_fold(held, f)
        _print_fold("all", tot)


def _print_fold(name: str, f: dict) -> None:
    print(f"  {name:7} backstop alone: crisis recall {f['caught']}/{f['crisis']} "
          f"({f['caught'] / max(1, f['crisis']):.3f}), non-crisis flagged {f['flagged']}/{f['allow']}, "
          f"hard negatives flagged {f['hard_flagged']}/{f['hard']} "
          f"({f['hard_flagged'] / max(1, f['hard']):.3f}); on top of the rules: rule misses caught "
          f"{f['rescued']}/{f['missed']}, allow rows raised wrongly {f['raised_fp']}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        print(f"wrote {build()} rows to {DEFAULT_TRAINING}")
    elif argv[:1] == ["cv"]:
        cross_validate()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
