"""Offline retrieval of knowledge-base topics with calibrated out-of-domain rejection.

Ranking. Each topic has documents: its example questions, title+keywords, and
answer+detail. Documents are scored by BM25 over Kiwi content morphemes
(particles and endings dropped, compound nouns both split and joined, aspect
words such as 얼마/신청 down-weighted) and over character 2-3-grams of the
content text with spaces removed (robust to STT spacing and small errors).
A topic's score is its best document, plus the rest of its evidence, plus the
topic scored as one document; a naive-Bayes posterior over topic term counts
re-ranks. Colloquial and dialect forms (COLLOQUIAL, and the KB's
_synonyms.yaml) add the standard word to the question. An optional local
sentence-embedding model adds cosine similarity.

Rejection. A monotone logistic model on KB-independent features (evidence
score, coverage, unknown words) gives a confidence, fitted at load time on the
KB's own examples: leave-one-question-out gives in-domain examples,
leave-one-topic-out gives near-domain out-of-domain ones, plus a fixed list of
everyday questions. Two thresholds follow from it: below `threshold` the
question is out of domain; from `answer_threshold` up it is answered; in
between the policy asks to confirm the topic. Nothing from a held-out test set
is used.
"""

from __future__ import annotations

import functools
import math
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from nodes.dialogue.kb import KnowledgeBase, Topic

# Content morphemes: nouns, numerals, verb/adjective stems, roots, foreign words.
_KEEP_TAGS = {"NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SN", "SH", "MAG"}
_STOP = {"있", "없", "하", "되", "수", "것", "거", "좀", "저", "제", "나", "내", "그", "이", "좋", "알",
         "주", "보", "싶", "같", "어떻", "그렇", "이렇", "많이", "잘", "꼭", "혹시", "요즘", "지금", "그냥"}
_PUNCT_RE = re.compile(r"[^\w\s]", re.UNICODE)
# Particles, endings, suffixes, copula, auxiliaries, punctuation: dropped before character n-grams.
_FUNCTION_TAG_PREFIXES = ("J", "E", "XS", "VCP", "VCN", "VX", "SF", "SP", "SS", "SE", "SO", "SW", "W_")
# Words that name an aspect of a service (price, place, papers) rather than the service.
ASPECT_WORDS = frozenset({
    "신청", "방법", "어디", "어데", "얼마", "얼마나", "금액", "전화", "번호", "전화번호", "연락처", "서류", "준비물",
    "필요", "대상", "자격", "누구", "받", "나오", "가", "오", "자세히", "설명", "돈", "문의", "접수", "언제",
    "지원", "가능", "비용", "무료", "공짜", "타", "만들", "발급", "해주", "들",
})

# Everyday questions a kiosk hears that no public-service KB answers; they
# anchor the out-of-domain side of the calibration for any KB.
GENERIC_OOD = (
    "오늘 날씨 어때요", "내일 비 와요", "점심 뭐 먹을까요", "김치찌개 끓이는 법 알려 주세요",
    "야구 누가 이겼어요", "주식 뭐 사야 돼요", "트로트 노래 틀어 주세요", "재미있는 이야기 해 주세요",
    "손주 선물 뭐가 좋을까요", "요즘 드라마 뭐가 재밌어요", "비트코인 사도 돼요", "화장실이 어디예요",
    "지금 몇 시예요", "로또 번호 알려 주세요", "고양이 키우는 법", "등산 가기 좋은 산 추천해 주세요",
    "대통령이 누구예요", "커피 한 잔 주세요", "축구 경기 언제 해요", "무릎 아플 때 좋은 운동",
    "휴대폰 사진 어떻게 보내요", "카카오톡 글씨 크게 하는 법", "버스 몇 번 타야 시장 가요",
    "감기 걸렸는데 무슨 약 먹어요", "결혼식 축의금 얼마 내요", "바둑 둘 줄 알아요",
    "오늘 저녁 반찬 추천해 주세요", "노래 한 곡 불러 주세요", "영어 단어 뜻 알려 주세요", "강아지 이름 지어 주세요",
)


