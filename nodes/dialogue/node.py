"""Dialogue node: what the counsellor says. Retrieval over the knowledge base, per-session policy.

in:  moderated (Moderated)     masked text + verdict (never unmasked text)
     presence (Presence)       optional: someone arrived (greet) or left
out: reply (Reply)             spoken text + on-screen detail, for TTS and the display
     alert (StaffAlert)        the senior asked for a person
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from bus.messages import Moderated, Presence, Reply, StaffAlert
from bus.node import Node


class DialogueNode(Node):
    inputs = {"moderated": Moderated, "presence": Presence}
    outputs = {"reply": Reply, "alert": StaffAlert}
    optional = frozenset({"presence"})
    blocking = frozenset({"moderated", "presence"})   # the generative backend may take seconds

    @dataclass
    class Params:
        kb: str = ""                       # knowledge-base directory; default config/kb
        log_path: str = "var/conversations.sqlite"
        idle_timeout_s: float = 90.0
        stt_min_confidence: float = 0.5
        slow_rate: float = 0.8
        suggest_topics: list[str] = field(default_factory=list)
        generative_url: str = ""           # OpenAI-compatible endpoint; off when empty
        generative_model: str = ""
        session: str = "kiosk"             # session id when the message carries none

    @classmethod
    def check(cls, params) -> list[str]:
        import os
        if params.kb and not os.path.isdir(params.kb):
            return [f"kb '{params.kb}' is not a directory; make one with `run.py kb import FAQ.csv --out DIR`, "
                    f"or leave it empty for config/kb"]
        return []

    def setup(self):
        from nodes.dialogue.policy import Dialogue
        p = self.params
        self.dialogue = Dialogue(p.kb or None, log_path=p.log_path or None, idle_timeout_s=p.idle_timeout_s,
                                 stt_min_confidence=p.stt_min_confidence, slow_rate=p.slow_rate,
                                 suggest_topics=list(p.suggest_topics), generative_url=p.generative_url,
                                 generative_model=p.generative_model)
        self.every(1.0, self.check_idle)

    def on_moderated(self, msg: Moderated):
        from nodes.dialogue.policy import Turn
        from nodes.moderation.engine import Verdict
        verdict = Verdict(label=msg.label, categories=list(msg.categories), hotline=msg.hotline,
                          masked_text=msg.text, spans=[], pii=list(msg.pii), alert=msg.label == "crisis",
                          score=msg.score)
        session = msg.session or self.params.session
        r = self.dialogue.respond(session, Turn(msg.text, verdict, msg.stt_confidence, time.monotonic()))
        self.say(session, r)
        if r.kind == "escalate":
            self.publish("alert", StaffAlert(reason="staff_call", text=msg.text, session=session))

    def on_presence(self, msg: Presence):
        session = msg.session or self.params.session
        if msg.present:
            self.say(session, self.dialogue.arrive(session, time.monotonic()))
        else:
            self.dialogue.reset(session)

    def check_idle(self):
        for session, r in self.dialogue.tick(time.monotonic()):
            self.say(session, r)

    def say(self, session: str, r) -> None:
        self.publish("reply", Reply(kind=r.kind, text=r.text, topic=r.topic, title=r.title, detail=r.detail,
                                    sources=list(r.sources), suggestions=list(r.suggestions), hotline=r.hotline,
                                    rate=float(r.rate), session=session))
        self.log.info("%s%s: %s", r.kind, f" [{r.topic}]" if r.topic else "", r.text)
