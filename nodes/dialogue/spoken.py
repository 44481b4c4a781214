"""Answers for the ear: the spoken part is at most two short sentences; the rest goes on screen.

A question about one aspect of a service (where, how, who, how much, what to bring, when, whether
someone else may go) is answered with that aspect: the topic's own facet when it has one, else the
sentence of its text that speaks to it (an imported FAQ has no facets), else the first sentences.
"""

from __future__ import annotations

import re

MAX_SPOKEN = 2          # sentences said aloud
MAX_SPOKEN_CHARS = 110  # about 15 seconds at a senior's pace

_SENTENCE = re.compile(r"[^.!?。？！]+(?:[.!?。？！]+|$)")

# Words a sentence uses when it speaks to an aspect; the first aspect whose words a sentence has wins.
CUES: dict[str, tuple[str, ...]] = {
    "apply": ("주민센터", "센터", "창구", "방문", "누리집", "홈페이지", "신청", "지사", "공단", "가시면", "오시면",
              "접수", "선택", "누르", "클릭", "메뉴"),
    "amount": ("원", "무료", "수수료", "비용", "내시", "퍼센트", "%", "감면", "할인", "돈"),
    "documents": ("신분증", "서류", "사진", "가져", "지참", "통장", "증명서", "챙기"),
    "eligibility": ("이상", "이하", "대상", "누구", "자격", "받으실 수", "받을 수", "해당"),
    "when": ("매달", "매월", "일에", "까지", "부터", "기간", "날", "언제", "이내", "마감", "시간", "주말", "평일",
             "토요일", "휴일", "밤"),
    "proxy": ("대리", "대신", "가족", "위임", "보호자", "자녀"),
}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(" ".join(text.split())) if s.strip()]


def for_ear(text: str, max_sentences: int = MAX_SPOKEN, max_chars: int = MAX_SPOKEN_CHARS) -> str:
    """The first sentence or two of text, within max_chars (the first sentence always)."""
    parts = sentences(text)
    if not parts:
        return text.strip()
    out = parts[0]
    for s in parts[1:max_sentences]:
        if len(out) + 1 + len(s) > max_chars:
            break
        out = f"{out} {s}"
    return out


def aspect_sentences(texts: list[str], aspect: str, limit: int = MAX_SPOKEN) -> str:
    """The sentences of texts (in order) that speak to aspect, at most limit of them; "" if none."""
    cues = CUES.get(aspect, ())
    if not cues:
        return ""
    hits = []
    for text in texts:
        for s in sentences(text):
            if any(c in s for c in cues) and s not in hits:
                hits.append(s)
    return for_ear(" ".join(hits[:limit]), limit) if hits else ""
