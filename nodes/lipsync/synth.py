"""A synthetic talking voice with a known phone timeline, for tests and benchmarks: vowels are
voiced buzzes with formants, a bilabial stop is a real closure (near silence, then a burst), a
nasal a soft murmur, and words are separated by pauses. Its loudness follows the mouth, as in
speech, which is what the A/V sync measurement needs.
"""
from __future__ import annotations

import numpy as np

from bus.messages import SpeechChunk

# (phone, seconds); "" is a pause
DEMO_PHONES = [("", 0.12), ("ㅇ", 0.02), ("ㅏ", 0.16), ("ㄴ", 0.06), ("ㄴ", 0.05), ("ㅕ", 0.14), ("ㅇ", 0.04),
               ("ㅎ", 0.05), ("ㅏ", 0.12), ("ㅅ", 0.07), ("ㅔ", 0.10), ("ㅇ", 0.02), ("ㅛ", 0.20), ("", 0.30),
               ("ㅂ", 0.08), ("ㅏ", 0.18), ("ㅁ", 0.09), ("ㅗ", 0.15), ("ㄱ", 0.06), ("ㅓ", 0.16), ("", 0.25),
               ("ㅍ", 0.09), ("ㅕ", 0.14), ("ㄴ", 0.06), ("ㅏ", 0.22), ("ㅁ", 0.10), ("ㅜ", 0.17), ("", 0.35),
               ("ㅁ", 0.09), ("ㅏ", 0.20), ("ㄹ", 0.05), ("ㅡ", 0.12), ("ㅂ", 0.08), ("ㅣ", 0.16), ("ㄷ", 0.06),
               ("ㅏ", 0.24), ("", 0.30)]
VOWELS = set("ㅏㅑㅓㅕㅗㅛㅜㅠㅡㅣㅐㅒㅔㅖㅘㅙㅚㅝㅞㅟㅢ")


def voice(phones=DEMO_PHONES, rate: int = 16000, seed: int = 1):
    """(pcm int16, phones, starts, ends) in samples."""
    rng = np.random.default_rng(seed)
    out, names, starts, ends = [], [], [], []
    pos = 0
    for ph, dur in phones:
        n = int(dur * rate)
        t = (pos + np.arange(n)) / rate
        if ph in VOWELS:
            f0 = 140 + 20 * np.sin(2 * np.pi * 1.3 * t)
            phase = 2 * np.pi * np.cumsum(f0) / rate
            x = sum(np.sin(k * phase) / k for k in range(1, 12))
            ramp = np.minimum(1, np.minimum(np.arange(n), n - np.arange(n)) / (0.015 * rate))
            x = 0.5 * x * ramp
        elif ph in ("ㅁ", "ㄴ", "ㅇ"):
            x = 0.06 * np.sin(2 * np.pi * 130 * t)
        elif ph in ("ㅂ", "ㅍ", "ㄱ", "ㄷ", "ㅅ", "ㅎ", "ㄹ"):
            x = np.zeros(n)
            burst = min(n, int(0.015 * rate))
            x[n - burst:] = rng.normal(0, 0.15, burst)
            if ph in ("ㅅ", "ㅎ"):
                x = rng.normal(0, 0.08, n)
        else:
            x = np.zeros(n)
        out.append(x)
        if ph:
            names.append(ph)
            starts.append(pos)
            ends.append(pos + n)
        pos += n
    pcm = (np.clip(np.concatenate(out), -1, 1) * 12000).astype(np.int16)
    return pcm, names, np.array(starts, np.int32), np.array(ends, np.int32)


def chunks(utterance: str = "u1", reply: str = "r1", rate: int = 16000, chunk_s: float = 0.16,
           phones=DEMO_PHONES, text: str = "안녕하세요 밤오거 편아무 마르비다", seed: int = 1) -> list[SpeechChunk]:
    """The synthetic voice as a TTS would stream it, each chunk with its part of the timeline."""
    pcm, names, starts, ends = voice(phones, rate, seed)
    words, w_start, w_end, w_char = text.split(" "), [], [], []
    pauses = [0] + [int(sum(d for _, d in phones[:i + 1]) * rate) for i, (p, _) in enumerate(phones) if p == ""]
    char = 0
    for i, w in enumerate(words):
        char += len(w) + (1 if i else 0)
        s = pauses[min(i, len(pauses) - 1)]
        w_start.append(s)
        w_end.append(pauses[min(i + 1, len(pauses) - 1)])
        w_char.append(char)
    n = int(chunk_s * rate)
    out = []
    for a in range(0, len(pcm), n):
        b = min(len(pcm), a + n)
        sel = [k for k in range(len(names)) if starts[k] < b and ends[k] > a]
        wsel = [k for k in range(len(words)) if a <= w_start[k] < b]
        out.append(SpeechChunk(
            reply=reply, utterance=utterance, pcm=pcm[a:b], rate=rate, sample=a, final=b == len(pcm),
            last=b == len(pcm), text=text, voice="synth", phones=list(names),
            ph_id=np.array(sel, np.int16), ph_start=starts[sel].astype(np.int32), ph_end=ends[sel].astype(np.int32),
            word_start=np.array([w_start[k] for k in wsel], np.int32),
            word_end=np.array([w_end[k] for k in wsel], np.int32),
            word_end_char=np.array([w_char[k] for k in wsel], np.int32)))
    return out
