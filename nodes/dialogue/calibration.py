"""Calibration of the out-of-domain decision, on the knowledge base's own examples only.

Positives: each example question scored with itself left out (leave-one-out); a topic with only
one example (an imported FAQ) is scored from its answer text alone, with the example and the title
(usually the same words) left out. Negatives: each
example scored with its whole topic left out (near domain), a topic's name with an everyday ask
it cannot answer (near miss, NEAR_MISS_TEMPLATES), and everyday questions (GENERIC_OOD). A
class-balanced, monotone logistic regression gives the confidence; the thresholds follow from
target error rates on those same examples. Nothing from a test set is used.
"""

from __future__ import annotations

import math
import random

import numpy as np

from nodes.dialogue.background import GENERIC_OOD, NEAR_MISS_TEMPLATES
from nodes.dialogue.text import normalize

FEATURE_NAMES = ("score", "coverage_morph", "coverage_char", "oov_morph", "oov_char", "oov_noun", "length",
                 "uncovered", "background", "object_uncovered", "bias")


def calibration_set(r) -> tuple[np.ndarray, np.ndarray, float]:
    """Feature rows and labels: leave-one-out KB examples (1), leave-one-topic-out examples, near misses
    and everyday questions (0); also the leave-one-out top-1."""
    p = r.params
    rng = random.Random(p.seed)
    qdocs = [int(i) for i in np.flatnonzero(r.doc_is_question)]
    if len(qdocs) > p.calibration_limit:
        qdocs = rng.sample(qdocs, p.calibration_limit)
    X, y, correct, n_loo = [], [], 0, 0
    multi = {ti for ti in range(len(r.topics)) if len(r.topics[ti].questions) > 1}
    for d in qdocs:
        ti = int(r.doc_topic[d])
        text = r._doc_texts[d]
        own = np.array([d]) if ti in multi else np.array([d, r.topic_start[ti] + len(r.topics[ti].questions)])
        if ti in multi or len(multi) < len(r.topics) // 2:
            order, _, feats = r._rank(text, exclude_docs=own)
            # an example its siblings do not retrieve is not evidence either way: leave it out
            if order[0] == ti and feats[0] > 0:  # (all-zero scores rank topic 0 first by accident)
                X.append(feats); y.append(1.0)
                correct += 1
            n_loo += 1
        if len(r.topics) > 2:
            _, _, feats = r._rank(text, exclude_topic=ti, exclude_docs=np.flatnonzero(r.doc_topic == ti))
            X.append(feats); y.append(0.0)
    # near misses: a topic's name with an everyday ask the topic cannot answer
    named = [t for t in r.topics if len(normalize(t.title)) >= 2]
    named = rng.sample(named, min(len(named), p.calibration_limit // 4))
    r._n_near_miss = len(named)
    for topic in named:
        _, _, feats = r._rank(rng.choice(NEAR_MISS_TEMPLATES).format(name=topic.title))
        X.append(feats); y.append(0.0)
    r._n_generic = len(GENERIC_OOD)
    r._generic_dense = []
    for i, text in enumerate(GENERIC_OOD):  # kept last: _calibrate reads them back as the final rows
        order, _, feats = r._rank(text, exclude_background=i)
        X.append(feats); y.append(0.0)
        if r._last_dense_topics is not None:
            r._generic_dense.append(float(r._last_dense_topics[1][order[0]]))
    return np.array(X), np.array(y), correct / max(1, n_loo)


def calibrate(r) -> None:
    """Fit r.weights, r.threshold, r.answer_threshold, r.background_ratio and r.dense_floor on
    calibration_set(r)."""
    X, y, loo_top1 = calibration_set(r)
    if y.sum() == 0 or y.sum() == len(y):
        r.weights = np.zeros(len(FEATURE_NAMES))
        r.weights[0], r.weights[-1] = 8.0, -1.0
        r.threshold = r.answer_threshold = 0.5
        return
    # class-balanced, L2-regularised logistic regression by gradient descent
    # half the weight on in-domain examples; the other half split between near-domain
    # (leave-one-topic-out) and everyday questions, so neither kind of negative dominates
    generic = np.zeros(len(y), dtype=bool)
    generic[-r._n_generic:] = True
    near_miss = np.zeros(len(y), dtype=bool)
    near_miss[len(y) - r._n_generic - r._n_near_miss:len(y) - r._n_generic] = True
    near = (y == 0) & ~generic & ~near_miss
    sw = np.where(y == 1, 0.5 / max(1, (y == 1).sum()), 0.0)
    groups = [g for g in (near, near_miss, generic) if g.any()]
    for g in groups:
        sw[g] = 0.5 / len(groups) / g.sum()
    sw *= len(y)
    w = np.zeros(X.shape[1])
    off = [FEATURE_NAMES.index(n) for n in r.params.disabled_features]
    # monotone: more score or coverage never lowers confidence, more unknown words never raise it
    lo = np.array([0, 0, 0, -np.inf, -np.inf, -np.inf, -np.inf, -np.inf, -np.inf, -np.inf, -np.inf])
    hi = np.array([np.inf, np.inf, np.inf, 0, 0, 0, np.inf, 0, 0, 0, np.inf])

    for _ in range(1500):
        pr = 1.0 / (1.0 + np.exp(-(X @ w)))
        grad = X.T @ (sw * (pr - y)) / len(y) + 1e-3 * np.r_[w[:-1], 0.0]
        w = np.clip(w - 2.0 * grad, lo, hi)
        w[off] = 0.0
    r.weights = w
    pr = 1.0 / (1.0 + np.exp(-(X @ w)))
    pos = np.sort(pr[y == 1])
    # highest threshold that keeps false rejection of in-domain examples within target, never above 0.5
    k = int(math.floor(r.params.max_false_reject * len(pos)))
    r.threshold = float(min(0.5, pos[k] - 1e-9)) if len(pos) else 0.5
    # but everyday small talk is rejected however few examples the KB has (a tiny KB's
    # leave-one-out minimum can sit at almost zero)
    generic = np.sort(pr[generic])
    r.threshold = float(min(0.5, max(r.threshold, generic[len(generic) // 2])))
    neg = pr[y == 0]
    # answer outright only above the level that few out-of-domain examples reach; in between, confirm
    neg_sorted = np.sort(neg)
    j = min(len(neg_sorted) - 1, int(math.ceil((1 - r.params.max_false_accept) * len(neg_sorted))))
    r.answer_threshold = float(max(r.threshold, neg_sorted[j])) if len(neg_sorted) else r.threshold
    # the background ratio: the largest everyday-talk match, relative to topic evidence, that few
    # in-domain examples reach (never above the configured ceiling)
    bi = FEATURE_NAMES.index("background")
    ratios = np.sort(X[y == 1, bi] / np.maximum(X[y == 1, 0], 1e-9))
    r.background_ratio = r.params.background_ratio
    if len(ratios):
        q = ratios[min(len(ratios) - 1, int(math.ceil((1 - r.params.max_false_reject) * len(ratios))))]
        r.background_ratio = float(min(r.params.background_ratio, max(q, 0.1)))
    # a dense model's similarity above anything everyday talk reaches lets a rejected question be
    # confirmed instead (Retriever.retrieve)
    r.dense_floor = max(r._generic_dense) if r._generic_dense else math.inf
    r.calibration = {
        "background_ratio": r.background_ratio,
        "dense_floor": r.dense_floor if r._generic_dense else 0.0,
        "loo_top1": loo_top1,
        "in_domain_examples": float(len(pos)),
        "ood_examples": float(len(neg)),
        "threshold": r.threshold,
        "answer_threshold": r.answer_threshold,
        "loo_confirm": float(((pos >= r.threshold) & (pos < r.answer_threshold)).mean()) if len(pos) else 0.0,
        "ood_answered": float((neg >= r.answer_threshold).mean()) if len(neg) else 0.0,
        "generic_ood_reject": float((generic < r.threshold).mean()),
        "loo_false_reject": float((pos < r.threshold).mean()) if len(pos) else 0.0,
        "ood_reject": float((neg < r.threshold).mean()) if len(neg) else 0.0,
    }
