"""Korean text normalisation for evasion-robust matching.

Every transformed string keeps, per character, the span of the ORIGINAL text it came
from, so a match found after normalisation is reported at its original offsets.

`normalize` undoes the usual evasions while keeping word spacing:
  - full-width letters and digits, conjoining (NFD) jamo        -> plain forms
  - split jamo "ㅅㅣ발", "ㅅl발"                                -> "시발"
  - literal look-alikes from the lexicon ("씨8" -> "씨팔")
  - a single Latin letter glued to Hangul ("s발")               -> its consonant ("ㅅ발")
  - a romanised syllable glued to Hangul ("시bal", "gae새끼")    -> the syllable ("시발")
  - a look-alike whose digit stands alone after a space ("씨 8") -> as if unspaced ("씨 팔")
  - digits, Latin letters and punctuation inside a Hangul word ("씨1발", "씨.발") -> dropped
`skeleton` then removes spacing and merges vowel elongation ("씨이이발", "조오온나"), for the
evasion matcher only; repeated syllables ("씨씨발") are left to the matcher, which accepts each
letter of a term one or more times.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

SYL_BASE, SYL_END = 0xAC00, 0xD7A3
CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNGSEONG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JONGSEONG = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ",
             "ㄿ", "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]

# Conjoining jamo (U+1100..) to compatibility jamo (U+3131..), for NFD input.
_CONJ_LEAD = {0x1100 + i: c for i, c in enumerate(CHOSEONG)}
_CONJ_VOWEL = {0x1161 + i: c for i, c in enumerate(JUNGSEONG)}
_CONJ_TAIL = {0x11A8 + i: c for i, c in enumerate(JONGSEONG[1:])}

# Latin look-alikes of the vowel ㅣ when they follow a lone consonant ("ㅅl발", "ㅅ1발").
_I_LOOKALIKES = set("l1i|!")
# A single Latin letter glued to Hangul, read as the consonant it stands for ("s발", "c발").
LATIN_CONSONANT = {"s": "ㅅ", "c": "ㅆ", "j": "ㅈ", "b": "ㅂ", "g": "ㄱ", "k": "ㄱ", "d": "ㄷ"}
# Romanised syllables of abusive words, read as Hangul when glued to a Hangul letter ("시bal").
# Only whole Latin runs are read this way, so English words and acronyms are left alone.
ROMAN_SYLLABLE = {"bal": "발", "bar": "발", "bbal": "빨", "ppal": "빨", "pal": "팔", "ba": "바",
                  "ssi": "씨", "si": "시", "shi": "시", "sae": "새", "kki": "끼", "ggi": "끼",
                  "nom": "놈", "nyeon": "년", "nyun": "년", "byung": "병", "byeong": "병",
                  "sin": "신", "shin": "신", "jot": "좆", "jon": "존", "zon": "존", "gae": "개",
                  "ssang": "썅", "ji": "지", "ral": "랄"}
# Plain and tense consonants are interchangeable in abbreviations ("ㅅㅂ" for 씨발).
CONSONANT_FAMILY = {"ㄱ": "ㄱㄲ", "ㄲ": "ㄱㄲ", "ㄷ": "ㄷㄸ", "ㄸ": "ㄷㄸ", "ㅂ": "ㅂㅃ", "ㅃ": "ㅂㅃ",
                    "ㅅ": "ㅅㅆ", "ㅆ": "ㅅㅆ", "ㅈ": "ㅈㅉ", "ㅉ": "ㅈㅉ"}
# Standalone compound consonants are two initials typed as one key (ㅄ for 병신).
_COMPOUND_CONSONANT = {"ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ",
                       "ㄽ": "ㄹㅅ", "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}
# Lone consonants that are laughter or crying, never merged into a syllable as a final.
_NEVER_FINAL = set("ㅋㅎㅠㅜ")


def is_syllable(ch: str) -> bool:
    return len(ch) == 1 and SYL_BASE <= ord(ch) <= SYL_END


def is_consonant(ch: str) -> bool:
    return len(ch) == 1 and (ch in CHOSEONG or ch in "ㄳㄵㄶㄺㄻㄼㄽㄾㄿㅀㅄ")


def is_vowel(ch: str) -> bool:
    return len(ch) == 1 and ch in JUNGSEONG


def is_hangul(ch: str) -> bool:
    return is_syllable(ch) or is_consonant(ch) or is_vowel(ch)


def decompose(ch: str) -> tuple[str, str, str]:
    """Syllable -> (initial, medial, final) compatibility jamo; final may be ''."""
    code = ord(ch) - SYL_BASE
    return CHOSEONG[code // 588], JUNGSEONG[(code % 588) // 28], JONGSEONG[code % 28]


def compose(initial: str, medial: str, final: str = "") -> str:
    return chr(SYL_BASE + CHOSEONG.index(initial) * 588 + JUNGSEONG.index(medial) * 28
               + JONGSEONG.index(final))


def initial_of(ch: str) -> str:
    return decompose(ch)[0] if is_syllable(ch) else ch


@dataclass
class Mapped:
    """A derived string whose character i came from original[starts[i]:ends[i]]."""

    text: str = ""
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original offsets of derived characters i..j (exclusive)."""
        return self.starts[i], self.ends[j - 1]