# Language-level colloquial, dialect and STT-error forms seniors use, mapped to the standard
# word a knowledge base is likely to use (standard word: [heard forms], spacing ignored). The
# standard word is appended to the question, never replaces it. A KB adds its own domain map in
# _synonyms.yaml.
COLLOQUIAL: dict[str, list[str]] = {
    "어떻게": ["우째", "우예", "어찌", "어케", "워치케", "어뜨케"],
    "어디": ["어데", "어드메", "워디"],
    "무료": ["공짜", "무임", "돈 안 내", "돈 안내", "거저"],
    "지하철": ["전철", "지하찰"],
    "연금": ["년금", "연굼"],
    "센터": ["쎈타", "센타", "쎈터"],
    "주민센터": ["동사무소", "동주민센터", "면사무소", "읍사무소", "관청", "구청", "동네 사무소"],
    "남편": ["영감", "바깥양반", "우리 양반", "할아범"],
    "아내": ["할멈", "마누라", "집사람", "안사람"],
    "사망": ["죽으면", "죽었", "돌아가시", "돌아가셨", "세상 떠", "숨지", "상 당", "상을 당", "상 치르", "초상"],
    "일자리": ["용돈벌이", "용돈 벌", "일거리", "돈벌이", "일할 데", "일할 곳", "소일거리"],
    "소득": ["벌이", "수입"],
    "할인": ["깎아", "깎아 주", "싸게", "감면", "덜 내"],
    "휴대전화": ["핸드폰", "휴대폰", "폰요금", "스마트폰"],
    "전자책": ["이북", "e북"],
    "케이티엑스": ["ktx", "기차"],
    "경로당": ["노인정", "노인회관"],
    "요양원": ["양로원", "노인 요양", "요양 시설"],
    "뇌졸중": ["중풍", "풍 맞"],
    "보청기": ["귀가 어두", "귀가 안 들", "귀 안 들", "잘 안 들려"],
    "안과": ["눈이 침침", "눈 침침", "눈이 잘 안 보", "백내장", "녹내장"],
    "급식": ["밥 주는", "밥 먹", "점심 주는", "도시락", "끼니"],
    "생계": ["먹고 살", "먹고살", "생활비", "살기 힘들", "살기 어려"],
    "채무": ["빚", "부채", "대출금"],
    "발급": ["떼", "뗄", "뽑"],
    "병원비": ["약값", "치료비", "진료비", "의료비"],
    "치매": ["깜빡깜빡", "깜박깜박", "정신이 오락가락", "기억이 가물"],
    "우울": ["우울해", "울적", "괴로워", "죽고 싶", "살기 싫"],
    "학대": ["때려요", "구박", "때리", "맞았", "욕해요"],
    "사기": ["보이스피싱", "피싱", "속았", "사칭"],
    "장례": ["장례식", "상 치르", "장사 지내", "초상"],
    "70세": ["칠십", "일흔"],
    "80세": ["팔십", "여든"],
    "65세": ["육십오", "예순다섯"],
    "60세": ["육십", "예순"],
    "신청": ["신청서", "접수하", "시청 하"],
}


@functools.lru_cache(maxsize=4)
def get_kiwi(user_words: tuple[str, ...] = ()):
    """A Kiwi analyser knowing the KB's own nouns, loaded once per vocabulary and warmed
    up (the first call is slow). Kiwi misreads rare nouns otherwise (인감 -> 이+ㄴ감)."""
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    for word in user_words:
        kiwi.add_user_word(word, "NNP")
    kiwi.tokenize("기초연금 신청은 어디서 해요?")
    return kiwi


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(_PUNCT_RE.sub(" ", text).split())


def kb_user_words(kb: KnowledgeBase) -> tuple[str, ...]:
    """Keyword words (two to five syllables) that plain Kiwi does not read as one noun."""
    kiwi = get_kiwi()
    words = set()
    for topic in kb.topics:
        for phrase in topic.keywords:
            for w in normalize(phrase).split():
                if 2 <= len(w) <= 5 and all("가" <= c <= "힣" for c in w):
                    words.add(w)
    out = []
    for w in sorted(words):
        toks = kiwi.tokenize(w)
        if not (len(toks) == 1 and toks[0].tag in ("NNG", "NNP")):
            out.append(w)
    return tuple(out)


