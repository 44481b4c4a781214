"""Personal data detection and masking, usable on its own by every logger.

    masked, spans = mask("제 번호는 010-1234-5678이에요")
    # masked == "제 번호는 010-****-****이에요"; spans[0].category == "mobile"

Kinds: rrn (주민등록번호), mobile, landline, card (Luhn-valid), account (bank-account-like
digit groups), email. Digits may be separated by spaces, hyphens or dots, as speech-to-text
writes them ("8 0 0 1 0 1 1 2 3 4 5 6 7"); Sino-Korean digit words are read too
("공일공 일이삼사 오육칠팔"), also with place values ("공일공 천이백삼십사 오천육백칠십팔"), and
e-mail spoken as "kim 골뱅이 naver 점 com". Span offsets index the original text; Span.text is the masked form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Span:
    start: int
    end: int
    category: str
    text: str


KINDS = ("rrn", "mobile", "landline", "card", "account", "email")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+\s?@\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Spoken by STT: "kim77 골뱅이 naver 점 com".
_SPOKEN_EMAIL = re.compile(r"[A-Za-z0-9._-]+\s*골뱅이\s*[A-Za-z0-9-]+\s*(?:(?:\.|점|닷)\s*[A-Za-z]{2,})+")
# Digit groups joined by at most two separator characters (space, hyphen, dot, en dash).
_DIGIT_RUN = re.compile(r"\d+(?:[ \-.()\u2010-\u2015]{1,2}\d+)*")
_SINO = {"공": "0", "영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5",
         "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9"}
# At least nine spoken digits in a row, so ordinary words (이사, 오일) never qualify.
# 다시 is how a hyphen is read aloud ("사칠공삼일이 다시 이일삼사오육칠").
_SINO_RUN = re.compile(r"[공영일이삼사오육륙칠팔구](?:(?:[ \-]|에 ?| ?다시 ?)?[공영일이삼사오육륙칠팔구]){8,}")
# A run of spoken number words where at least one group uses place values (천이백삼십사 = 1234).
_PLACE = {"십": 10, "백": 100, "천": 1000}
_SINO_PLACE_RUN = re.compile(
    r"(?<![가-힣])[공영일이삼사오육륙칠팔구십백천]+(?:(?:[ \-]|에 ?)[공영일이삼사오육륙칠팔구십백천]+)+")
# A final 이 before these endings is the copula (오육칠팔이에요), not the digit 2.
_COPULA_AFTER = re.compile(r"에요|예요|고 |요|야|며|라")
_ACCOUNT_CONTEXT = re.compile(r"계좌|통장|은행|입금|송금|이체|account")
# A number said to be a card number: four groups of four digits after "카드" count as a card even
# when they fail the Luhn check (misheard or misread digits), never as an account.
_CARD_CONTEXT = re.compile(r"카드|card")
# The domain and its ending spoken in Korean: "honggd 골뱅이 다음 닷 넷", "네이버 점 컴".
_SPOKEN_EMAIL_KO = re.compile(
    r"[A-Za-z0-9._-]+\s*골뱅이\s*(?:[A-Za-z0-9-]+|[가-힣]{2,5}?)"
    r"(?:\s*(?:\.|점|닷)\s*(?:[A-Za-z]{2,}|컴|넷|케이알|오알지|씨오|코))+")
_MOBILE = re.compile(r"01[016789]\d{7,8}")
_LANDLINE = re.compile(r"(?:02\d{7,8}|0[3-6][1-5]\d{7,8}|070\d{8})")


def sino_digits(group: str) -> str | None:
    """Digits of one spoken group: 공일공 -> "010" (digit by digit), 천이백삼십사 -> "1234"
    (place values, largest first); None when it is neither."""
    if not any(c in _PLACE for c in group):
        return "".join(_SINO[c] for c in group) if all(c in _SINO for c in group) else None
    total, unit, last_place = 0, None, 10_000
    for c in group:
        if c in _PLACE:
            if _PLACE[c] >= last_place:
                return None
            total += (unit if unit is not None else 1) * _PLACE[c]
            last_place, unit = _PLACE[c], None
        elif c in _SINO and _SINO[c] != "0" and unit is None:
            unit = int(_SINO[c])
        else:
            return None
    return str(total + (unit or 0))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _rrn_ok(d: str) -> bool:
    month, day = int(d[2:4]), int(d[4:6])
    return 1 <= month <= 12 and 1 <= day <= 31 and d[6] in "12345678"


def classify(digits: str, grouped: bool, context: bool, cuts: frozenset[int] = frozenset(),
             card_context: bool = False) -> str | None:
    """Kind of a digit string with separators removed, or None when it is not personal data.
    cuts: positions in digits where the speaker or writer put a separator; card_context: the
    word 카드 comes just before."""
    n = len(digits)
    if _MOBILE.fullmatch(digits):
        return "mobile"
    if 14 <= n <= 19 and digits[0] in "34569" and luhn_ok(digits):
        return "card"
    if card_context and n == 16 and cuts in (frozenset(), frozenset({4, 8, 12})):
        return "card"
    if context and 10 <= n <= 16 and not (14 <= n and luhn_ok(digits)):
        return "account"
    if n == 13 and _rrn_ok(digits) and (not cuts or 6 in cuts):
        return "rrn"
    if _LANDLINE.fullmatch(digits):
        return "landline"
    if 10 <= n <= 16 and (grouped or context):
        return "account"
    return None


def _masked_form(kind: str, digits: str, raw: str) -> str:
    if kind == "rrn":
        return "******-*******"
    if kind == "mobile":
        return f"{digits[:3]}-****-****"
    if kind == "landline":
        area = digits[:2] if digits.startswith("02") else digits[:3]
        return f"{area}-****-****"
    if kind == "card":
        return "****-****-****-****"
    return re.sub(r"\d", "*", raw)


def _scan_groups(text: str, groups: list[tuple[int, int]], digits_of) -> list[Span]:
    """Choose personal-data windows among the consecutive digit groups of one run: from each
    group, the longest window of a specific kind, else the longest account-like window."""
    spans: list[Span] = []
    i = 0
    while i < len(groups):
        best = fallback = None
        for j in range(len(groups) - 1, i - 1, -1):
            parts = [digits_of(g) for g in groups[i:j + 1]]
            digits = "".join(parts)
            cuts = frozenset(sum(len(p) for p in parts[:k]) for k in range(1, len(parts)))
            start, end = groups[i][0], groups[j][1]
            before = text[max(0, start - 20):start]
            context = bool(_ACCOUNT_CONTEXT.search(before))
            kind = classify(digits, grouped=j > i, context=context, cuts=cuts,
                            card_context=bool(_CARD_CONTEXT.search(before)))
            if not kind:
                continue
            found = (j, Span(start, end, kind, _masked_form(kind, digits, text[start:end])))
            if kind != "account":
                best = found
                break
            fallback = fallback or found
        best = best or fallback
        if best:
            spans.append(best[1])
            i = best[0] + 1
        else:
            i += 1
    return spans


# 주민번호 spoken in two halves with words between: "앞자리는 510203이고 뒷자리는 1234567".
_RRN_FRONT = re.compile(r"(?<!\d)\d{6}(?!\d)")
_RRN_BACK = re.compile(r"(?<!\d)[1-8](?: ?\d){6}(?!\d)")  # also read out digit by digit


def _split_rrn(text: str) -> list[Span]:
    spans = []
    for front in _RRN_FRONT.finditer(text):
        if not _rrn_ok(front.group() + "1"):
            continue
        back = _RRN_BACK.search(text, front.end(), front.end() + 20)
        if back:
            spans.append(Span(front.start(), front.end(), "rrn", "******"))
            spans.append(Span(back.start(), back.end(), "rrn", "*******"))
    return spans


def _place_value_runs(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in _SINO_PLACE_RUN.finditer(text):
        groups = [(g.start() + m.start(), g.end() + m.start())
                  for g in re.finditer(r"[공영일이삼사오육륙칠팔구십백천]+", m.group())]
        last_start, last_end = groups[-1]
        if sino_digits(text[last_start:last_end]) is None and text[last_end - 1] == "이" \
                and _COPULA_AFTER.match(text, last_end):
            groups[-1] = (last_start, last_end - 1)
        digits = [sino_digits(text[a:b]) for a, b in groups]
        if None in digits or not any(c in _PLACE for a, b in groups for c in text[a:b]) \
                or sum(map(len, digits)) < 9:
            continue
        spans += _scan_groups(text, groups, lambda g: sino_digits(text[g[0]:g[1]]))
    return spans


def find(text: str) -> list[Span]:
    """All personal data in text, sorted by start, non-overlapping."""
    spans: list[Span] = []
    for regex in (_EMAIL, _SPOKEN_EMAIL, _SPOKEN_EMAIL_KO):
        for m in regex.finditer(text):
            spans.append(Span(m.start(), m.end(), "email", "***@***"))
    for m in _DIGIT_RUN.finditer(text):
        groups = [(g.start() + m.start(), g.end() + m.start()) for g in re.finditer(r"\d+", m.group())]
        spans += _scan_groups(text, groups, lambda g: text[g[0]:g[1]])
    for m in _SINO_RUN.finditer(text):
        groups = [(g.start() + m.start(), g.end() + m.start())
                  for g in re.finditer(r"[공영일이삼사오육륙칠팔구]+", m.group())]
        last_start, last_end = groups[-1]
        if text[last_end - 1] == "이" and _COPULA_AFTER.match(text, last_end):
            groups[-1] = (last_start, last_end - 1)
            if groups[-1][0] == groups[-1][1]:
                groups.pop()
        spans += _scan_groups(text, groups, lambda g: "".join(_SINO[c] for c in text[g[0]:g[1]]))
    spans += _place_value_runs(text)
    spans += _split_rrn(text)
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for s in spans:
        if kept and s.start < kept[-1].end:
            continue
        kept.append(s)
    return kept


def mask(text: str) -> tuple[str, list[Span]]:
    """Return (text with personal data masked, evidence spans in original offsets)."""
    spans = find(text)
    out, last = [], 0
    for s in spans:
        out.append(text[last:s.start])
        out.append(s.text)
        last = s.end
    out.append(text[last:])
    return "".join(out), spans