class _Builder:
    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, ch: str, start: int, end: int) -> None:
        self.chars.append(ch)
        self.starts.append(start)
        self.ends.append(end)

    def build(self) -> Mapped:
        return Mapped("".join(self.chars), self.starts, self.ends)


def _plain_chars(text: str) -> list[tuple[str, int, int]]:
    """Full-width -> ASCII, conjoining jamo -> compatibility jamo, lower case."""
    out = []
    for i, ch in enumerate(text):
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        elif code == 0x3000:
            ch = " "
        elif code in _CONJ_LEAD:
            ch = _CONJ_LEAD[code]
        elif code in _CONJ_VOWEL:
            ch = _CONJ_VOWEL[code]
        elif code in _CONJ_TAIL:
            ch = _CONJ_TAIL[code]
        if ch in _COMPOUND_CONSONANT:  # ㅄ -> ㅂㅅ
            out.extend((c, i, i + 1) for c in _COMPOUND_CONSONANT[ch])
            continue
        out.append((ch.lower(), i, i + 1))
    return out


def _replace_literals(chars: list[tuple[str, int, int]], leet: dict[str, str]):
    """Apply literal look-alike replacements ("씨8" -> "씨팔"), longest key first."""
    if not leet:
        return chars
    keys = sorted(leet, key=len, reverse=True)
    text = "".join(c for c, _, _ in chars)
    spaced = _spaced_digit_regex(tuple(leet.items()))
    out, i = [], 0
    while i < len(chars):
        for key in keys:
            if text.startswith(key, i):
                start, end = chars[i][1], chars[i + len(key) - 1][2]
                out.extend((c, start, end) for c in leet[key])
                i += len(key)
                break
        else:
            m = spaced.match(text, i) if spaced else None
            if m:
                # "씨 8": the letters and spacing kept in place, the digits replaced.
                found = m.group()
                head = found.rstrip("0123456789")
                digits_at = i + len(head)
                head = head.rstrip()
                value = leet[head + found[len(found.rstrip("0123456789")):]]
                out.extend((value[k], *chars[i + k][1:]) for k in range(len(head)))
                out.extend(chars[i + len(head):digits_at])
                out.extend((c, chars[digits_at][1], chars[m.end() - 1][2]) for c in value[len(head):])
                i = m.end()
                continue
            out.append(chars[i])
            i += 1
    return out


@lru_cache(maxsize=8)
def _spaced_digit_regex(items: tuple[tuple[str, str], ...]) -> re.Pattern | None:
    """Keys like "씨8" may also be written "씨 8" where the digits stand alone (not "김씨 8시",
    not "수박씨 8개"); one pattern over all such keys, cached per lexicon."""
    alts = []
    for key, value in sorted(items, key=lambda kv: len(kv[0]), reverse=True):
        head = key.rstrip("0123456789")
        if " " in key or not head or head == key or len(value) < len(head):
            continue
        alts.append(f"{re.escape(head)}\\s+{re.escape(key[len(head):])}")
    if not alts:
        return None
    return re.compile(f"(?<![가-힣a-z])(?:{'|'.join(alts)})(?![0-9가-힣a-z])")


