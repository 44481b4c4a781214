"""Moderation node: between STT and dialogue. Every utterance gets a verdict; only masked text
goes on.

in:  transcript (Transcript)   unmasked, straight from STT
out: moderated (Moderated)     verdict + masked text, for dialogue and the display
     alert (StaffAlert)        a crisis: call a person now
"""
from __future__ import annotations

from dataclasses import dataclass

from bus.messages import Moderated, StaffAlert, Transcript
from bus.node import Node


class ModerationNode(Node):
    inputs = {"transcript": Transcript}
    outputs = {"moderated": Moderated, "alert": StaffAlert}

    @dataclass
    class Params:
        lexicon_dir: str = ""      # default: config/moderation
        ml_model: str = ""         # optional transformers checkpoint directory (operator-supplied)
        ml_threshold: float = 0.8
        crisis_model: str = ""     # default: config/moderation/crisis_model.npz (classifier.py)

    @classmethod
    def check(cls, params) -> list[str]:
        import os
        out = []
        if params.lexicon_dir and not os.path.isdir(params.lexicon_dir):
            out.append(f"lexicon_dir '{params.lexicon_dir}' is not a directory (leave it empty for config/moderation)")
        if params.ml_model and not os.path.isdir(params.ml_model):
            out.append(f"ml_model '{params.ml_model}' is not a directory; give the path of a transformers "
                       f"checkpoint (config.json + weights), or leave it empty to use the lexicons alone")
        if params.crisis_model and not os.path.isfile(params.crisis_model):
            out.append(f"crisis_model '{params.crisis_model}' is not a file; build one with `python -m "
                       f"nodes.moderation.classifier build`, or leave it empty for the shipped model")
        return out

    def setup(self):
        from nodes.moderation.engine import Moderator
        self.moderator = Moderator(self.params.lexicon_dir or None, self.params.ml_model or None,
                                   self.params.ml_threshold, crisis_model=self.params.crisis_model or None)
        self.moderator.check("안녕하세요")   # warm the analyser before the first senior speaks

    def on_transcript(self, msg: Transcript):
        v = self.moderator.check(msg.text)
        spans = [{"start": s.start, "end": s.end, "category": s.category, "text": s.text} for s in v.spans
                 if s.category in v.pii or s.category in v.categories]
        self.publish("moderated", Moderated(
            text=v.masked_text, label=v.label, categories=list(v.categories), hotline=v.hotline,
            pii=list(v.pii), spans=spans, score=float(v.score), by_model=v.by_model, stt_confidence=msg.confidence,
            session=msg.session, low_confidence=msg.low_confidence, utterance=msg.utterance,
            source=msg.source))
        if v.label != "allow" or v.pii:
            self.log.info("%s %s%s", v.label, ",".join(v.categories) or "-",
                          f" (masked: {','.join(v.pii)})" if v.pii else "")
        if v.alert:
            self.publish("alert", StaffAlert(reason="crisis", category=v.categories[0] if v.categories else "",
                                             hotline=v.hotline, text=v.masked_text, session=msg.session))
