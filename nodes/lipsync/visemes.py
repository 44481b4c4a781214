"""Korean phonemes -> mouth shapes, and the per-frame mouth track.

The shapes are Rhubarb Lip Sync's set:

    A  closed lips (ㅁ ㅂ ㅃ ㅍ)          E  slightly rounded (ㅗ ㅝ ㅚ)
    B  slightly open, teeth (ㅣ ㅡ, most consonants)   F  puckered (ㅜ ㅠ ㅟ, w)
    C  open (ㅓ ㅔ ㅐ)                     G  teeth on the lower lip (f, v in loanwords)
    D  wide open (ㅏ ㅑ ㅘ)                H  tongue up (ㄴ ㄹ)
    X  rest (silence)

A TTS may name its phones in Hangul jamo, in IPA (espeak-ng) or as whole syllables; all three
are understood. `mouth_track` turns a timeline of phones into one blend of at most two shapes per
video frame: lips close ahead of a bilabial, every shape is held at least two frames, and shapes
crossfade.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

VISEMES = "ABCDEFGHX"
CLOSED, REST = "A", "X"

_JAMO = {
    # consonants (compatibility jamo)
    **dict.fromkeys("ㅁㅂㅃㅍ", "A"),
    **dict.fromkeys("ㄱㄲㅋㄷㄸㅌㅅㅆㅈㅉㅊㅎㅇ", "B"),
    **dict.fromkeys("ㄴㄹ", "H"),
    # vowels
    **dict.fromkeys("ㅏㅑㅘ", "D"),
    **dict.fromkeys("ㅓㅕㅔㅖㅐㅒㅙㅞ", "C"),
    **dict.fromkeys("ㅗㅛㅝㅚ", "E"),
    **dict.fromkeys("ㅜㅠㅟ", "F"),
    **dict.fromkeys("ㅡㅣㅢ", "B"),
}

# IPA / espeak-ng symbols, longest first when matching a prefix
_IPA = {
    "m": "A", "b": "A", "p": "A", "ɸ": "A", "β": "A",
    "a": "D", "ɐ": "D", "ɑ": "D", "æ": "C",
    "ʌ": "C", "ɔ": "E", "e": "C", "ɛ": "C", "ə": "C", "E": "C", "@": "C", "V": "C",
    "o": "E", "ø": "E", "O": "E",
    "u": "F", "w": "F", "ʊ": "F", "y": "F", "ʉ": "F", "ɥ": "F", "W": "F", "U": "F",
    "ɯ": "B", "ɨ": "B", "i": "B", "ɪ": "B", "j": "B", "I": "B",
    "n": "H", "l": "H", "ɾ": "H", "r": "H", "ɭ": "H", "ŋ": "B",
    "f": "G", "v": "G",
}
_SILENCE = {"", "_", "sil", "sp", "spn", "pau", "#", "|", "||", ",", ".", "?", "!", " ", "<s>", "</s>"}

# romanized vowels (g2pk / Revised Romanization style)
_ROMAN = {"a": "D", "ya": "D", "wa": "D", "eo": "C", "yeo": "C", "e": "C", "ye": "C", "ae": "C",
          "yae": "C", "wae": "C", "we": "C", "o": "E", "yo": "F", "wo": "E", "oe": "E", "u": "F",
          "yu": "F", "wi": "F", "eu": "B", "i": "B", "ui": "B"}

_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]
_JONG_SOUND = {"ㄳ": "ㄱ", "ㄵ": "ㄴ", "ㄶ": "ㄴ", "ㄺ": "ㄱ", "ㄻ": "ㅁ", "ㄼ": "ㄹ", "ㄽ": "ㄹ", "ㄾ": "ㄹ",
               "ㄿ": "ㅂ", "ㅀ": "ㄹ", "ㅄ": "ㅂ"}


def syllable_jamo(ch: str) -> list[str]:
    """A Hangul syllable as its sounding jamo: 밥 -> [ㅂ, ㅏ, ㅂ]; the silent initial ㅇ is dropped."""
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return [ch]
    cho, jung, jong = code // 588, (code % 588) // 28, code % 28
    out = [] if _CHO[cho] == "ㅇ" else [_CHO[cho]]
    out.append(_JUNG[jung])
    if jong:
        out.append(_JONG_SOUND.get(_JONG[jong], _JONG[jong]))
    return out


def _compat(ch: str) -> str:
    """Conjoining jamo (U+1100 block) -> compatibility jamo (U+3130 block)."""
    name = unicodedata.name(ch, "")
    if "HANGUL CHOSEONG" in name or "HANGUL JUNGSEONG" in name or "HANGUL JONGSEONG" in name:
        letter = name.split()[-1]
        try:
            return unicodedata.lookup(f"HANGUL LETTER {letter}")
        except KeyError:
            return ch
    return ch


def viseme_of(phone: str) -> str:
    """The mouth shape of one phone (jamo, IPA or romanized); unknown sounds are B, silence X."""
    p = phone.strip()
    if p.lower() in _SILENCE:
        return REST
    p = _compat(p[0]) + p[1:] if p else p
    if p[0] in _JAMO:
        return _JAMO[p[0]]
    if "\uac00" <= p[0] <= "\ud7a3":       # a whole syllable: its vowel
        return next(_JAMO[j] for j in syllable_jamo(p[0]) if j in _JUNG)
    low = p.lower()
    if low in _ROMAN:
        return _ROMAN[low]
    for k in sorted(_IPA, key=len, reverse=True):
        if p.startswith(k):
            return _IPA[k]
    return "B"


def expand_phones(phones: list[str], starts: list[float], ends: list[float]) -> list[tuple[float, float, str]]:
    """(start_s, end_s, viseme) segments; a whole syllable is split evenly into its jamo."""
    out = []
    for ph, s, e in zip(phones, starts, ends):
        p = ph.strip()
        if len(p) == 1 and "\uac00" <= p <= "\ud7a3":
            parts = syllable_jamo(p)
            step = (e - s) / len(parts)
            out.extend((s + i * step, s + (i + 1) * step, _JAMO.get(j, "B")) for i, j in enumerate(parts))
        else:
            out.append((s, e, viseme_of(ph)))
    return out


@dataclass(frozen=True)
class Blend:
    """The mouth of one frame: `to` with weight `alpha`, over `frm` with 1 - alpha."""
    frm: str
    to: str
    alpha: float

    def weights(self) -> dict[str, float]:
        if self.frm == self.to or self.alpha >= 1.0:
            return {self.to: 1.0}
        return {self.frm: 1.0 - self.alpha, self.to: self.alpha}


def frame_shapes(segments: list[tuple[float, float, str]], fps: float, n_frames: int,
                 bilabial_lead_s: float = 0.02, min_hold: int = 2) -> list[str]:
    """One shape per frame: sampled at frame times, lips closed `bilabial_lead_s` before a
    bilabial is heard, runs shorter than `min_hold` frames absorbed (a closure is never dropped)."""
    segs = [list(s) for s in sorted(segments)]
    for i, seg in enumerate(segs):         # anticipation: the lips close before the sound
        if seg[2] == CLOSED:
            seg[0] = max(0.0, seg[0] - bilabial_lead_s)
            if i and segs[i - 1][1] > seg[0]:
                segs[i - 1][1] = seg[0]
    shapes = [REST] * n_frames
    j = 0
    for k in range(n_frames):
        t = k / fps
        while j < len(segs) and segs[j][1] <= t:
            j += 1
        if j < len(segs) and segs[j][0] <= t:
            shapes[k] = segs[j][2]
    # a bilabial shorter than a frame can fall between frame times: keep it on its nearest frame
    for s, e, v in segs:
        if v == CLOSED:
            k = min(n_frames - 1, int(round((s + e) / 2 * fps)))
            if 0 <= k < n_frames and CLOSED not in shapes[max(0, int(s * fps)):int(e * fps) + 1]:
                shapes[k] = CLOSED
    return _min_hold(shapes, min_hold)


def _min_hold(shapes: list[str], min_hold: int) -> list[str]:
    out = list(shapes)
    k = 0
    while k < len(out):
        e = k
        while e + 1 < len(out) and out[e + 1] == out[k]:
            e += 1
        run = e - k + 1
        if run < min_hold and e + 1 < len(out):
            if out[k] == CLOSED:       # a closure wins: it takes the next frame too
                for i in range(e + 1, min(len(out), k + min_hold)):
                    out[i] = CLOSED
                e = k + min_hold - 1
            elif k > 0:                # a short shape is absorbed by the one before it
                for i in range(k, e + 1):
                    out[i] = out[k - 1]
        k = e + 1
    return out


def mouth_track(segments: list[tuple[float, float, str]], fps: float, n_frames: int,
                xfade_frames: int = 2, **kw) -> list[Blend]:
    """Per frame, the blend of at most two shapes. Crossfades are centred on the change: the
    last `xfade_frames - 1` frames of a shape already blend towards the next one, so the new
    shape is full on its first frame (the mouth moves with the sound, not after it)."""
    shapes = frame_shapes(segments, fps, n_frames, **kw)
    track = [Blend(s, s, 1.0) for s in shapes]
    steps = max(1, xfade_frames)
    k = 0
    while k < len(shapes):
        e = k
        while e + 1 < len(shapes) and shapes[e + 1] == shapes[k]:
            e += 1
        if e + 1 < len(shapes):
            nxt = shapes[e + 1]
            for i in range(1, steps):        # towards the next shape, never the whole run
                j = e + 1 - i
                if j <= k:
                    break
                track[j] = Blend(shapes[k], nxt, (steps - i) / steps)
        k = e + 1
    return track
