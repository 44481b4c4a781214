"""Text analysis for retrieval: normalisation, the colloquial/dialect map, and Kiwi morphemes.

An Analyzer turns a question into content morphemes (particles and endings
dropped, compound nouns both split and joined) and character n-grams of the
content text with spaces removed (robust to STT spacing and small errors).
Colloquial, dialect and spoken-number forms (COLLOQUIAL, and the KB's
_synonyms.yaml) add the standard word to the question.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

from nodes.dialogue.kb import KnowledgeBase

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

# Language-level colloquial, dialect and STT-error forms seniors use, mapped to the standard
# word a knowledge base is likely to use (standard word: [heard forms], spacing ignored). The
# standard word is appended to the question, never replaces it. A KB adds its own domain map in
# _synonyms.yaml.
COLLOQUIAL: dict[str, list[str]] = {
    "어떻게": ["우째", "우예", "어찌", "어케", "워치케", "어뜨케", "어떵"],
    "얼마나": ["을매나", "얼매나"],
    "누가": ["누게가"],
    "몇 살": ["멧 살"],
    "다니": ["댕기"],
    "요양": ["요향"],
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
    "만들": ["맨들", "맹글", "맨드"],
    "나오": ["들어오", "들어와", "입금되"],
    "예약": ["찜해", "찜하", "찜 해", "맡아 놓", "맡아 두"],
    "연장": ["미루", "미룰", "미뤄", "늦춰", "더 볼 수", "더 빌릴"],
    "출력": ["프린터", "프린트", "인쇄"],
    "강좌": ["강의", "수업", "교실", "배울 만한", "배우는 거"],
    "음식": ["빵", "과자", "김밥", "도시락 먹", "간식"],
    "공휴일": ["추석", "설날", "명절", "어린이날", "광복절", "개천절", "한글날", "성탄절", "크리스마스"],
    "기증": ["갖다줘도", "갖다 줘도", "가져다줘도", "줘도 받아", "드려도 받아"],
    "몇 시까지": ["몇 시에 닫", "언제 닫", "닫는 시간", "문 닫는 게"],
    "변상": ["물어내", "물어 내", "물어줘야", "물어 줘야", "배상"],
    "구입": ["들여놔", "들여 놔", "들여놓", "사 달라", "사다 놓", "사 주"],
    "핸드폰": ["스마트폰", "휴대폰", "휴대전화"],
    "어린이": ["초등학생", "아이들", "애들", "꼬마"],
    "견학": ["구경", "둘러보", "관람"],
    # spoken phone numbers (spacing ignored: "일 이 구" -> 일이구)
    "129": ["일이구", "백이십구"],
    "109": ["백구", "일공구", "일영구"],
    "112": ["일일이번"],
    "119": ["일일구"],
    "1355": ["일삼오오"],
    "132": ["일삼이번"],
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


_PARTICLE_SYLLABLES = frozenset("이가은는을를도에의와과로만요")


def _one_letter_apart(a: str, b: str) -> bool:
    """Two Hangul syllables that differ in exactly one letter (initial, vowel or final): 년/연, 쎈/센."""
    ka, kb = ord(a) - 0xAC00, ord(b) - 0xAC00
    parts_a, parts_b = (ka // 588, ka % 588 // 28, ka % 28), (kb // 588, kb % 588 // 28, kb % 28)
    return sum(x != y for x, y in zip(parts_a, parts_b)) == 1


class NameSlips:
    """A service name with a sound misheard by speech recognition ("기초 년금", "경노당", "궁민연금",
    "치매 안심 쎈터"): a stretch of the question that differs from a name of three syllables or more
    in one letter of one syllable, or from a name of five syllables or more in one letter of each of two
    syllables ("치매 안심 샌타"), and that the knowledge base itself never says ("주민센터" is said, so
    it is never a slip of 주민세), names it."""

    def __init__(self, names: dict[str, str], said: str):
        self.said = said
        # keyed by the name with the misheard syllables left out (their positions in the key)
        self.index: dict[tuple, list[tuple[str, str]]] = {}
        for name, canon in names.items():
            if 3 <= len(name) <= 8 and all("가" <= c <= "힣" for c in name):
                for slipped in _slip_positions(len(name)):
                    self.index.setdefault(_slip_key(name, slipped), []).append((name, canon))
        self.lengths = sorted({len(name) for entries in self.index.values() for name, _ in entries})

    def find(self, text: str) -> list[str]:
        """The canonical names misheard in a normalised text (spacing as said)."""
        words = text.split()
        squeezed = "".join(words)
        word_of = [k for k, w in enumerate(words) for _ in w]
        ends = list(itertools.accumulate(len(w) for w in words))
        starts, word_end = [0, *ends[:-1]], {e - 1 for e in ends}
        out: list[str] = []
        for n in self.lengths:
            for start in (s for s in starts if s + n <= len(squeezed)):
                # a name starts a word; a short one is said within it ("경노당은", not "노인 인식표")
                w = squeezed[start:start + n]
                if n == 3 and word_of[start] != word_of[start + 2] or w in self.said:
                    continue
                for slipped in _slip_positions(n):
                    if any(start + i in word_end and w[i] in _PARTICLE_SYLLABLES for i in slipped):
                        continue   # "핸드폰이" is 핸드폰 and a particle, not 핸드폰비
                    for name, canon in self.index.get(_slip_key(w, slipped), ()):
                        if canon not in out and all("가" <= w[i] <= "힣" and _one_letter_apart(w[i], name[i])
                                                    for i in slipped):
                            out.append(canon)
        return out


def _slip_positions(n: int) -> list[tuple[int, ...]]:
    """The syllables that may be misheard in a name of n syllables: any one, or any two from five."""
    return [(i,) for i in range(n)] + (list(itertools.combinations(range(n), 2)) if n >= 5 else [])


def _slip_key(word: str, slipped: tuple[int, ...]) -> tuple:
    return (len(word), slipped, "".join(c for i, c in enumerate(word) if i not in slipped))


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
        self.slips: NameSlips | None = None   # set by the retriever once it knows what the KB says
        self.aspect_weight = aspect_weight
        self.content_chars = content_chars

    @property
    def kiwi(self):
        return get_kiwi(self._user_words)

    def expand(self, text: str) -> str:
        """Append the canonical term for every colloquial phrase found (spacing ignored)."""
        squeezed = normalize(text).replace(" ", "")
        extra = [canon for canon, phrases in self._synonyms if any(p and p in squeezed for p in phrases)]
        if self.slips is not None:
            extra += [canon for canon in self.slips.find(normalize(text)) if canon not in extra]
        return f"{text} {' '.join(extra)}" if extra else text

    def is_noun_phrase(self, text: str) -> bool:
        """Nouns only ("동사무소", "노인 연금"), not a verb phrase ("누르는 거")."""
        tokens = self.kiwi.tokenize(normalize(text))
        return bool(tokens) and all(t.tag.startswith(("NN", "XSN")) for t in tokens)

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

    def written_compounds(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """Nouns written as one word that Kiwi reads as several ("주민등록증" -> 주민 + 등록증): the whole
        word and its parts. Such a word names one thing; its parts say nothing on their own."""
        out: list[tuple[str, tuple[str, ...]]] = []
        run: list = []
        for tok in [*self.kiwi.tokenize(normalize(text)), None]:
            if tok is not None and tok.tag.split("-")[0] in ("NNG", "NNP") and (
                    not run or tok.start == run[-1].start + run[-1].len):
                run.append(tok)
                continue
            if len(run) > 1:
                out.append(("".join(t.form for t in run), tuple(t.form for t in run)))
            run = [tok] if tok is not None and tok.tag.split("-")[0] in ("NNG", "NNP") else []
        return out

    def object_nouns(self, text: str) -> list[str]:
        """The last run of nouns (spaces allowed, nothing else between), aspect words dropped first so
        "월급은 얼마예요" keeps 월급; a noun written as one word stays one word (주민등록증)."""
        runs: list[list[str]] = [[]]
        prev_end = None
        for tok in self.kiwi.tokenize(normalize(text)):
            if tok.tag.split("-")[0] in ("NNG", "NNP"):
                if tok.form in ASPECT_WORDS:
                    runs.append([])
                elif runs[-1] and prev_end == tok.start:   # written together: one word
                    runs[-1][-1] += tok.form
                else:
                    runs[-1].append(tok.form)
                prev_end = tok.start + tok.len
            else:
                runs.append([])
                prev_end = None
        nonempty = [r for r in runs if r]
        return nonempty[-1] if nonempty else []

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
