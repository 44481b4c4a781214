"""`voice import DIR`: a person's recordings of the fixed texts become speech-cache entries.

DIR holds WAV files and `transcripts.tsv` (columns `file` and `transcript`, as in
shared/fixtures/speech). Whisper (word timestamps) listens to each recording; a recording whose
words do not match its transcript (character error rate above `max_cer`) is rejected. The words
heard are aligned to the transcript's words, a multi-sentence recording is cut between sentences,
each word's jamo are spread over the word as its phone timeline, and each sentence is stored
under its own normalised text, loudness-normalised, at `rate`.
"""
from __future__ import annotations

import csv
import difflib
import os
import re
from dataclasses import dataclass, field

import numpy as np

from nodes.tts import audio
from nodes.tts.cache import SpeechCache
from nodes.tts.listen import Listener, Word, cer, letters
from nodes.tts.normalize import normalize, sentences
from nodes.tts.voice import Piece

CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JONG = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]


@dataclass
class Imported:
    file: str
    ok: bool
    cer: float = 1.0
    heard: str = ""
    reason: str = ""
    keys: list[str] = field(default_factory=list)


def jamo(word: str) -> list[str]:
    """Compatibility jamo of the Hangul syllables of `word` (silent initial ㅇ left out)."""
    out = []
    for ch in word:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            cho, jung, jong = code // 588, code % 588 // 28, code % 28
            out += ([] if CHO[cho] == "ㅇ" else [CHO[cho]]) + [JUNG[jung]] + ([JONG[jong]] if jong else [])
    return out


def read_transcripts(folder: str) -> list[tuple[str, str]]:
    path = os.path.join(folder, "transcripts.tsv")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} is missing: write one line per recording, `file<TAB>transcript`, "
                                "under a header line `file\ttranscript`")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if rows and not {"file", "transcript"} <= set(rows[0]):
        raise ValueError(f"{path}: the header must name the columns `file` and `transcript`")
    return [(r["file"], r["transcript"]) for r in rows if r.get("file")]


def import_dir(folder: str, cache: SpeechCache, listener: Listener, max_cer: float = 0.3,
               rate: int = 22050) -> list[Imported]:
    results = []
    for name, transcript in read_transcripts(folder):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            results.append(Imported(name, False, reason=f"file {path} does not exist"))
            continue
        pcm, src_rate = audio.read_wav(path)
        words = listener.words(pcm, src_rate)
        heard = " ".join(w.text for w in words)
        score = cer(transcript, heard)
        if score > max_cer or not words:
            results.append(Imported(name, False, score, heard, f"the words do not match the transcript "
                                                               f"(CER {score:.2f} > {max_cer})"))
            continue
        keys = []
        for sentence, piece in split(transcript, words, pcm, src_rate, rate):
            keys.append(cache.put(sentence, piece, rate, f"recording:{name}"))
        results.append(Imported(name, True, score, heard, keys=keys))
    return results


def split(transcript: str, heard: list[Word], pcm: np.ndarray, src_rate: int, rate: int) -> list[tuple[str, Piece]]:
    """(sentence, piece) for each sentence of the transcript, cut from the recording."""
    spoken = [(transcript[s:e], normalize(transcript[s:e]).text) for s, e in sentences(transcript)]
    words = [(i, m.end(), letters(m.group())) for i, (_, said) in enumerate(spoken) for m in re.finditer(r"\S+", said)]
    times = align([w[2] for w in words], heard)
    pcm = audio.apply(pcm, audio.gain_for(pcm))
    total = len(pcm) / src_rate
    out = []
    for i, (sentence, said) in enumerate(spoken):
        mine = [(t, w) for t, w in zip(times, words) if w[0] == i]
        if not mine:
            continue
        first, last = mine[0][0][0], mine[-1][0][1]
        nxt = next((t[0] for t, w in zip(times, words) if w[0] > i), None)
        prev = max((t[1] for t, w in zip(times, words) if w[0] < i), default=None)
        begin = max(0.0, first - 0.15) if prev is None else (prev + first) / 2
        end = min(total, last + 0.3) if nxt is None else (last + nxt) / 2
        clip = audio.resample(pcm[int(begin * src_rate):int(end * src_rate)], src_rate, rate)
        phones, marks = [], []
        for (s, e), (_, end_char, _) in mine:
            start = int((s - begin) * rate)
            marks.append((max(0, start), end_char))
            if phones and start - phones[-1][0] > 0.1 * rate:
                phones.append((max(0, int((s - begin) * rate) - 1), "_"))
            js = jamo(said[:end_char].split()[-1]) or ["_"]
            step = (e - s) * rate / len(js)
            phones += [(max(0, start + int(k * step)), j) for k, j in enumerate(js)]
        phones.append((min(len(clip), int((last - begin) * rate)), "_"))
        out.append((sentence, Piece(clip, sorted(phones), marks)))
    return out


def align(expected: list[str], heard: list[Word]) -> list[tuple[float, float]]:
    """(start, end) in seconds of each expected word, through a character alignment with the
    words heard; a word not heard at all gets its time from its neighbours."""
    hyp, at = "", []
    for w in heard:
        chars = letters(w.text)
        for k in range(len(chars)):
            d = (w.end - w.start) / max(1, len(chars))
            at.append((w.start + k * d, w.start + (k + 1) * d))
        hyp += chars
    exp = "".join(expected)
    where: list = [None] * len(exp)
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, exp, hyp, autojunk=False).get_opcodes():
        if op in ("equal", "replace") and b2 > b1:
            for k in range(a1, a2):
                where[k] = min(b2 - 1, b1 + (k - a1) * (b2 - b1) // max(1, a2 - a1))
    spans, pos = [], 0
    for word in expected:
        idx = [where[k] for k in range(pos, pos + len(word)) if where[k] is not None]
        spans.append((at[idx[0]][0], at[idx[-1]][1]) if idx else None)
        pos += len(word)
    known = [i for i, s in enumerate(spans) if s]
    for i, s in enumerate(spans):
        if s is None:
            before = max((k for k in known if k < i), default=None)
            after = min((k for k in known if k > i), default=None)
            t0 = spans[before][1] if before is not None else (spans[after][0] if after is not None else 0.0)
            t1 = spans[after][0] if after is not None else t0
            spans[i] = (t0, max(t0, t1))
    return spans