class Analyzer:
    """Turns text into weighted morpheme terms and character n-gram terms."""

    def __init__(self, synonyms: dict[str, list[str]] | None = None, user_words: tuple[str, ...] = (),
                 aspect_weight: float = 0.3, content_chars: bool = True, colloquial: bool = True,
                 char_sizes: tuple[int, ...] = (2, 3)):
        self.char_sizes = tuple(char_sizes)
        merged: dict[str, list[str]] = {k: list(v) for k, v in COLLOQUIAL.items()} if colloquial else {}
        for canon, phrases in (synonyms or {}).items():
            merged.setdefault(canon, []).extend(phrases)
        self._synonyms = [(canon, [normalize(p).replace(" ", "") for p in phrases]) for canon, phrases in merged.items()]
        self._user_words = tuple(user_words)
        self.aspect_weight = aspect_weight
        self.content_chars = content_chars

    @property
    def kiwi(self):
        return get_kiwi(self._user_words)

    def expand(self, text: str) -> str:
        """Append the canonical term for every colloquial phrase found (spacing ignored)."""
        squeezed = normalize(text).replace(" ", "")
        extra = [canon for canon, phrases in self._synonyms if any(p and p in squeezed for p in phrases)]
        return f"{text} {' '.join(extra)}" if extra else text

    def morphemes(self, text: str) -> list[str]:
        return self._analyze(text)[0]

    def _analyze(self, text: str) -> tuple[list[str], str, dict[str, str]]:
        """Content morphemes, and the text with particles and endings removed.

        Kiwi splits a compound noun in one sentence and not in another
        (국민연금 vs 국민+연금), so a run of nouns also yields the joined form and
        a four-syllable noun also yields its halves."""
        terms: list[str] = []
        run: list[str] = []
        content: list[str] = []
        tags: dict[str, str] = {}
        for tok in self.kiwi.tokenize(normalize(text)):
            tag = tok.tag.split("-")[0]
            if tag in ("NNG", "NNP"):
                run.append(tok.form)
                if len(tok.form) == 4 and all("가" <= c <= "힣" for c in tok.form):
                    terms += [tok.form[:2], tok.form[2:]]
            else:
                terms += self._joined(run)
                run = []
            if tag in _KEEP_TAGS and tok.form not in _STOP:
                terms.append(tok.form)
                tags.setdefault(tok.form, tok.tag)
            if not tag.startswith(_FUNCTION_TAG_PREFIXES) and tok.form not in _STOP:
                content.append(tok.form)
        return terms + self._joined(run), "".join(content), tags

    @staticmethod
    def _joined(run: list[str]) -> list[str]:
        """Adjacent pairs of a noun run, and the whole run, each as one term."""
        out = [a + b for a, b in zip(run, run[1:])]
        return out + ["".join(run)] if len(run) > 2 else out

    @staticmethod
    def char_ngrams(text: str, sizes: tuple[int, ...] = (2, 3)) -> list[str]:
        s = normalize(text).replace(" ", "")
        return [s[i:i + n] for n in sizes for i in range(len(s) - n + 1)]

    def analyze(self, text: str, *, expand: bool = True) -> tuple[list[str], list[str]]:
        return self.analyze_tagged(text, expand=expand)[:2]

    def analyze_tagged(self, text: str, *, expand: bool = True) -> tuple[list[str], list[str], dict[str, str]]:
        """Morpheme terms, character n-grams, and the Kiwi tag of each single morpheme."""
        if expand:
            text = self.expand(text)
        morph, content, tags = self._analyze(text)
        return morph, self.char_ngrams(content if self.content_chars else text, self.char_sizes), tags

    def weight(self, term: str) -> float:
        """Query weight of a morpheme: words naming an aspect (얼마, 신청) say little about the topic."""
        return self.aspect_weight if term in ASPECT_WORDS else 1.0


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


