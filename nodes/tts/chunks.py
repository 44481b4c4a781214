"""Cut a stream of synthesised pieces into ~160 ms chunks that carry their own timeline.

A mark (phone or word) ends where the next one starts, or at the end of the utterance. A chunk
[a, b) is handed out once audio past b has arrived and a mark starting at or after b is known (so
every mark that starts inside the chunk has its end), or when the utterance is complete.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nodes.tts.voice import Piece


@dataclass
class Chunk:
    sample: int                      # utterance sample of pcm[0]
    pcm: np.ndarray
    final: bool
    phones: list[tuple[int, int, str]] = field(default_factory=list)    # (start, end, phone)
    words: list[tuple[int, int, int]] = field(default_factory=list)     # (start, end, end char spoken)


class Chunker:
    def __init__(self, chunk_samples: int):
        self.size = chunk_samples
        self.pcm: list[np.ndarray] = []
        self.have = 0                 # samples received
        self.sent = 0                 # samples handed out
        self.phones: list[tuple[int, str]] = []
        self.words: list[tuple[int, int]] = []

    def feed(self, piece: Piece) -> list[Chunk]:
        if len(piece.pcm):
            self.pcm.append(piece.pcm)
            self.have += len(piece.pcm)
        self.phones += piece.phones
        self.words += piece.words
        out = []
        while self.have - self.sent >= self.size:
            end = self.sent + self.size
            if not (self._closed(self.phones, end) and self._closed(self.words, end)):
                break
            out.append(self._cut(end, final=False))
        return out

    def finish(self, pad_samples: int = 0) -> list[Chunk]:
        """The rest of the utterance (with `pad_samples` of silence after it); the last is final."""
        if pad_samples:
            self.pcm.append(np.zeros(pad_samples, np.int16))
            self.have += pad_samples
        out = []
        while self.have - self.sent > self.size:
            out.append(self._cut(self.sent + self.size, final=False))
        out.append(self._cut(self.have, final=True))
        return out

    @staticmethod
    def _closed(marks: list, end: int) -> bool:
        return not marks or marks[-1][0] >= end

    def _cut(self, end: int, final: bool) -> Chunk:
        start = self.sent
        buf = np.concatenate(self.pcm) if len(self.pcm) > 1 else (self.pcm[0] if self.pcm else np.zeros(0, np.int16))
        offset = self.have - len(buf)             # utterance sample of buf[0]
        pcm = buf[start - offset:end - offset]
        self.pcm = [buf[end - offset:]] if end - offset < len(buf) else []
        chunk = Chunk(start, pcm.copy(), final,
                      self._spans(self.phones, start, end, final),
                      self._spans(self.words, start, end, final))
        self.sent = end
        return chunk

    def _spans(self, marks: list, start: int, end: int, final: bool) -> list:
        out = []
        for i, (s, v) in enumerate(marks):
            if start <= s < end or (final and s >= end):
                e = marks[i + 1][0] if i + 1 < len(marks) else self.have
                out.append((s, max(s, min(e, self.have)), v))
        return out
