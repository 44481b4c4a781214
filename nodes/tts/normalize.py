"""Korean text normalisation before synthesis: numbers by counter, phone numbers, dates, decimals,
units, URLs, Latin acronyms and symbols become the words a person would say.

    >>> normalize("2시 30분에 1577-1389로 전화하세요").text
    '두 시 삼십 분에 일오칠칠, 일삼팔구로 전화하세요'

Subtitles keep the original text: `Normalized.src[i]` is the index of the original character that
produced spoken character i, so a word heard in the spoken text maps back to where it ends in the
original (SpeechChunk.word_end_char). The tables live in config/tts/normalize.yaml.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLES = os.path.join(ROOT, "config", "tts", "normalize.yaml")

DIGITS = "영일이삼사오육칠팔구"
PHONE_DIGITS = "공일이삼사오육칠팔구"
NATIVE_ONES = ["", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉"]
NATIVE_TENS = ["", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔"]


@dataclass
class Normalized:
    text: str                                       # as spoken
    src: list[int] = field(default_factory=list)    # original index of each spoken character

    def original_end(self, spoken_end: int) -> int:
        """End (exclusive) in the original text of the spoken prefix text[:spoken_end]."""
        return self.src[spoken_end - 1] + 1 if spoken_end > 0 and self.src else 0


def sino(n: int) -> str:
    """Sino-Korean reading: 342510 -> 삼십사만이천오백십, 10000 -> 만, 100000000 -> 일억."""
    if n == 0:
        return "영"
    out = []
    for unit, size in (("조", 10 ** 12), ("억", 10 ** 8), ("만", 10 ** 4), ("", 1)):
        group, n = divmod(n, size)
        if group:
            words = _below_10000(group)
            if unit == "만" and group == 1:
                words = ""
            out.append(words + unit)
    return "".join(out)


def _below_10000(n: int) -> str:
    out = ""
    for unit, size in (("천", 1000), ("백", 100), ("십", 10), ("", 1)):
        d, n = divmod(n, size)
        if d:
            out += ("" if d == 1 and unit else DIGITS[d]) + unit
    return out


def native(n: int) -> str:
    """Native numbers before a counter (1-99): 1 -> 한, 20 -> 스무, 65 -> 예순다섯."""
    if n == 20:
        return "스무"
    return NATIVE_TENS[n // 10] + NATIVE_ONES[n % 10]


def digits(s: str) -> str:
    return "".join(PHONE_DIGITS[int(c)] for c in s if c.isdigit())


@functools.lru_cache(maxsize=1)
def tables() -> dict:
    with open(TABLES, encoding="utf-8") as f:
        t = yaml.safe_load(f)
    t["counters"] = sorted([(c, "native") for c in t["native_counters"]] + [(c, "sino") for c in t["sino_counters"]],
                           key=lambda x: -len(x[0]))
    t["unit_keys"] = sorted(t["units"], key=len, reverse=True)
    t["words"] = {k.lower(): v for k, v in t["words"].items()}
    return t


_URL = r"(?:https?://|www\.)[^\s가-힣()]*[^\s가-힣().,]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:kr|com|net|org)(?:/[^\s가-힣()]*[^\s가-힣().,])?"
_PHONE = r"(?<![\d.,-])(?:0\d{1,2}-\d{3,4}-\d{4}|1\d{3}-\d{4}|\d{2,4}-\d{3,4}-\d{4})(?![\d-])"
_DATE = r"(?<![\d.])(?P<y>\d{4})\s?(?P<sep>[.\-/])\s?(?P<mo>\d{1,2})\s?(?P=sep)\s?(?P<d>\d{1,2})(?:\.(?!\d))?"
_TIME = r"(?<![\d:])(?P<h>\d{1,2}):(?P<mi>\d{2})(?![\d:])"
_NUM = r"(?<![\d.,])(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
_LATIN = r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_PATTERN = re.compile(f"(?P<url>{_URL})|(?P<phone>{_PHONE})|(?P<date>{_DATE})|(?P<time>{_TIME})|"
                      f"(?P<num>{_NUM})|(?P<latin>{_LATIN})|(?P<sym>[^\\w\\s.,?!])")


class _Out:
    """Spoken text with the original index of every character; collapses runs of spaces."""

    def __init__(self):
        self.chars: list[str] = []
        self.src: list[int] = []

    def add(self, text: str, src: int) -> None:
        for ch in text:
            if ch == " " and (not self.chars or self.chars[-1] == " "):
                continue
            if ch == "," and self.chars and self.chars[-1] in ", ":
                while self.chars and self.chars[-1] == " ":
                    self.chars.pop(), self.src.pop()
                if self.chars and self.chars[-1] == ",":
                    continue
            self.chars.append(ch)
            self.src.append(src)

    def result(self) -> Normalized:
        while self.chars and self.chars[-1] in ", ":
            self.chars.pop(), self.src.pop()
        while self.chars and self.chars[0] in ", ":
            self.chars.pop(0), self.src.pop(0)
        return Normalized("".join(self.chars), self.src)


def normalize(text: str) -> Normalized:
    """The text as a person would say it, with the map back to the original."""
    out, pos = _Out(), 0
    while pos < len(text):
        m = _PATTERN.search(text, pos)
        if m is None:
            break
        for i in range(pos, m.start()):
            out.add(text[i], i)
        spoken, end = _read(text, m)
        out.add(spoken, max(m.start(), end - 1))
        pos = end
    for i in range(pos, len(text)):
        out.add(text[i], i)
    return out.result()


def spoken(text: str) -> str:
    return normalize(text).text


def _read(text: str, m: re.Match) -> tuple[str, int]:
    """(spoken form, end in the original) of one match."""
    t, kind = tables(), m.lastgroup
    if kind == "url":
        return "홈페이지", m.end()
    if kind == "phone":
        return ", ".join(digits(part) for part in m.group().split("-")), m.end()
    if kind == "date":
        return f"{sino(int(m['y']))} 년 {_month(int(m['mo']))} {sino(int(m['d']))} 일", m.end()
    if kind == "time":
        h, mi = int(m["h"]), int(m["mi"])
        return f"{native(h) if 0 < h < 100 else sino(h)} 시" + (f" {sino(mi)} 분" if mi else ""), m.end()
    if kind == "num":
        return _number(text, m)
    if kind == "latin":
        word = m.group()
        if word.lower() in t["words"]:
            return t["words"][word.lower()], m.end()
        return "".join(t["letters"].get(c.upper(), DIGITS[int(c)] if c.isdigit() else "") for c in word), m.end()
    sym = m.group()
    if sym in "~∼":
        before, after = text[:m.start()].rstrip(), text[m.end():].lstrip()
        if before[-1:].isdigit() and after[:1].isdigit():
            return "에서 ", m.end()
        return " ", m.end()
    if sym == "%":
        return " 퍼센트 ", m.end()
    return t["symbols"].get(sym, " "), m.end()


def _month(n: int) -> str:
    irregular = tables()["months"].get(n)
    return f"{irregular}월" if irregular else f"{sino(n)} 월"


def _number(text: str, m: re.Match) -> tuple[str, int]:
    t = tables()
    whole, frac = m["whole"].replace(",", ""), m["frac"]
    n, end = int(whole), m.end()
    gap = re.match(r"\s?", text[end:]).end()
    rest = text[end + gap:]
    for key in t["unit_keys"]:
        if rest.startswith(key) and not re.match(r"[A-Za-z]", rest[len(key):len(key) + 1]):
            return f"{_sino_frac(n, frac, whole)} {t['units'][key]} ", end + gap + len(key)
    if rest[:1] in ("만", "억", "조", "천", "백") and not frac and not rest.startswith(("만에", "만큼", "만 ")):
        return (sino(n) if not (n == 1 and rest[0] in "만천백") else ""), end
    if rest.startswith(("만 ", "만원")) or (rest.startswith("만") and not rest.startswith(("만에", "만큼"))):
        return (sino(n) if n != 1 else ""), end
    counter = next((c for c in t["counters"] if rest.startswith(c[0])), None)
    if counter is None:
        if not frac and (whole in t["hotlines"] or re.fullmatch(r"1\d{2,3}", whole)) and "," not in m.group():
            return digits(whole), end
        return _sino_frac(n, frac, whole), end
    word, reading = counter
    after = rest[len(word):]
    if word == "월" and not frac:
        return (t["months"][n] if n in t["months"] else sino(n) + " "), end + (gap if n in t["months"] else 0)
    if word == "분" and not any(after.startswith(p) for p in t["person_after_bun"]):
        reading = "sino"
    if word == "번" and any(after.lstrip().startswith(w) for w in t["sino_after_beon"]):
        reading = "sino"
    if reading == "native" and not frac and 0 < n < 100:
        return native(n) + " ", end
    return _sino_frac(n, frac, whole) + " ", end


def _sino_frac(n: int, frac: str | None, whole: str) -> str:
    head = sino(n)
    return f"{head} 점 {''.join(DIGITS[int(c)] for c in frac)}" if frac else head


_SENTENCE_END = re.compile(r"[.!?。？！]+[\"'”’)]*(?=\s|$)|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the original text; the end includes its punctuation.
    A full stop inside a date ("2026. 3. 5.") does not end a sentence."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.group()[0] == "." and text[m.start() - 1:m.start()].isdigit() and re.match(r"\s?\d", text[m.end():]):
            continue
        if text[start:m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        out.append((s, e))
    return out
