"""TTS node: speaks each Reply, sentence by sentence, from the speech cache or a live voice.

in: reply (Reply), touch (Touch, optional: "slower" slows every later reply, "home" resets)
out: speech (SpeechChunk): ~160 ms of PCM with its phone and word timeline, one utterance id per
sentence, `final` on each sentence's last chunk, `last` on the reply's last chunk.

The first sentence goes out as soon as its first chunk exists; the rest follow while it plays.
Text is normalised for the ear (nodes/tts/normalize.py); the chunk's `text` stays the original
sentence and `word_end_char` points into it. An interrupt stops synthesis between two chunks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bus.messages import Reply, SpeechChunk, Touch, new_id
from bus.node import Node
from nodes.tts import audio
from nodes.tts.chunks import Chunk, Chunker
from nodes.tts.normalize import normalize, sentences
from nodes.tts.voice import Piece, VOICES, load

CALIBRATION = "안녕하세요. 기초연금은 주민센터에서 신청하실 수 있습니다."


class TtsNode(Node):
    inputs = {"reply": Reply, "touch": Touch}
    outputs = {"speech": SpeechChunk}
    optional = frozenset({"touch"})
    blocking = frozenset({"reply"})

    @dataclass
    class Params:
        backend: str = "espeak"                 # a name in nodes/tts/voice.py VOICES
        voice: dict = field(default_factory=dict)   # the backend's own options (espeak: pitch, wpm; jets: train_config, model_file)
        speed: float = 0.85                     # seniors: slower than usual; Reply.rate multiplies it
        slower: float = 0.8                     # factor for each "천천히" touch (floor 0.5 overall)
        chunk_ms: int = 160
        pause_ms: int = 300                     # silence between sentences
        loudness_dbfs: float = audio.TARGET_DBFS
        cache: str = "var/voice"                # speech cache directory ("" turns it off)

    @classmethod
    def check(cls, params) -> list[str]:
        problems = []
        if params.backend not in VOICES:
            problems.append(f"unknown TTS backend '{params.backend}' (known: {', '.join(sorted(VOICES))})")
        if params.backend == "jets":
            from nodes.tts.jets import check_paths
            problems += check_paths(**params.voice)
        if not 0.3 <= params.speed <= 2.0:
            problems.append(f"speed {params.speed} is out of range 0.3-2.0")
        return problems

    def setup(self) -> None:
        from nodes.tts.cache import SpeechCache
        self.voice = load(self.params.backend, **self.params.voice)
        self.cache = SpeechCache(self.params.cache) if self.params.cache else None
        self.extra = 1.0
        # one fixed gain per voice (measured once), so streamed pieces need no look-ahead
        self.gain = audio.gain_for(self.voice.synthesize(normalize(CALIBRATION).text).pcm, self.params.loudness_dbfs)
        self.log.info("voice %s, gain %.2f, cache %s", self.voice.describe(), self.gain, self.params.cache or "off")

    def teardown(self) -> None:
        if getattr(self, "voice", None):
            self.voice.close()

    def on_touch(self, msg: Touch) -> None:
        if msg.action == "slower":
            self.extra = max(0.5 / self.params.speed, self.extra * self.params.slower)
        elif msg.action == "home":
            self.extra = 1.0

    def on_interrupt(self, msg) -> None:
        pass        # the blocking handler sees cancelled() and stops; the runtime drops queued replies

    def on_reply(self, msg: Reply) -> None:
        speed = self.params.speed * (msg.rate or 1.0) * self.extra
        spans = sentences(msg.text)
        for i, (s, e) in enumerate(spans):
            if self.cancelled():
                return
            last = i == len(spans) - 1
            self.speak(msg.id, msg.text[s:e], speed, last)

    def speak(self, reply: str, sentence: str, speed: float, last: bool) -> None:
        """Publish one sentence as one utterance."""
        utt, norm = new_id(), normalize(sentence)
        entry = self.cache.get(sentence) if self.cache and abs(speed - self.params.speed) < 0.02 else None
        if entry is not None:
            rate, voice = entry.rate, f"cache:{entry.voice}"
            pieces, gain = iter([entry.piece]), 1.0
        else:
            rate, voice = self.voice.rate, self.voice.name
            pieces, gain = self.voice.stream(norm.text, speed, self.cancelled), self.gain
        chunker = Chunker(max(1, rate * self.params.chunk_ms // 1000))
        for piece in pieces:
            if gain != 1.0:
                piece = Piece(audio.apply(piece.pcm, gain), piece.phones, piece.words)
            for chunk in chunker.feed(piece):
                if self.cancelled():
                    return
                self._publish(reply, utt, sentence, norm, chunk, rate, voice, False)
        if self.cancelled():
            return
        pad = 0 if last else rate * self.params.pause_ms // 1000
        for chunk in chunker.finish(pad):
            self._publish(reply, utt, sentence, norm, chunk, rate, voice, last and chunk.final)

    def _publish(self, reply, utt, sentence, norm, chunk: Chunk, rate, voice, last) -> None:
        names = list(dict.fromkeys(p for _, _, p in chunk.phones))
        self.publish("speech", SpeechChunk(
            reply=reply, utterance=utt, pcm=chunk.pcm, rate=rate, sample=chunk.sample, final=chunk.final,
            last=last, text=sentence, voice=voice, phones=names,
            ph_id=np.array([names.index(p) for _, _, p in chunk.phones], np.int16),
            ph_start=np.array([s for s, _, _ in chunk.phones], np.int32),
            ph_end=np.array([e for _, e, _ in chunk.phones], np.int32),
            word_start=np.array([s for s, _, _ in chunk.words], np.int32),
            word_end=np.array([e for _, e, _ in chunk.words], np.int32),
            word_end_char=np.array([min(len(sentence), norm.original_end(c)) for _, _, c in chunk.words], np.int32)))

