"""What the kiosk says: the reply builders of the dialogue policy (a mixin of policy.Dialogue).

Spoken text is short (spoken.py: at most two short sentences); the full answer goes on screen.
"""

from __future__ import annotations

import dataclasses

from nodes.dialogue import crisis, intents, spoken
from nodes.dialogue.kb import STAFF_TOPIC, Topic
from nodes.dialogue.retrieval import Retrieval, normalize

PII_NOTICE = "개인정보는 말씀하지 않으셔도 괜찮아요."
OOD_TEXT = "죄송해요. 그 내용은 제가 잘 몰라요. 직원을 불러 드릴까요?"
FACET_LABELS = (("amount", "받는 금액"), ("eligibility", "받을 수 있는 분"), ("documents", "준비 서류"),
                ("when", "날짜"), ("proxy", "가족이 대신"))


def spoken_number(phone: str) -> str:
    phone = phone.strip()
    return phone + "번" if phone[-1:].isdigit() else phone


def _url(topic: Topic) -> str:
    return topic.source if topic.source.startswith(("http://", "https://")) else ""


class Replies:
    """Needs self.kb, self.params, self.staff, self._suggest, self.retriever, self.rephraser (policy.Dialogue)."""

    def _suggest_phrase(self) -> str:
        titles = [t.title for t in self._suggest[:2]]
        return f"{titles[0]}, {titles[1]}" if len(titles) > 1 else (titles[0] if titles else "기초연금")

    def _greeting(self, intent: str = "greeting"):
        from nodes.dialogue.policy import Response
        return Response("smalltalk", f"안녕하세요. 궁금하신 것을 편하게 물어보세요. 예를 들면 {self._suggest_phrase()} 같은 것을 "
                        "안내해 드려요.", suggestions=[t.title for t in self._suggest], intent=intent)

    def _crisis(self, hotline: str | None, categories: list[str]):
        """Help is on its way (staff are alerted), in short calm sentences; the number on screen."""
        from nodes.dialogue.policy import Response
        name, sc = crisis.script(categories, hotline)
        return Response("crisis", sc.spoken, hotline=sc.hotline, detail=sc.screen, title="직원을 불렀습니다",
                        intent="crisis" if name != "lost" else "lost", category=name,
                        alert="" if name != "lost" else "lost", suggestions=["직원 호출"])

    def _holding(self, category: str):
        """Anything said while the session waits for staff after a crisis."""
        from nodes.dialogue.policy import Response
        sc = crisis.SCRIPTS[category]
        return Response("crisis", sc.holding, hotline=sc.hotline, detail=sc.screen, title="직원을 불렀습니다",
                        intent="crisis_wait", category=category)

    def _escalate(self, intent: str):
        from nodes.dialogue.policy import Response
        staff = self.staff
        text = staff.answer if staff else "네, 직원을 불러 드릴게요. 잠시만 기다려 주세요."
        if intent == "abuse_repeat":
            text = "제가 잘 도와드리지 못해 죄송해요. " + text
        return Response("escalate", text, topic=STAFF_TOPIC, sources=[staff.source] if staff else [],
                        detail=staff.detail if staff else "", title=staff.title if staff else "", score=1.0,
                        intent=intent, alert="staff_call")

    def _repeat(self, s, slower: bool = True):
        from nodes.dialogue.policy import Response
        if s.last is None:
            return Response("smalltalk", "아직 드린 말씀이 없어요. 무엇을 도와드릴까요?", rate=self.params.slow_rate,
                            suggestions=[t.title for t in self._suggest], intent="repeat")
        # a repeat never raises a second alert
        return dataclasses.replace(s.last, rate=min(s.last.rate, self.params.slow_rate), intent="repeat", alert="")

    def _followup_chips(self, topic: Topic | None) -> list[str]:
        if topic is None or topic.id == STAFF_TOPIC:
            return []
        chips = ["신청 방법"] + [label for key, label in FACET_LABELS if key in topic.facets]
        return chips + ["전화번호"]

    def _topic_reply(self, topic: Topic, text: str, score: float, intent: str):
        from nodes.dialogue.policy import Response
        screen = topic.detail if topic.detail.startswith(topic.answer[:20]) else f"{topic.answer}\n{topic.detail}"
        return Response("answer", text, topic=topic.id, sources=[topic.source], detail=screen, title=topic.title,
                        suggestions=self._followup_chips(topic), score=score, intent=intent, url=_url(topic))

    def _answer(self, topic: Topic, question: str, score: float):
        text = spoken.for_ear(topic.answer)
        if self.rephraser is not None:
            out = self.rephraser.rephrase(question, topic, f"{topic.answer}\n{topic.detail}")
            if out is not None:
                text = out[0]
        return self._topic_reply(topic, text, score, "answer")

    def _topic_answer(self, topic: Topic, question: str, facet: str | None, score: float):
        if topic.id == STAFF_TOPIC:  # a request for a person, phrased so that only retrieval caught it
            return self._escalate("staff")
        return self._facet(topic, facet, score) if facet else self._answer(topic, question, score)

    def _facet(self, topic: Topic, facet: str, score: float):
        phone = spoken_number(topic.phone)
        texts = [topic.answer, topic.detail]
        if facet == "apply":
            text = spoken.for_ear(topic.apply)
        elif facet == "phone" and any(c.isdigit() for c in topic.phone):
            text = f"{topic.title} 문의 전화는 {phone}입니다."
        elif facet == "phone":
            text = f"{intents.josa(topic.title, '은', '는')} {topic.phone}에 문의해 주세요."
        elif facet == "detail":
            text = spoken.for_ear(topic.answer)
        elif facet in topic.facets:
            text = spoken.for_ear(topic.facets[facet])
        else:
            # no facet written for it (an imported FAQ): the sentences that speak to it, else the answer
            text = spoken.aspect_sentences(texts + [topic.apply], facet) or spoken.for_ear(topic.answer)
        return self._topic_reply(topic, text, score, f"followup_{facet}")

    def _ood(self, r: Retrieval, s=None):
        """Out of scope: say so, and offer a person ("네" calls staff)."""
        from nodes.dialogue.policy import Response
        if s is not None and self.staff is not None:
            s.pending = [STAFF_TOPIC]
        return Response("ood", OOD_TEXT, suggestions=["직원 호출"] + [t.title for t in self._suggest[:2]],
                        score=r.confidence, intent="ood")

    def _topic_words(self, text: str) -> set[str]:
        """Nouns that could name a topic (not facet or filler words); verbs (가져가다) never do."""
        morph, _chars, tags = self.retriever.analyzer.analyze_tagged(text)
        return {t for t in morph if tags.get(t, "").startswith(("NN", "SL", "SH"))} - intents.FOLLOWUP_FILLER

    def _resolve_clarify(self, text: str, pending: list[str], r: Retrieval) -> Topic | None:
        squeezed = normalize(text).replace(" ", "")
        if len(squeezed) <= 12:
            idx = intents.detect_ordinal(text)
            if idx is not None and idx < len(pending):
                return self.kb.by_id[pending[idx]]
        named = [i for i in pending if normalize(self.kb.by_id[i].title).replace(" ", "") in squeezed]
        if len(named) == 1:
            return self.kb.by_id[named[0]]
        ranked = [c.topic_id for c in r.candidates if c.topic_id in pending]
        if ranked and r.top is not None and r.top.topic_id in pending and r.top.score > 0:
            return self.kb.by_id[ranked[0]]
        return None
