"""A pronunciation pre-pass for espeak-ng (표준발음법, the core rules), tried to make the robot
voice easier to understand: liaison (연음), ㅎ aspiration and loss, palatalisation (구개음화),
coda neutralisation, nasalisation (비음화), ㄹ assimilation (유음화, ㄹ의 비음화) and tensing
after an obstruent (경음화). Within a word only; the syllable count never changes, so espeak's
word positions still point into the spoken text.

    >>> pronounce("국민연금을 신청합니다")
    '궁민연그믈 신청함니다'

Whether it helps is measured (docs/speaking.md); the espeak voice uses it only with `g2p: true`.
"""
from __future__ import annotations

CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JONG = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]

NEUTRAL = {"ㄲ": "ㄱ", "ㅋ": "ㄱ", "ㄳ": "ㄱ", "ㄺ": "ㄱ", "ㅅ": "ㄷ", "ㅆ": "ㄷ", "ㅈ": "ㄷ", "ㅊ": "ㄷ", "ㅌ": "ㄷ",
           "ㅎ": "ㄷ", "ㅍ": "ㅂ", "ㄿ": "ㅂ", "ㅄ": "ㅂ", "ㄵ": "ㄴ", "ㄶ": "ㄴ", "ㄼ": "ㄹ", "ㄽ": "ㄹ", "ㄾ": "ㄹ",
           "ㅀ": "ㄹ", "ㄻ": "ㅁ"}
SPLIT = {"ㄳ": ("ㄱ", "ㅆ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄺ": ("ㄹ", "ㄱ"), "ㄻ": ("ㄹ", "ㅁ"), "ㄼ": ("ㄹ", "ㅂ"),
         "ㄽ": ("ㄹ", "ㅆ"), "ㄾ": ("ㄹ", "ㅌ"), "ㄿ": ("ㄹ", "ㅍ"), "ㅄ": ("ㅂ", "ㅆ")}
ASPIRATE = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅈ": "ㅊ", "ㅂ": "ㅍ"}
TENSE = {"ㄱ": "ㄲ", "ㄷ": "ㄸ", "ㅂ": "ㅃ", "ㅅ": "ㅆ", "ㅈ": "ㅉ"}
NASAL = {"ㄱ": "ㅇ", "ㄷ": "ㄴ", "ㅂ": "ㅁ"}
H_CODA = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}


def _split(ch: str):
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return None
    return [CHO[code // 588], JUNG[code % 588 // 28], JONG[code % 28]]


def _join(s) -> str:
    return chr(0xAC00 + CHO.index(s[0]) * 588 + JUNG.index(s[1]) * 28 + JONG.index(s[2]))


def _pair(a: list, b: list) -> None:
    """Apply the rules between syllable a (its coda) and the next syllable b (its onset), in place."""
    j, c = a[2], b[0]
    if not j:
        return
    if j in H_CODA and c in ASPIRATE:                 # 놓고 -> 노코, 많다 -> 만타
        a[2], b[0] = H_CODA[j], ASPIRATE[c]
        return
    if j in H_CODA and c == "ㅇ":                     # 좋아 -> 조아, 많아 -> 마나
        a[2] = H_CODA[j]
        j = a[2]
        if not j:
            return
    if c == "ㅎ" and (NEUTRAL.get(j, j) in ASPIRATE or j in ("ㄺ", "ㄼ")):   # 입학 -> 이팍, 축하 -> 추카
        keep, moved = SPLIT.get(j, ("", j))
        a[2], b[0] = keep, ASPIRATE[NEUTRAL.get(moved, moved)]
        return
    if c == "ㅇ" and j != "ㅇ":                       # liaison: 연금을 -> 연그믈
        keep, moved = SPLIT.get(j, ("", j))
        if moved in ("ㄷ", "ㅌ") and b[1] == "ㅣ":     # 같이 -> 가치, 굳이 -> 구지
            moved = "ㅈ" if moved == "ㄷ" else "ㅊ"
        a[2], b[0] = keep, moved
        return
    j = NEUTRAL.get(j, j)
    if c == "ㄹ" and j in ("ㅁ", "ㅇ"):                # 심리 -> 심니
        b[0] = "ㄴ"
    elif c == "ㄹ" and j in ("ㄱ", "ㅂ"):              # 협력 -> 혐녁
        b[0], j = "ㄴ", NASAL[j]
    elif c == "ㄹ" and j == "ㄴ":                      # 신라 -> 실라
        j = "ㄹ"
    elif c == "ㄴ" and j == "ㄹ":                      # 설날 -> 설랄
        b[0] = "ㄹ"
    elif c in ("ㄴ", "ㅁ") and j in NASAL:             # 국민 -> 궁민, 합니다 -> 함니다
        j = NASAL[j]
    elif c in TENSE and j in ("ㄱ", "ㄷ", "ㅂ"):       # 학교 -> 학꾜
        b[0] = TENSE[c]
    a[2] = j


def pronounce(text: str) -> str:
    """The text respelled as it is pronounced (same length, same spaces)."""
    out = list(text)
    for i in range(len(out) - 1):
        a, b = _split(out[i]), _split(out[i + 1])
        if a and b:
            _pair(a, b)
            out[i], out[i + 1] = _join(a), _join(b)
        elif a and a[2]:
            a[2] = NEUTRAL.get(a[2], a[2])
            out[i] = _join(a)
    last = _split(out[-1]) if out else None
    if last and last[2]:
        last[2] = NEUTRAL.get(last[2], last[2])
        out[-1] = _join(last)
    return "".join(out)