@dataclass
class RetrievalParams:
    morph_weight: float = 0.8
    char_weight: float = 0.45
    dense_weight: float = 0.5
    second_weight: float = 0.75        # bonus for a second matching example of the same topic
    topic_doc_weight: float = 0.5      # weight of the whole topic scored as one document
    topic_doc_answer: bool = True      # the topic document includes the answer text
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
    max_false_reject: float = 0.01     # target on leave-one-out in-domain examples
    max_false_accept: float = 0.3      # share of calibration out-of-domain examples answered without confirming
    dense_model_path: str | None = None
    calibration_limit: int = 400       # questions sampled for calibration on big KBs
    seed: int = 7


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

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class DenseEncoder:
    """Mean-pooled sentence embeddings from a local transformers model directory, loaded on first use."""

    def __init__(self, path: str):
        self.path = path
        self._model = None
        self._tokenizer = None

    def _load(self) -> None:
        import torch  # noqa: F401  (heavy; only when a dense model is configured)
        from transformers import AutoModel, AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        self._model = AutoModel.from_pretrained(self.path, local_files_only=True).eval()

    def encode(self, texts: list[str]) -> np.ndarray:
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


FEATURE_NAMES = ("score", "coverage_morph", "coverage_char", "oov_morph", "oov_char", "oov_noun", "length", "bias")