def _compose_jamo(chars: list[tuple[str, int, int]]):
    """Join split jamo into syllables: ㅅㅣ발 -> 시발, 조ㄴ나 -> 존나."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(chars)
    while i < n:
        ch, s, e = chars[i]
        nxt = chars[i + 1][0] if i + 1 < n else ""
        if len(ch) == 1 and ch in CHOSEONG and i + 1 < n and (is_vowel(nxt) or nxt in _I_LOOKALIKES):
            medial = nxt if is_vowel(nxt) else "ㅣ"
            end = chars[i + 1][2]
            final = ""
            if i + 2 < n:
                c3 = chars[i + 2][0]
                after = chars[i + 3][0] if i + 3 < n else ""
                if c3 and c3 in JONGSEONG[1:] and c3 not in _NEVER_FINAL and not is_vowel(after) \
                        and after not in _I_LOOKALIKES:
                    final, end = c3, chars[i + 2][2]
            out.append((compose(ch, medial, final), s, end))
            i += 3 if final else 2
            continue
        if is_consonant(ch) and out and is_syllable(out[-1][0]) and decompose(out[-1][0])[2] == "" \
                and ch in JONGSEONG[1:] and ch not in _NEVER_FINAL \
                and (i + 1 >= n or is_syllable(nxt) or not is_hangul(nxt)) \
                and out[-1][2] == s:
            prev, ps, _ = out[-1]
            ini, med, _ = decompose(prev)
            out[-1] = (compose(ini, med, ch), ps, e)
            i += 1
            continue
        out.append((ch, s, e))
        i += 1
    return out


def _drop_inword_noise(chars: list[tuple[str, int, int]]):
    """Drop digits/Latin/punctuation wedged inside a Hangul word (씨1발, 씨.발, 개_새끼);
    read a lone Latin letter glued before Hangul as a consonant (s발)."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(chars)
    while i < n:
        ch = chars[i][0]
        if not is_hangul(ch) and not ch.isspace():
            j = i
            while j < n and not is_hangul(chars[j][0]) and not chars[j][0].isspace():
                j += 1
            run = "".join(c for c, _, _ in chars[i:j])
            before = out[-1][0] if out else ""
            after = chars[j][0] if j < n else ""
            if run in ROMAN_SYLLABLE and (is_hangul(before) or is_hangul(after)):
                out.append((ROMAN_SYLLABLE[run], chars[i][1], chars[j - 1][2]))
                i = j
                continue
            if is_hangul(before) and is_hangul(after) and len(run) <= 3:
                i = j
                continue
            if is_hangul(after) and not before.strip() and run in LATIN_CONSONANT:
                out.append((LATIN_CONSONANT[run], chars[i][1], chars[i][2]))
                i = j
                continue
            if is_hangul(after) and not before.strip() and run == "ss":
                out.append(("ㅆ", chars[i][1], chars[j - 1][2]))
                i = j
                continue
            out.extend(chars[i:j])
            i = j
            continue
        out.append(chars[i])
        i += 1
    return out


def normalize(text: str, leet: dict[str, str] | None = None) -> Mapped:
    """Undo spelling evasions, keep spacing; see the module docstring."""
    chars = _plain_chars(text)
    chars = _replace_literals(chars, leet or {})
    chars = _compose_jamo(chars)
    chars = _drop_inword_noise(chars)
    b = _Builder()
    for ch, s, e in chars:
        b.add(ch, s, e)
    return b.build()


@dataclass
class Skeleton(Mapped):
    """Spacing-free form; word[i] is the index of the original space-separated word."""

    word: list[int] = field(default_factory=list)


def skeleton(norm: Mapped) -> Skeleton:
    """Remove spaces and punctuation, merge vowel elongation, also when it is letter-spaced
    ("시 이 발": a one-letter word that only lengthens the one-letter word before it)."""
    sk = Skeleton()
    word = 0
    prev_space = False
    text = norm.text
    for k, (ch, s, e) in enumerate(zip(text, norm.starts, norm.ends)):
        if ch.isspace():
            prev_space = True
            continue
        if prev_space and sk.text:
            word += 1
        prev_space = False
        if not (is_hangul(ch) or ch.isalnum()):
            continue
        if sk.text and is_syllable(ch) and is_syllable(sk.text[-1]):
            last = sk.text[-1]
            ini, med, fin = decompose(ch)
            lini, lmed, lfin = decompose(last)
            same_word = sk.word[-1] == word
            letter_spaced = (not same_word and sk.word[-1] == word - 1 and fin == ""
                             and (len(sk.word) < 2 or sk.word[-2] != sk.word[-1])
                             and (k + 1 == len(text) or text[k + 1].isspace()))
            if ini == "ㅇ" and med == lmed and lfin == "" and (same_word or letter_spaced):
                # 씨이발, 조오온나, 바아알; 시 이 발
                sk.text = sk.text[:-1] + compose(lini, lmed, fin)
                sk.ends[-1] = e
                if letter_spaced:
                    word -= 1  # the lengthening letter is not a word of its own
                continue
        sk.text += ch
        sk.starts.append(s)
        sk.ends.append(e)
        sk.word.append(word)
    return sk


_LETTER_RUN = re.compile(r"(?<!\S)[가-힣](?: [가-힣](?!\S)){2,}")


def join_letter_spaced(norm: Mapped) -> Mapped:
    """Drop the spaces inside runs of three or more one-syllable words ("죽 여 버 린 다" ->
    "죽여버린다"), so that phrase rules written for normal spacing also see letter-spaced text.
    Returns norm itself when there is no such run."""
    runs = [m.span() for m in _LETTER_RUN.finditer(norm.text)]
    if not runs:
        return norm
    b = _Builder()
    for i, (ch, s, e) in enumerate(zip(norm.text, norm.starts, norm.ends)):
        if ch == " " and any(a < i < z for a, z in runs):
            continue
        b.add(ch, s, e)
    return b.build()
