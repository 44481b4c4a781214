"""espeak-ng through ctypes: the offline Korean voice, with phoneme events.

libespeak-ng runs in synchronous mode with espeakINITIALIZE_PHONEME_EVENTS: the synth callback
hands over each buffer of audio together with the events inside it (word starts with their
character position, phonemes with their mnemonic). Synthesis runs on a thread of its own and the
pieces stream out as they are made; the library is one global engine, so one lock serialises it.
Debian: libespeak-ng1 (and espeak-ng-data).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import queue
import threading
from typing import Iterator

import numpy as np

from nodes.tts.voice import Piece, Voice, VoiceError

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_PHONEME_EVENTS = 0x0001
CHARS_UTF8 = 1
POS_CHARACTER = 1
EVENT_WORD, EVENT_END, EVENT_MSG_TERMINATED, EVENT_PHONEME = 1, 5, 6, 7
RATE, VOLUME, PITCH, RANGE = 1, 2, 3, 4
NORMAL_WPM = 175


class _Id(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _Id)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))
_LOCK = threading.Lock()
_ENGINE: dict = {}


def _engine():
    """(library, sample rate), initialised once per process."""
    if not _ENGINE:
        path = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            raise VoiceError(f"libespeak-ng is not installed ({e}); fix: apt-get install libespeak-ng1 espeak-ng-data") from None
        lib.espeak_Initialize.restype = ctypes.c_int
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 100, None, INITIALIZE_PHONEME_EVENTS)
        if rate <= 0:
            raise VoiceError("espeak-ng failed to initialise (is espeak-ng-data installed?)")
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        _ENGINE.update(lib=lib, rate=rate, callback=None)
    return _ENGINE["lib"], _ENGINE["rate"]


class EspeakVoice(Voice):
    name = "espeak"

    def __init__(self, language: str = "ko", pitch: int = 45, pitch_range: int = 40, wpm: int = NORMAL_WPM,
                 g2p: bool = False):
        lib, self.rate = _engine()
        self.language, self.pitch, self.pitch_range, self.wpm, self.g2p = language, pitch, pitch_range, wpm, g2p
        with _LOCK:
            if lib.espeak_SetVoiceByName(language.encode()) != 0:
                raise VoiceError(f"espeak-ng has no voice '{language}'; fix: apt-get install espeak-ng-data")

    def describe(self) -> str:
        return f"espeak-ng {self.language}, {self.wpm} wpm x speed, pitch {self.pitch}" + (", G2P pre-pass" if self.g2p else "")

    def stream(self, text: str, speed: float = 1.0, cancelled=lambda: False) -> Iterator[Piece]:
        said = text
        if self.g2p:
            from nodes.tts.g2p import pronounce
            said = pronounce(text)
        out: queue.Queue = queue.Queue()
        stop = threading.Event()
        thread = threading.Thread(target=self._synth, args=(said, speed, out, stop), daemon=True, name="espeak")
        thread.start()
        words = _Words(said)
        total, speech_end = 0, None         # where the trailing silence begins
        try:
            while True:
                item = out.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                item.words = words.feed(item.words)
                for pos, phone in item.phones:
                    if not phone.startswith("_"):
                        speech_end = None
                    elif speech_end is None:
                        speech_end = pos
                total += len(item.pcm)
                yield item
                if cancelled():
                    return
            yield Piece(np.zeros(0, np.int16), [], words.finish(speech_end if speech_end is not None else total))
        finally:
            stop.set()

    def _synth(self, text: str, speed: float, out: queue.Queue, stop: threading.Event) -> None:
        lib, rate = _engine()
        done = [0]     # samples handed out so far

        def callback(wav, n, events):
            if stop.is_set():
                return 1
            phones, words, i = [], [], 0
            while events[i].type != 0:
                e = events[i]
                pos = e.audio_position * rate // 1000
                if e.type == EVENT_PHONEME:
                    phones.append((pos, e.id.string.decode("utf-8", "replace")))
                elif e.type == EVENT_WORD:
                    words.append((pos, e.text_position - 1 + e.length))
                i += 1
            pcm = np.ctypeslib.as_array(wav, (n,)).copy() if n > 0 and wav else np.zeros(0, np.int16)
            done[0] += len(pcm)
            if len(pcm) or phones or words:
                out.put(Piece(pcm.astype(np.int16, copy=False), phones, words))
            return 0

        try:
            with _LOCK:
                cb = _CALLBACK(callback)
                _ENGINE["callback"] = cb          # keep it alive while the library holds it
                lib.espeak_SetSynthCallback(cb)
                lib.espeak_SetVoiceByName(self.language.encode())
                lib.espeak_SetParameter(RATE, max(80, min(450, int(self.wpm * speed))), 0)
                lib.espeak_SetParameter(PITCH, int(self.pitch), 0)
                lib.espeak_SetParameter(RANGE, int(self.pitch_range), 0)
                data = text.encode("utf-8") + b"\0"
                lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
        except BaseException as e:
            out.put(e)
        finally:
            out.put(None)


class _Words:
    """espeak-ng reports no word event for some Korean words ("없는 문장입니다." has one, for 없는).
    Each event it does report is an anchor, handed out at once; the words between two anchors (or
    after the last one) share the time from the first anchor by their length, and are handed out
    when the next anchor (or the end) is known. So every word of the text gets a start, in order."""

    def __init__(self, text: str):
        import re
        self.spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        self.pending: tuple[int, int] | None = None      # the last anchor: (start sample, word index)

    def _index(self, end_char: int) -> int:
        return next((i for i, (s, e) in enumerate(self.spans) if end_char <= e), len(self.spans) - 1)

    def feed(self, events: list[tuple[int, int]]) -> list[tuple[int, int]]:
        out = []
        for start, end_char in events:
            i = self._index(end_char)
            if self.pending is not None and i <= self.pending[1]:
                continue
            out += self._between(start, i)
            out.append((start, self.spans[i][1]))
            self.pending = (start, i)
        return out

    def finish(self, end_sample: int) -> list[tuple[int, int]]:
        return self._between(end_sample, len(self.spans))

    def _between(self, until: int, upto: int) -> list[tuple[int, int]]:
        """Marks for the words after the pending anchor and before word `upto` (heard at `until`)."""
        if self.pending is None:
            return []
        start, first = self.pending
        group = list(range(first, upto))
        weights = [max(1, self.spans[k][1] - self.spans[k][0]) for k in group]
        total, acc, out = sum(weights), 0, []
        for k, w in zip(group, weights):
            if k != first:
                out.append((start + max(1, (until - start) * acc // total), self.spans[k][1]))
            acc += w
        return out