def _features(s1: float, cov_m: float, cov_c: float, oov_m: float, oov_c: float, oov_n: float,
              n_terms: int) -> np.ndarray:
    # No margin to the second topic: a question that fits two topics is in the domain (we ask which one).
    return np.array([s1, cov_m, cov_c, oov_m, oov_c, oov_n, min(n_terms, 6) / 6.0, 1.0])


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
        self.nb_morph = NaiveBayes(self._topic_morph_counts)
        self.nb_char = NaiveBayes(self._topic_char_counts)
        self.dense: DenseEncoder | None = None
        self._doc_vecs: np.ndarray | None = None
        if p.dense_model_path:
            self.dense = DenseEncoder(p.dense_model_path)
            self._doc_vecs = self.dense.encode(texts)
        self.weights = np.zeros(len(FEATURE_NAMES))
        self.threshold = 0.5           # below: out of domain
        self.answer_threshold = 0.5    # at or above: answer; in between: ask to confirm the topic
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
        self._last_query = (weights, mass, qc)
        self._last_text = expanded
        self._last_tags = tags
        if self.dense is not None and self._doc_vecs is not None:
            qv = self.dense.encode([expanded])[0]
            s = s + p.dense_weight * np.clip(self._doc_vecs @ qv, 0.0, None)
        return s * self.doc_weight, qm, qc, expanded

    def _name_bonus(self, text: str) -> np.ndarray:
        """Per topic: the longest of its names said in the question, relative to the longest said of any
        topic (0..1), so "기초연금 받고 싶어요" prefers the topic named 기초연금."""
        squeezed = normalize(text).replace(" ", "")
        best = np.zeros(len(self.topics))
        for ti, name in self._names:
            if len(name) > best[ti] and name in squeezed:
                best[ti] = len(name)
        return best / best.max() if best.max() > 0 else best

    def _topic_scores(self, doc_scores: np.ndarray, exclude_doc: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ranking scores and evidence scores per topic. Evidence: the best example, plus the rest of
        the topic's evidence (capped at the best), plus the topic as one document. Ranking adds the
        naive-Bayes posterior, which sums to one even when nothing matches, so it never counts as
        evidence for the out-of-domain decision."""
        p = self.params
        best = np.maximum.reduceat(doc_scores, self.topic_start)
        total = np.add.reduceat(doc_scores, self.topic_start)
        second = np.minimum(best, total - best)
        out = best + p.second_weight * second
        if p.topic_doc_weight > 0:
            weights, mass, qc = self._last_query
            tm = self.topic_morph.scores(weights, weights.__getitem__, mass)
            tc = self.topic_char.scores(qc)
            if exclude_doc is not None:  # leave-one-out: the topic document without that example
                ti = int(self.doc_topic[exclude_doc])
                cm = self._topic_morph_counts[ti] - self._doc_morph_counts[exclude_doc]
                cc = self._topic_char_counts[ti] - self._doc_char_counts[exclude_doc]
                tm[ti] = self.topic_morph.score_counts(weights, mass, cm, sum(cm.values()))
                tc[ti] = self.topic_char.score_counts({t: 1.0 for t in qc}, self.char_topic_mass(qc), cc,
                                                      sum(cc.values()))
            out = out + p.topic_doc_weight * (p.morph_weight * tm + p.char_weight * tc)
        if p.name_weight > 0:
            out = out + p.name_weight * self._name_bonus(self._last_text)
        if p.nb_weight <= 0:
            return out, out
        if p.nb_weight > 0:
            weights, _mass, qc = self._last_query
            ex_m = ex_c = None
            if exclude_doc is not None:
                ti = int(self.doc_topic[exclude_doc])
                ex_m, ex_c = (ti, self._doc_morph_counts[exclude_doc]), (ti, self._doc_char_counts[exclude_doc])
            ll = (self.nb_morph.log_likelihood(weights, ex_m)
                  + p.nb_char_scale * self.nb_char.log_likelihood({t: 1.0 for t in qc}, ex_c))
            post = np.exp(ll - ll.max())
        return out + p.nb_weight * post / post.sum(), out

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

    def _rank(self, text: str, exclude_docs: np.ndarray | None = None, exclude_topic: int | None = None):
        doc_scores, qm, qc, _ = self._doc_scores(text)
        if exclude_docs is not None:
            doc_scores[exclude_docs] = 0.0
        loo_doc = int(exclude_docs[0]) if exclude_docs is not None and len(exclude_docs) == 1 else None
        topic_scores, evidence = self._topic_scores(doc_scores, loo_doc)
        if exclude_topic is not None:
            topic_scores[exclude_topic] = -1.0
        order = np.argsort(-topic_scores)[:3]
        s1 = float(evidence[order[0]]) if len(order) else 0.0
        top_docs = np.flatnonzero(self.doc_topic == order[0]) if len(order) else np.array([], dtype=int)
        if exclude_docs is not None:
            top_docs = np.setdiff1d(top_docs, exclude_docs)
        cov_m = self._coverage(self.morph, qm, self._doc_morph, top_docs)
        cov_c = self._coverage(self.char, qc, self._doc_char, top_docs)
        nouns = {t for t, tag in self._last_tags.items() if tag in ("NNG", "NNP") and len(t) > 1 and t in qm}
        oov_n = (sum(1 for t in nouns if self._oov(self.morph, {t}, self._doc_morph, exclude_docs) > 0)
                 / len(nouns)) if nouns else 0.0
        feats = _features(s1, cov_m, cov_c, self._oov(self.morph, qm, self._doc_morph, exclude_docs),
                          self._oov(self.char, qc, self._doc_char, exclude_docs), oov_n, len(qm))
        return order, topic_scores, feats

    def retrieve(self, text: str, k: int = 3) -> Retrieval:
        order, topic_scores, feats = self._rank(text)
        cands = [Candidate(self.topics[i].id, self.topics[i].title, float(topic_scores[i])) for i in order[:k]]
        conf = float(1.0 / (1.0 + math.exp(-float(feats @ self.weights))))
        s1 = cands[0].score if cands else 0.0
        in_domain = bool(cands) and s1 > 0 and conf >= self.threshold
        tie = in_domain and len(cands) > 1 and cands[1].score >= self.params.tie_ratio * s1
        return Retrieval(cands, in_domain, conf, tie, dict(zip(FEATURE_NAMES, map(float, feats))),
                         confident=in_domain and conf >= self.answer_threshold)

    # -- calibration -------------------------------------------------------

    def _calibration_set(self) -> tuple[np.ndarray, np.ndarray, float]:
        p = self.params
        rng = random.Random(p.seed)
        qdocs = [int(i) for i in np.flatnonzero(self.doc_is_question)]
        if len(qdocs) > p.calibration_limit:
            qdocs = rng.sample(qdocs, p.calibration_limit)
        X, y, correct, n_loo = [], [], 0, 0
        multi = {ti for ti in range(len(self.topics)) if len(self.topics[ti].questions) > 1}
        for d in qdocs:
            ti = int(self.doc_topic[d])
            text = self._doc_texts[d]
            if ti in multi:
                order, _, feats = self._rank(text, exclude_docs=np.array([d]))
                # an example its siblings do not retrieve is not evidence either way: leave it out
                if order[0] == ti and feats[0] > 0:  # (all-zero scores rank topic 0 first by accident)
                    X.append(feats); y.append(1.0)
                    correct += 1
                n_loo += 1
            if len(self.topics) > 2:
                _, _, feats = self._rank(text, exclude_topic=ti, exclude_docs=np.flatnonzero(self.doc_topic == ti))
                X.append(feats); y.append(0.0)
        self._n_generic = len(GENERIC_OOD)
        for text in GENERIC_OOD:  # kept last: _calibrate reads them back as the final rows
            _, _, feats = self._rank(text)
            X.append(feats); y.append(0.0)
        return np.array(X), np.array(y), correct / max(1, n_loo)

    def _calibrate(self) -> None:
        X, y, loo_top1 = self._calibration_set()
        if y.sum() == 0 or y.sum() == len(y):
            self.weights = np.array([8.0, 0, 0, 0, 0, 0, 0, -1.0])
            self.threshold = self.answer_threshold = 0.5
            return
        # class-balanced, L2-regularised logistic regression by gradient descent
        # half the weight on in-domain examples; the other half split between near-domain
        # (leave-one-topic-out) and everyday questions, so neither kind of negative dominates
        generic = np.zeros(len(y), dtype=bool)
        generic[-self._n_generic:] = True
        near = (y == 0) & ~generic
        sw = np.where(y == 1, 0.5 / max(1, (y == 1).sum()), 0.0)
        sw[near] = (0.25 if generic.any() else 0.5) / max(1, near.sum())
        sw[generic] = (0.25 if near.any() else 0.5) / max(1, generic.sum())
        sw *= len(y)
        w = np.zeros(X.shape[1])
        # monotone: more score or coverage never lowers confidence, more unknown words never raise it
        lo = np.array([0, 0, 0, -np.inf, -np.inf, -np.inf, -np.inf, -np.inf])
        hi = np.array([np.inf, np.inf, np.inf, 0, 0, 0, np.inf, np.inf])
        for _ in range(1500):
            pr = 1.0 / (1.0 + np.exp(-(X @ w)))
            grad = X.T @ (sw * (pr - y)) / len(y) + 1e-3 * np.r_[w[:-1], 0.0]
            w = np.clip(w - 2.0 * grad, lo, hi)
        self.weights = w
        pr = 1.0 / (1.0 + np.exp(-(X @ w)))
        pos = np.sort(pr[y == 1])
        # highest threshold that keeps false rejection of in-domain examples within target, never above 0.5
        k = int(math.floor(self.params.max_false_reject * len(pos)))
        self.threshold = float(min(0.5, pos[k] - 1e-9)) if len(pos) else 0.5
        # but everyday small talk is rejected however few examples the KB has (a tiny KB's
        # leave-one-out minimum can sit at almost zero)
        generic = np.sort(pr[generic])
        self.threshold = float(min(0.5, max(self.threshold, generic[len(generic) // 2])))
        neg = pr[y == 0]
        # answer outright only above the level that few out-of-domain examples reach; in between, confirm
        neg_sorted = np.sort(neg)
        j = min(len(neg_sorted) - 1, int(math.ceil((1 - self.params.max_false_accept) * len(neg_sorted))))
        self.answer_threshold = float(max(self.threshold, neg_sorted[j])) if len(neg_sorted) else self.threshold
        self.calibration = {
            "loo_top1": loo_top1,
            "in_domain_examples": float(len(pos)),
            "ood_examples": float(len(neg)),
            "threshold": self.threshold,
            "answer_threshold": self.answer_threshold,
            "loo_confirm": float(((pos >= self.threshold) & (pos < self.answer_threshold)).mean()) if len(pos) else 0.0,
            "ood_answered": float((neg >= self.answer_threshold).mean()) if len(neg) else 0.0,
            "generic_ood_reject": float((generic < self.threshold).mean()),
            "loo_false_reject": float((pos < self.threshold).mean()) if len(pos) else 0.0,
            "ood_reject": float((neg < self.threshold).mean()) if len(neg) else 0.0,
        }
