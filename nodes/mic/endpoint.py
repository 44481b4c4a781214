"""Where a user utterance begins and ends: Silero VAD for speech, smart-turn for the end of a turn.

A silence threshold alone cuts off a senior who pauses to think, so the end of a turn is decided
in two steps:

1. After `eot_silence_s` of silence, smart-turn hears the turn up to the end of speech (plus
   `eot_tail_s` of the silence: none by default; more silence makes it surer the turn is over,
   which cuts seniors off) and says whether the speaker has finished. At or above
   `eot_threshold` (0.9: it is overconfident on Korean, see docs/hearing.md) the turn ends
   ("end_of_turn").
2. Otherwise the mic waits: speech that resumes continues the same utterance; `max_wait_s` of
   silence ends it anyway ("max_wait").

3. If the model was not quite sure (below `rejoin_below`) and the senior goes on within
   `rejoin_s` of the end of speech, the new utterance *continues* the last one: it carries all of its audio (the pause included), and its
   start event names the utterance it replaces (`continues`), so that the mic can interrupt the
   answer to the half sentence and STT hears the whole one.

An utterance also ends at `max_utterance_s` ("max_length") and when the source ends ("flush").
Speech must last `min_speech_s` to begin one (a cough or a click does not); `preroll_s` of audio
before the onset and `postroll_s` after the end are kept so that no syllable is clipped.

`Endpointer.feed(frame)` is pure logic over the sample clock (no time.time(), no bus): it
returns the events of that frame, so tests and `run.py stt FILE` drive it faster than real time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from bus.messages import new_id

RATE = 16000
WINDOW = 512


@dataclass
class EndpointParams:
    vad_threshold: float = 0.5       # speech starts at this Silero probability ...
    vad_release: float = 0.35        # ... and stops below this one (hysteresis)
    min_speech_s: float = 0.25
    preroll_s: float = 0.3
    postroll_s: float = 0.2          # audio kept after the end of speech
    eot_silence_s: float = 0.5       # silence before asking the end-of-turn model
    eot_tail_s: float = 0.0          # silence the model hears after the speech
    eot_threshold: float = 0.9
    max_wait_s: float = 2.5          # the longest silence inside one utterance
    max_utterance_s: float = 30.0
    rejoin_s: float = 2.0            # speech this soon after an end_of_turn continues that utterance ...
    rejoin_below: float = 0.98       # ... when the model was not this sure (finished sentences score ~0.985)


@dataclass
class Event:
    kind: str                        # start | end
    utterance: str
    sample: int                      # start: onset; end: end of speech
    at: int = 0                      # stream sample when the decision was taken
    pcm: Optional[np.ndarray] = None # end: the whole utterance (pre-roll included)
    pcm_start: int = 0               # stream sample of pcm[0]
    reason: str = ""
    eot_prob: float = -1.0
    continues: str = ""              # start: the utterance this one replaces (it goes on after a pause)


@dataclass
class _Turn:
    id: str
    onset: int
    chunks: list = field(default_factory=list)
    last_speech: int = 0
    asked: bool = False
    pcm_start: int = 0


class Endpointer:
    def __init__(self, vad, eot: Optional[Callable[[np.ndarray], float]], p: EndpointParams = EndpointParams()):
        self.vad, self.eot, self.p = vad, eot, p
        self.sample = 0                       # stream samples consumed
        self.history = np.zeros(0, np.int16)  # recent audio, for the pre-roll
        self.run = 0                          # consecutive speech samples (before a turn begins)
        self.speaking = False
        self.turn: Optional[_Turn] = None
        self.last: Optional[_Turn] = None     # the turn just ended by the model, while it may go on

    def feed(self, frame: np.ndarray, hold_start: bool = False) -> list[Event]:
        """Consume one frame; `hold_start` delays the start of a new turn (echo guard)."""
        p, events = self.p, []
        self.sample += len(frame)
        keep = int(p.preroll_s * RATE) + len(frame) + int(p.min_speech_s * RATE) + WINDOW
        self.history = np.concatenate([self.history, frame])[-keep:]
        for prob in self.vad(frame):
            self.speaking = prob >= (p.vad_release if self.speaking else p.vad_threshold)
        if self.turn is not None:
            self.turn.chunks.append(frame)
        elif self.last is not None:
            self.last.chunks.append(frame)
            if self.sample - self.last.last_speech > (p.rejoin_s + p.min_speech_s) * RATE + len(frame):
                self.last = None
        if self.speaking:
            self.run += len(frame)
            if self.turn is None and self.run >= p.min_speech_s * RATE and not hold_start:
                onset = self.sample - self.run
                pre = max(0, onset - int(p.preroll_s * RATE))
                last, self.last = self.last, None
                if last is not None and onset - last.last_speech <= p.rejoin_s * RATE:
                    self.turn = _Turn(new_id(), onset, last.chunks, self.sample, pcm_start=last.pcm_start)
                else:
                    last = None
                    head = self.history[-min(self.sample - pre, len(self.history)):]
                    self.turn = _Turn(new_id(), onset, [head.copy()], self.sample, pcm_start=self.sample - len(head))
                events.append(Event("start", self.turn.id, onset, at=self.sample, continues=last.id if last else ""))
            if self.turn is not None:
                self.turn.last_speech = self.sample
                self.turn.asked = False
        else:
            self.run = 0
        t = self.turn
        if t is None:
            return events
        silence = self.sample - t.last_speech
        length = self.sample - t.pcm_start
        if length >= p.max_utterance_s * RATE:
            events.append(self._end("max_length"))
        elif silence >= p.max_wait_s * RATE:
            events.append(self._end("max_wait"))
        elif silence >= p.eot_silence_s * RATE and not t.asked:
            t.asked = True
            if self.eot is None:
                events.append(self._end("silence"))
            else:
                audio = np.concatenate(t.chunks)
                cut = len(audio) - (silence - int(p.eot_tail_s * RATE))
                prob = self.eot(audio[:max(cut, 1)])
                if prob >= p.eot_threshold:
                    events.append(self._end("end_of_turn", prob))
        return events

    def flush(self) -> list[Event]:
        return [self._end("flush")] if self.turn is not None else []

    def _end(self, reason: str, prob: float = -1.0) -> Event:
        t, self.turn = self.turn, None
        audio = np.concatenate(t.chunks)
        if reason == "end_of_turn" and self.p.rejoin_s > 0 and prob < self.p.rejoin_below:
            t.chunks = [audio]
            self.last = t
        tail = int(self.p.postroll_s * RATE)
        audio = audio[:max(0, t.last_speech - t.pcm_start) + tail]
        self.run = 0
        return Event("end", t.id, t.last_speech, at=self.sample, pcm=audio, pcm_start=t.pcm_start,
                     reason=reason, eot_prob=prob)
