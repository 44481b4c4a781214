"""Per-session dialogue policy over the knowledge base (a library: no bus code).

Input: a Turn (masked text, moderation verdict, STT confidence, time).
Output: a Response (what the kiosk says and shows).

Order of precedence in a turn: crisis (hotline first, always), unclear speech,
abuse, a request for staff, personal data said aloud (a kind notice, the topic
kept), control intents (repeat/slower, goodbye, greeting, thanks, chit-chat,
help), the answer to a pending clarifying question, follow-ups on the current
topic, then retrieval. Retrieval gives three bands: below the calibrated
threshold the question is out of domain (polite rejection with suggestions);
in the middle the kiosk asks "혹시 ...에 대해 여쭤보신 건가요?" and answers on
"네"; above, it answers. Two topics scoring alike get "A와 B 중에서 ...".
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nodes.dialogue import intents
from nodes.dialogue.kb import STAFF_TOPIC, KnowledgeBase, Topic, load_kb
from nodes.dialogue.retrieval import Retrieval, RetrievalParams, Retriever, normalize

# Offered on the greeting and out-of-domain replies when present in the KB (param suggest_topics overrides).
DEFAULT_SUGGEST = ("basic_pension", "senior_jobs", "dementia_center", "long_term_care", "flu_vaccine")
KINDS = ("answer", "clarify", "ood", "escalate", "crisis", "abuse", "smalltalk")


@dataclass
class Turn:
    text: str
    verdict: Any = None            # nodes.moderation.engine.Verdict or None
    stt_confidence: float = 1.0
    now: float | None = None       # time.monotonic(); None means now


@dataclass
class Response:
    kind: str
    text: str
    topic: str | None = None
    sources: list[str] = field(default_factory=list)
    detail: str = ""
    title: str = ""
    rate: float = 1.0
    suggestions: list[str] = field(default_factory=list)
    score: float = 0.0
    hotline: str | None = None
    intent: str = ""               # finer reason, e.g. "followup_apply", "repeat", "stt_retry"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class DialogueParams:
    idle_timeout_s: float = 90.0
    idle_goodbye: bool = True
    stt_min_confidence: float = 0.5
    slow_rate: float = 0.8
    crisis_hotline: str = "자살예방 상담전화 109"
    abuse_escalate_after: int = 3
    suggest_topics: list[str] = field(default_factory=list)   # topic ids to offer; default: first three
    log_path: str | None = None
    # retrieval
    dense_model_path: str | None = None
    tie_ratio: float = 0.93
    max_false_reject: float = 0.02
    max_false_accept: float = 0.3
    # optional generative rephrasing (off unless url and model are set)
    generative_url: str = ""
    generative_model: str = ""
    generative_timeout_s: float = 3.0

    @classmethod
    def from_dict(cls, values: dict, where: str = "dialogue params") -> "DialogueParams":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{where}: unknown key '{unknown[0]}'. Known keys: {', '.join(sorted(known))}")
        return cls(**values)


@dataclass
class _Session:
    topic: str | None = None
    last: Response | None = None
    pending: list[str] = field(default_factory=list)   # topics offered in a clarifying question
    pending_facet: str | None = None                   # the aspect asked about, kept across the clarification
    last_active: float = 0.0
    abuse_count: int = 0


def _spoken_number(phone: str) -> str:
    phone = phone.strip()
    return phone + "번" if phone[-1:].isdigit() else phone


class Dialogue:
    """Loads the knowledge base and its index once; keeps one small state per session."""

    def __init__(self, kb_dir: str | Path | KnowledgeBase | None = None, params: DialogueParams | dict | None = None,
                 **overrides):
        if isinstance(params, dict):
            params = DialogueParams.from_dict(params)
        params = params or DialogueParams()
        if overrides:
            params = DialogueParams.from_dict({**dataclasses.asdict(params), **overrides})
        self.params = params
        self.kb: KnowledgeBase = kb_dir if isinstance(kb_dir, KnowledgeBase) else load_kb(kb_dir)
        self.retriever = Retriever(self.kb, RetrievalParams(
            tie_ratio=params.tie_ratio, max_false_reject=params.max_false_reject,
            max_false_accept=params.max_false_accept,
            dense_model_path=params.dense_model_path))
        self.staff: Topic | None = self.kb.get(STAFF_TOPIC)
        ids = params.suggest_topics or [i for i in DEFAULT_SUGGEST if i in self.kb.by_id][:3]
        ids = ids or [t.id for t in self.kb.service_topics[:3]]
        missing = [i for i in ids if i not in self.kb.by_id]
        if missing:
            raise ValueError(f"dialogue params: suggest_topics names unknown topic '{missing[0]}'")
        self._suggest = [self.kb.by_id[i] for i in ids]
        self.rephraser = None
        if params.generative_url and params.generative_model:
            from nodes.dialogue.generative import GenerativeParams, Rephraser

            self.rephraser = Rephraser(GenerativeParams(url=params.generative_url, model=params.generative_model,
                                                        timeout_s=params.generative_timeout_s))
        self.log = None
        if params.log_path:
            from nodes.dialogue.convlog import ConversationLog

            self.log = ConversationLog(params.log_path)
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    # -- public interface --------------------------------------------------

    def arrive(self, session_id: str, now: float | None = None) -> Response:
        """A person walked up: start a fresh session and greet."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._sessions[session_id] = _Session(last_active=now)
            r = self._greeting()
            self._sessions[session_id].last = r
        return r

    def respond(self, session_id: str, turn: Turn) -> Response:
        start = time.perf_counter()
        now = time.monotonic() if turn.now is None else turn.now
        with self._lock:
            s = self._sessions.get(session_id)
            if s is None or now - s.last_active > self.params.idle_timeout_s:
                s = self._sessions[session_id] = _Session(last_active=now)
            r = self._decide(s, turn)
            s.last_active = now
            if r.intent == "goodbye":
                self._sessions.pop(session_id, None)
            elif r.intent not in ("repeat",):
                s.last = r
        if self.log is not None:
            v = turn.verdict
            self.log.write(session_id=session_id, user_text=turn.text, kind=r.kind, intent=r.intent, topic=r.topic,
                           score=r.score, verdict=getattr(v, "label", None), categories=getattr(v, "categories", None),
                           latency_ms=(time.perf_counter() - start) * 1000)
        return r

    def tick(self, now: float | None = None) -> list[tuple[str, Response]]:
        """Reset sessions idle longer than idle_timeout_s; returns a goodbye for each (if enabled)."""
        now = time.monotonic() if now is None else now
        out = []
        with self._lock:
            for sid in [k for k, s in self._sessions.items() if now - s.last_active > self.params.idle_timeout_s]:
                del self._sessions[sid]
                if self.params.idle_goodbye:
                    out.append((sid, Response("smalltalk", "이용해 주셔서 감사합니다. 안녕히 가세요.", intent="timeout")))
        return out

    def reset(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    # -- decision ----------------------------------------------------------

    def _decide(self, s: _Session, turn: Turn) -> Response:
        v = turn.verdict
        label = getattr(v, "label", "allow") if v is not None else "allow"
        if label == "crisis":
            return self._crisis(getattr(v, "hotline", None), list(getattr(v, "categories", None) or []))
        text = (turn.text or "").strip()
        if turn.stt_confidence < self.params.stt_min_confidence or not normalize(text):
            return Response("clarify", "죄송해요. 잘 못 들었어요. 한 번만 다시 말씀해 주시겠어요?", intent="stt_retry")
        if label == "abuse":
            s.abuse_count += 1
            if s.abuse_count >= self.params.abuse_escalate_after:
                return self._escalate("abuse_repeat")
            return Response("abuse", "마음이 많이 상하셨나 봐요. 천천히 말씀해 주시면 제가 끝까지 도와드릴게요.",
                            intent="deescalate")
        intent = intents.detect_intent(text)
        if intent == "staff":
            return self._escalate("staff")
        if getattr(v, "pii", None):
            # the person told us their own details (phone, resident number): not a question, and
            # nothing to look up; the current topic and any pending question stay as they are
            return Response("smalltalk", "개인정보는 말씀하지 않으셔도 괜찮아요. 궁금하신 내용을 말씀해 주세요.",
                            topic=s.topic, suggestions=self._followup_chips(self.kb.get(s.topic)), intent="pii_notice")
        if intent in ("repeat", "slower"):
            return self._repeat(s)
        if intent == "goodbye":
            return Response("smalltalk", "이용해 주셔서 감사합니다. 안녕히 가세요.", intent="goodbye")
        if intent == "greeting":
            return self._greeting()
        if intent == "thanks":
            return Response("smalltalk", "천만에요. 더 궁금하신 것이 있으면 말씀해 주세요.",
                            suggestions=self._followup_chips(self.kb.get(s.topic)), intent="thanks")
        if intent == "chitchat":
            return Response("smalltalk", "저는 공공 서비스를 안내해 드리는 상담 도우미예요. 예를 들면 "
                            f"{self._suggest_phrase()} 같은 것을 물어봐 주세요.",
                            suggestions=[t.title for t in self._suggest], intent="chitchat")
        if intent == "help":
            return self._greeting(intent="help")
        pending, s.pending = s.pending, []
        pending_facet, s.pending_facet = s.pending_facet, None
        yes_no = intents.detect_yes_no(text)
        if pending and yes_no is False:
            return Response("clarify", "그럼 궁금하신 것을 한 번 더 말씀해 주시겠어요?",
                            suggestions=[t.title for t in self._suggest], intent="confirm_no")
        if yes_no is not None and not pending:
            return Response("smalltalk", f"{'네' if yes_no else '알겠습니다'}. 더 궁금하신 것이 있으면 말씀해 주세요.",
                            suggestions=self._followup_chips(self.kb.get(s.topic)), intent="ack")
        facet = intents.detect_facet(text)
        r = self.retriever.retrieve(text)
        if pending:
            chosen = self.kb.by_id[pending[0]] if yes_no and len(pending) == 1 else \
                self._resolve_clarify(text, pending, r)
            if chosen is not None:
                s.topic = chosen.id if chosen.id != STAFF_TOPIC else s.topic
                facet = facet or pending_facet
                return self._topic_answer(chosen, text, facet, r.confidence)
        current = self.kb.get(s.topic)
        if facet is not None:
            own_words = self._topic_words(text)
            if current is not None and (not own_words or (r.in_domain and r.top.topic_id == current.id)):
                return self._facet(current, facet, r.confidence)
            if current is None and not own_words:
                return Response("clarify", "어떤 서비스에 대해 여쭤보시는 건가요? 예를 들면 "
                                f"{self._suggest_phrase()} 같은 것을 말씀해 주세요.",
                                suggestions=[t.title for t in self._suggest], intent="facet_unknown")
        if not r.in_domain or (r.top.topic_id == STAFF_TOPIC and r.features.get("uncovered", 0.0) >= 0.5):
            # calling staff is an action: a question that merely mentions staff ("보건소 직원 월급은
            # 얼마예요") and asks about things the staff topic never mentions is not a request
            return self._ood(r)
        if r.tie:
            ids = [c.topic_id for c in r.candidates[:2]]
            squeezed = normalize(text).replace(" ", "")
            named = [i for i in ids if normalize(self.kb.by_id[i].title).replace(" ", "") in squeezed]
            if current is not None and current.id in ids:
                chosen = current
            elif len(named) == 1:  # the question names one of them outright
                chosen = self.kb.by_id[named[0]]
            else:
                s.pending, s.pending_facet = ids, facet
                a, b = (self.kb.by_id[i] for i in ids)
                return Response("clarify", f"{intents.josa(a.title, '과', '와')} {b.title} 중에서 어느 것을 여쭤보셨어요?",
                                suggestions=[a.title, b.title], score=r.confidence, intent="tie")
        elif not r.confident and (current is None or r.top.topic_id != current.id):
            # in the domain but not sure of the topic: ask before answering
            topic = self.kb.by_id[r.top.topic_id]
            s.pending, s.pending_facet = [topic.id], facet
            return Response("clarify", f"혹시 {topic.title}에 대해 여쭤보신 건가요?", topic=topic.id,
                            suggestions=["네", "아니요"], score=r.confidence, title=topic.title, intent="confirm")
        else:
            chosen = self.kb.by_id[r.top.topic_id]
        s.topic = chosen.id if chosen.id != STAFF_TOPIC else s.topic
        return self._topic_answer(chosen, text, facet, r.confidence)

    # -- replies -----------------------------------------------------------

    def _suggest_phrase(self) -> str:
        titles = [t.title for t in self._suggest[:2]]
        return f"{titles[0]}, {titles[1]}" if len(titles) > 1 else (titles[0] if titles else "기초연금")

    def _greeting(self, intent: str = "greeting") -> Response:
        return Response("smalltalk", f"안녕하세요. 궁금하신 공공 서비스를 편하게 물어보세요. 예를 들면 {self._suggest_phrase()} 같은 것을 "
                        "안내해 드려요.", suggestions=[t.title for t in self._suggest], intent=intent)

    def _crisis(self, hotline: str | None, categories: list[str]) -> Response:
        """The hotline comes first, then one calm sentence; staff are alerted by the node (verdict.alert)."""
        hotline = hotline or self.params.crisis_hotline
        call = f"지금 바로 {intents.josa(_spoken_number(hotline), '으로', '로')} 전화해 주세요."
        if "suicide" in categories or hotline == "109" or not categories and hotline == self.params.crisis_hotline:
            rest = "24시간 언제든 이야기를 들어 드려요. 많이 힘드시지요, 직원도 곧 함께해 드릴게요."
        elif "crime" in categories or hotline == "112":
            rest = "위험하시면 안전한 곳으로 먼저 피하세요. 직원에게도 바로 알리겠습니다."
        else:
            rest = "혼자 계시지 않도록 직원에게도 바로 알리겠습니다."
        return Response("crisis", f"{call} {rest}", hotline=hotline, intent="crisis")

    def _escalate(self, intent: str) -> Response:
        staff = self.staff
        text = staff.answer if staff else "네, 직원을 불러 드릴게요. 잠시만 기다려 주세요."
        if intent == "abuse_repeat":
            text = "제가 잘 도와드리지 못해 죄송해요. " + text
        return Response("escalate", text, topic=STAFF_TOPIC, sources=[staff.source] if staff else [],
                        detail=staff.detail if staff else "", title=staff.title if staff else "", score=1.0,
                        intent=intent)

    def _repeat(self, s: _Session) -> Response:
        if s.last is None:
            return Response("smalltalk", "아직 드린 말씀이 없어요. 무엇을 도와드릴까요?", rate=self.params.slow_rate,
                            suggestions=[t.title for t in self._suggest], intent="repeat")
        return dataclasses.replace(s.last, rate=min(s.last.rate, self.params.slow_rate), intent="repeat")

    def _followup_chips(self, topic: Topic | None) -> list[str]:
        if topic is None:
            return []
        chips = ["신청 방법"]
        chips += [label for key, label in (("amount", "받는 금액"), ("eligibility", "받을 수 있는 분"),
                                           ("documents", "준비 서류")) if key in topic.facets]
        return chips + ["전화번호"]

    def _topic_reply(self, topic: Topic, text: str, score: float, intent: str) -> Response:
        return Response("answer", text, topic=topic.id, sources=[topic.source], detail=topic.detail, title=topic.title,
                        suggestions=self._followup_chips(topic), score=score, intent=intent)

    def _answer(self, topic: Topic, question: str, score: float) -> Response:
        text = topic.answer
        sources = [topic.source]
        if self.rephraser is not None:
            out = self.rephraser.rephrase(question, topic, f"{topic.answer}\n{topic.detail}")
            if out is not None:
                text = out[0]
        r = self._topic_reply(topic, text, score, "answer")
        r.sources = sources
        return r

    def _topic_answer(self, topic: Topic, question: str, facet: str | None, score: float) -> Response:
        if topic.id == STAFF_TOPIC:  # a request for a person, phrased so that only retrieval caught it
            return self._escalate("staff")
        return self._facet(topic, facet, score) if facet else self._answer(topic, question, score)

    def _facet(self, topic: Topic, facet: str, score: float) -> Response:
        phone = _spoken_number(topic.phone)
        if facet == "apply":
            text = topic.apply
        elif facet == "phone" and any(c.isdigit() for c in topic.phone):
            text = f"{topic.title} 문의 전화는 {phone}입니다."
        elif facet == "phone":
            text = f"{topic.title}{'은' if intents.has_batchim(topic.title) else '는'} {topic.phone}에 문의해 주세요."
        elif facet == "detail":
            text = f"{topic.title}의 자세한 내용을 화면에 보여 드릴게요. {topic.answer}"
            text = topic.answer if len(text) > 200 else text
        elif facet in topic.facets:
            text = topic.facets[facet]
        else:
            ask = (f"{intents.josa(phone, '으로', '로')} 전화하시면" if any(c.isdigit() for c in phone)
                   else f"{phone}에 물어보시면")
            text = f"그 내용은 화면의 자세한 안내를 봐 주세요. {ask} 정확히 알려 드려요."
        return self._topic_reply(topic, text, score, f"followup_{facet}")

    def _ood(self, r: Retrieval) -> Response:
        return Response("ood", "죄송해요. 그 내용은 제가 안내해 드리기 어려워요. "
                        f"저는 {self._suggest_phrase()} 같은 공공 서비스를 안내해 드려요.",
                        suggestions=[t.title for t in self._suggest], score=r.confidence, intent="ood")

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
