"""Per-session dialogue policy over the knowledge base (a library: no bus code).

Input: a Turn (masked text, moderation verdict, STT confidence, time).
Output: a Response (what the kiosk says and shows).

Order of precedence in a turn: crisis (staff alerted, help is coming, the
number on screen; the session then waits for staff, with no idle goodbye, until
staff_clear), a senior who seems lost (the same, with the dialogue's own staff
alert), unclear speech, abuse, a request for staff, personal data said aloud (a
kind notice, then the answer to any question said with it), control intents (repeat/slower, goodbye, greeting, thanks, chit-chat,
help), the answer to a pending clarifying question, follow-ups on the current
topic, then retrieval. Retrieval gives three bands: below the calibrated
threshold the question is out of domain (polite rejection with suggestions);
in the middle the kiosk asks "혹시 ...에 대해 여쭤보신 건가요?" and answers on
"네" (not when the question names the topic outright); above, it answers. Two
topics scoring alike get "A와 B 중에서 ...". Reply builders live in replies.py.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nodes.dialogue import aspect, control, crisis, intents
from nodes.dialogue.kb import FACET_KEYS, STAFF_TOPIC, KnowledgeBase, Topic, load_kb
from nodes.dialogue.replies import PII_NOTICE, Replies
from nodes.dialogue.retrieval import RetrievalParams, Retriever, normalize
from nodes.moderation.dialect import standardize_text

# Offered on the greeting and out-of-domain replies when present in the KB (param suggest_topics overrides).
DEFAULT_SUGGEST = ("basic_pension", "senior_jobs", "dementia_center", "long_term_care", "flu_vaccine")
# a word set aside: "신분증 말고", "기초수급은 아닌데" (Dialogue._asides)
_ASIDE = r"[가-힣0-9]*?(?:은|는|이|가)? ?(?:말고|빼고|말구|아니고|아닌데|아닌디|아니지만|아니어도|아니라도)"
# a paper to bring ("등본 떼 와야", "증명서도 있어야", "주민증만 있으믄") and the end of a clause before it
_BRING = re.compile(r"^(떼와|떼가|떼어와|떼어가|떼야|가져|가지고|갖고|챙겨|있어야|있으면|있으믄|있음|필요)")
_CLAUSE_END = re.compile(r"(면|믄|서|고|데|디|까|려|라|요|때)$")
# crisis categories the classifier alone has given a lost senior's words (the lost reply calls staff too)
_LOST_LOOKALIKES = {"crime", "family_violence", "elder_abuse", "financial_abuse"}
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
    alert: str = ""                # a StaffAlert reason the node must publish (staff_call, lost)
    url: str = ""                  # official page of the answer (a QR code on screen)
    category: str = ""             # crisis category the reply speaks to

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
    max_false_reject: float = 0.015    # 0.02 before the KB grew to 95 topics: more senior questions were declined
    max_false_accept: float = 0.3
    standard_retrieval: bool = True    # rank the question with its dialect endings in standard form
    aspect_model: str = "default"      # learned aspect of a question (aspect.py): "default", a .npz path, or "off"
    control_model: str = "default"     # learned control intent (control.py) where no pattern sees one: same values
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


def _learned(key: str, value: str, module):
    """A learned model (aspect.py, control.py) as the params name it: "default" (the shipped file, or
    None when it is absent), a path to an .npz, or "off"."""
    if value in ("off", ""):
        return None
    path = module.DEFAULT_MODEL if value == "default" else Path(value)
    if value != "default" and not path.is_file():
        raise ValueError(f"dialogue params: {key} '{path}' is not a file. Fix: give the .npz that "
                         f"`python -m {module.__name__} build` writes, \"default\", or \"off\"")
    return module.load_model(path)


@dataclass
class _Session:
    topic: str | None = None
    last: Response | None = None
    pending: list[str] = field(default_factory=list)   # topics offered in a clarifying question
    pending_facet: str | None = None                   # the aspect asked about, kept across the clarification
    last_active: float = 0.0
    abuse_count: int = 0
    crisis: str | None = None                          # crisis category while waiting for staff


class Dialogue(Replies):
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
        self.aspects = _learned("aspect_model", params.aspect_model, aspect)
        self.controls = _learned("control_model", params.control_model, control)
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
            if s is None or (now - s.last_active > self.params.idle_timeout_s and s.crisis is None):
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
            for sid in [k for k, s in self._sessions.items()
                        if now - s.last_active > self.params.idle_timeout_s and s.crisis is None]:
                del self._sessions[sid]
                if self.params.idle_goodbye:
                    out.append((sid, Response("smalltalk", "이용해 주셔서 감사합니다. 안녕히 가세요.", intent="timeout")))
        return out

    def reset(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def in_crisis(self, session_id: str) -> str | None:
        with self._lock:
            s = self._sessions.get(session_id)
            return s.crisis if s else None

    def staff_clear(self, session_id: str | None = None) -> list[tuple[str, Response]]:
        """Staff have taken over (StaffAction clear): end the crisis state of one session, or of all
        when session_id is empty. Returns a short line for each session cleared."""
        out = []
        with self._lock:
            for sid in [k for k, s in self._sessions.items() if s.crisis and (not session_id or k == session_id)]:
                del self._sessions[sid]
                out.append((sid, Response("smalltalk", "직원이 도와드릴 거예요. 궁금한 것이 있으면 언제든 말씀해 주세요.",
                                          suggestions=[t.title for t in self._suggest], intent="staff_clear")))
        return out

    # -- decision ----------------------------------------------------------

    def _prefer_facet(self, r, text: str, facet: str | None, rule: str | None) -> None:
        """A named service with one of its aspects asked is in the domain; of two close topics, the one
        whose text answers the aspect asked wins ("기초연금 언제 들어와요": the topic with a payment day,
        not the one about combining pensions). Only an aspect the patterns see (`rule`) makes a question
        in the domain: the learned one is less precise ("독감 걸렸는데 무슨 약 먹어요" is not where to get
        the vaccine)."""
        if ((not r.in_domain or r.near) and not r.named and rule and not r.unsupported and len(r.candidates) > 1
                and r.features.get("oov_noun", 1.0) < 0.3):
            # the one service named outright, close behind a topic the turn never names ("기초 연금 돈
            # 들어오는 날이 며칠이고": 기초연금, not the topic on combining it with the national pension),
            # in words the KB mostly says ("국민연금 주식 투자 수익률" is not a question on the pension paid)
            named = self._named(text, colloquial=False) - {STAFF_TOPIC} - self._asides(text)[0]
            if len(named) == 1:
                self._promote(r, named, 0.6)
        if ((not r.in_domain or r.near) and r.named and rule and not r.unsupported and r.top is not None
                and r.confidence >= 0.25 * self.retriever.threshold
                and (rule in self.kb.by_id[r.top.topic_id].facets or rule in ("apply", "phone", "proxy", "general"))):
            # the service named outright and one of its aspects asked ("기초연금 나도 받을 수 있나
            # 몰라, 나이는 예순일곱이여"): the rest of the words are talk, not another subject
            r.in_domain = r.confident = True
            r.near = False
        if facet not in FACET_KEYS or not r.in_domain or len(r.candidates) < 2:
            return
        top, second = r.candidates[0], r.candidates[1]
        if (facet not in self.kb.by_id[top.topic_id].facets and facet in self.kb.by_id[second.topic_id].facets
                and second.score >= 0.75 * top.score):
            r.candidates[0], r.candidates[1] = second, top
            r.tie = False

    def _named(self, text: str, colloquial: bool = True) -> set[str]:
        """Topics named in the turn as said or in standard form (title, keyword, colloquial name)."""
        return set().union(*(self.retriever.topics_named(f, colloquial) for f in (text, standardize_text(text))))

    @staticmethod
    def _promote(r, ids: set[str], min_ratio: float = 0.0) -> None:
        """The first candidate among ids (scoring at least min_ratio of the top) answers instead."""
        for i, c in enumerate(r.candidates[1:], 1):
            if c.topic_id in ids and c.score >= min_ratio * r.top.score:
                r.candidates.insert(0, r.candidates.pop(i))
                r.tie, r.named = False, True
                return

    def _prefer_whole_service(self, r, text: str) -> None:
        """A topic on how two services combine (its title names both: "기초연금과 국민연금 같이 받기") does
        not answer a question that names only one of them and not the topic itself: "기초연금 누가
        받아요" asks about 기초연금 as a whole, the next candidate that is that service answers."""
        if r.top is None or not r.in_domain or len(r.candidates) < 2:
            return
        named, top = self._named(text), r.top.topic_id
        parts = self.retriever.topics_named(self.kb.by_id[top].title, colloquial=False) - {top}
        if top not in named and len(parts) >= 2 and len(named & parts) == 1:
            self._promote(r, named & parts)

    def _prefer_named(self, r, text: str) -> None:
        """The one service named outright ("보건소 몇 시까지 해요") wins over a close topic the question
        does not name at all (the hours of the 주민센터)."""
        if r.top is None or not r.in_domain or len(r.candidates) < 2:
            return
        plain = self._named(text, colloquial=False) - {STAFF_TOPIC}
        if len(plain) == 1 and r.top.topic_id not in self._named(text):
            # further behind when the top topic leads only on words the named one says too ("기초연금
            # 매달 며칠에 들어와요" is not about 장애인연금 for matching its "매달 며칠에 들어와요?")
            (name,) = plain
            close = self._named(text) - {STAFF_TOPIC} == plain and self.retriever.covers(name, r.top.topic_id, text)
            self._promote(r, plain, 0.6 if close else 0.75)

    def _drop_negated(self, r, text: str) -> None:
        """A topic named only to be set aside ("경로당 말고 낮에 뭐 배우러 다닐 데") is not the one asked
        about: the next candidate takes its place."""
        if r.top is None or len(r.candidates) < 2 or not r.in_domain or r.candidates[1].topic_id == STAFF_TOPIC:
            return   # (a call for staff is an action, never the service asked about in place of another)
        negated, rest = self._asides(text)
        if r.top.topic_id not in negated:
            return
        r.candidates[0], r.candidates[1] = r.candidates[1], r.candidates[0]
        r.tie, r.named = False, r.candidates[0].topic_id in rest

    def _prefer_applied_for(self, r, text: str, facet: str | None) -> None:
        """A paper named as a thing to bring is not the service asked about: "주택연금 들라믄 등기부등본
        떼 와야 되는겨" asks what 주택연금 needs, not how to get the register copy."""
        if facet != "documents" or r.top is None or len(r.candidates) < 2 or not r.in_domain:
            return
        words = normalize(standardize_text(text)).split()
        brought: set[str] = set()
        for i, w in enumerate(words):
            cue = _BRING.match(w) or (w in ("떼", "떼어") and words[i + 1:i + 2] and words[i + 1][0] in "와가")
            if not cue or i == 0:
                continue
            span = []   # the words just before the cue, back to a verb ending ("들라믄", "할 때")
            for prev in reversed(words[max(0, i - 5):i]):
                if not span and prev in ("같은", "그런", "이런", "거", "것", "것도", "거도", "것만", "거만", "도", "만"):
                    continue   # "등기부등본 같은 거 떼 와야"
                if _CLAUSE_END.search(prev) or prev == "때" or len(span) == 3:
                    break
                span.insert(0, prev)
            brought |= self.retriever.topics_named(" ".join(span)) if span else set()
        if r.top.topic_id in brought:
            self._promote(r, self._named(text) - brought - {STAFF_TOPIC}, 0.3)

    def _asides(self, text: str) -> tuple[set[str], set[str]]:
        """(topics named only to be set aside, topics named outside the asides). An aside is the word said
        just before "말고" ("인감 떼러 왔는데 신분증 말고": 신분증, not 인감; "노인일자리 신청서 말고": the
        form, not the service), or before "… 아닌데" ("기초수급은 아닌데")."""
        spaced = normalize(standardize_text(text))
        aside = set().union(*(self.retriever.topics_named(n) for n in re.findall(_ASIDE, spaced)))
        rest = self.retriever.topics_named(re.sub(_ASIDE, " ", spaced))
        return aside - rest, rest

    def _names_service(self, text: str) -> bool:
        """The turn names a service (a question, not only confusion): a topic's title, keyword or
        colloquial name is said ("오늘 며칠이지 깜빡했네 기초연금 들어오는 날인데")."""
        forms = {text, standardize_text(text)}
        return any(self.retriever.topics_named(f) - {STAFF_TOPIC} for f in forms)

    def _learned_intent(self, text: str) -> str | None:
        """The learned control intent (control.py) of a turn no pattern reads and that names no service
        ("수고해요", "누구 좀 와 봐"), or None."""
        if self.controls is None or not normalize(text) or intents.detect_intent(text) is not None \
                or self._names_service(text):
            return None
        return self.controls.intent(text)

    def _decide(self, s: _Session, turn: Turn) -> Response:
        v = turn.verdict
        label = getattr(v, "label", "allow") if v is not None else "allow"
        text = (turn.text or "").strip()
        learned = self._learned_intent(text) if label != "crisis" else None
        lost = crisis.is_lost(text) or (crisis.is_confused(text) and not self._names_service(text)) or learned == "lost"
        categories = set(getattr(v, "categories", None) or [])
        if label == "crisis" and lost and categories == {"crime"} and crisis.left_waiting(text):
            # a companion who has not come back is the "missing person" sense of moderation's crime
            # category; the senior left waiting gets the lost reply (the same 112 and staff call)
            label = "allow"
        elif label == "crisis" and getattr(v, "by_model", False) and lost and categories <= _LOST_LOOKALIKES:
            # the classifier alone, with no word of violence or threat, heard harm in a disoriented
            # senior's words ("영감 밥 차려야 되는데 집을 못 찾겠소"); they say where they are lost, so
            # they get the lost reply, which calls staff just the same
            label = "allow"
        if label == "crisis" or lost:
            categories = list(getattr(v, "categories", None) or []) if label == "crisis" else ["lost"]
            r = self._crisis(getattr(v, "hotline", None) if label == "crisis" else None, categories)
            if s.crisis is not None and r.alert:   # already waiting for staff: no second alert
                r.alert = ""
            s.crisis = r.category
            return r
        if s.crisis is not None:
            if intents.detect_intent(text) in ("repeat", "slower") and s.last is not None:
                return self._repeat(s)
            return self._holding(s.crisis)
        if turn.stt_confidence < self.params.stt_min_confidence or not normalize(text):
            return Response("clarify", "죄송해요. 잘 못 들었어요. 한 번만 다시 말씀해 주시겠어요?", intent="stt_retry")
        if label == "abuse":
            s.abuse_count += 1
            if s.abuse_count >= self.params.abuse_escalate_after:
                return self._escalate("abuse_repeat")
            return Response("abuse", "마음이 많이 상하셨나 봐요. 천천히 말씀해 주시면 제가 끝까지 도와드릴게요.",
                            intent="deescalate")
        intent = intents.detect_intent(text) or learned
        if intent == "staff":
            return self._escalate("staff")
        if getattr(v, "pii", None):
            # the person told us their own details (phone, resident number): a kind notice, then the
            # answer to any question said with them; the current topic and any pending question stay
            saved = (s.topic, list(s.pending), s.pending_facet)
            r = self._question(s, intents.strip_pii(text), intent)
            if r.kind in ("answer", "escalate") or r.intent in ("tie", "confirm"):
                return dataclasses.replace(r, text=f"{PII_NOTICE} {r.text}")
            s.topic, s.pending, s.pending_facet = saved
            return Response("smalltalk", f"{PII_NOTICE} 궁금하신 내용을 말씀해 주세요.",
                            topic=s.topic, suggestions=self._followup_chips(self.kb.get(s.topic)), intent="pii_notice")
        return self._question(s, text, intent)

    def _question(self, s: _Session, text: str, intent: str | None) -> Response:
        """Control intents, a pending clarification, follow-ups and retrieval."""
        if intent in ("repeat", "slower") and len(normalize(text).split()) > 4 and \
                self._named(text, colloquial=False) - {STAFF_TOPIC}:
            intent = None   # "틀니 몇 년 지나야 다시 해 줘요" asks about a service named outright: not "say it again"
        if intent in ("repeat", "slower"):
            return self._repeat(s)
        if intent == "goodbye":
            return Response("smalltalk", "이용해 주셔서 감사합니다. 안녕히 가세요.", intent="goodbye")
        if intent == "greeting":
            return self._greeting()
        greeted, text = intents.strip_greeting(text)
        if greeted and s.topic is None and not self._topic_words(text) and intents.detect_intent(text) is None \
                and intents.detect_facet(text) is None and self._learned_intent(text) is None:
            return self._greeting()   # "안녕허세유 나 또 왔슈 잘 있었슈": a greeting and talk, no subject
        if greeted:   # "안녕하세요, 기초연금 받을 수 있어요?": a greeting back, then the answer
            r = self._question(s, text, intents.detect_intent(text))
            return dataclasses.replace(r, text=f"안녕하세요. {r.text}")
        if intent == "thanks":
            return Response("smalltalk", "천만에요. 더 궁금하신 것이 있으면 말씀해 주세요.",
                            suggestions=self._followup_chips(self.kb.get(s.topic)), intent="thanks")
        if intent == "chitchat":
            return Response("smalltalk", "저는 공공 서비스를 안내해 드리는 상담 도우미예요. 예를 들면 "
                            f"{self._suggest_phrase()} 같은 것을 물어봐 주세요.",
                            suggestions=[t.title for t in self._suggest], intent="chitchat")
        if intent == "help":
            return self._greeting(intent="help")
        if intents.is_hearsay(text) and not self._named(text) - {STAFF_TOPIC}:
            return Response("smalltalk", "그런 소식은 제가 잘 몰라요. 나라에서 받는 도움이나 서류는 무엇이든 물어봐 주세요.",
                            suggestions=[t.title for t in self._suggest], intent="chitchat")
        pending, s.pending = s.pending, []
        pending_facet, s.pending_facet = s.pending_facet, None
        yes_no = intents.detect_yes_no(text)
        if pending and yes_no is False:
            return Response("clarify", "그럼 궁금하신 것을 한 번 더 말씀해 주시겠어요?",
                            suggestions=[t.title for t in self._suggest], intent="confirm_no")
        if yes_no is not None and not pending:
            return Response("smalltalk", f"{'네' if yes_no else '알겠습니다'}. 더 궁금하신 것이 있으면 말씀해 주세요.",
                            suggestions=self._followup_chips(self.kb.get(s.topic)), intent="ack")
        rule = intents.detect_facet(text)
        facet = rule if self.aspects is None else self.aspects.facet(text, rule)   # learned where sure (aspect.py)
        # the ranking reads dialect endings in standard form ("맨들라믄 어데로 가능교" -> "만들려면 어디로
        # 가나요"): the knowledge base is written in standard Korean
        r = self.retriever.retrieve(standardize_text(text) if self.params.standard_retrieval else text)
        # a named service asked about as a whole is in the domain too ("실버카 주는 사업이 있다던데예")
        subject = intents.asks_what(text) if rule is None and r.top is not None else None
        general = subject is not None and r.top.topic_id in self.retriever.topics_named(subject)
        self._prefer_facet(r, text, facet, rule or ("general" if general else None))
        self._prefer_whole_service(r, text)
        self._prefer_named(r, text)
        self._drop_negated(r, text)
        self._prefer_applied_for(r, text, facet)
        if pending:
            chosen = self.kb.by_id[pending[0]] if yes_no and len(pending) == 1 else \
                self._resolve_clarify(text, pending, r)
            if chosen is not None:
                s.topic = chosen.id if chosen.id != STAFF_TOPIC else s.topic
                # a bare "네" carries no aspect of its own: the one asked before the question stands
                facet = pending_facet if yes_no else (facet or pending_facet)
                return self._topic_answer(chosen, text, facet, r.confidence)
        current = self.kb.get(s.topic)
        if self.retriever.unknown_service(text) and not any(
                self.retriever.topics_named(f, colloquial=False) - {STAFF_TOPIC} for f in (text, standardize_text(text))):
            # a service the knowledge base does not cover, named outright ("주택연금 들라믄 몇 살이어야"):
            # out of scope with a person offered, never the neighbouring topic's answer
            return self._ood(r, s)
        if facet is not None:
            own_words = self._topic_words(text)
            if current is not None and (not own_words or (r.in_domain and r.top.topic_id == current.id)):
                return self._facet(current, facet, r.confidence)
            # a service named by its number or title alone ("129 전화 걸면 돈 드나") is a topic too
            if current is None and not own_words and not (r.in_domain and r.named):
                return Response("clarify", "어떤 서비스에 대해 여쭤보시는 건가요? 예를 들면 "
                                f"{self._suggest_phrase()} 같은 것을 말씀해 주세요.",
                                suggestions=[t.title for t in self._suggest], intent="facet_unknown")
        if not r.in_domain or (r.top.topic_id == STAFF_TOPIC and r.features.get("uncovered", 0.0) >= 0.5):
            # calling staff is an action: a question that merely mentions staff ("보건소 직원 월급은
            # 얼마예요") and asks about things the staff topic never mentions is not a request
            return self._ood(r, s)
        if r.tie:
            ids = [c.topic_id for c in r.candidates[:2]]
            squeezed = normalize(text).replace(" ", "")
            named = [i for i in ids if normalize(self.kb.by_id[i].title).replace(" ", "") in squeezed]
            if not named:   # or by one of its keywords ("국민연금 받을 나이가 몇 살부터여")
                named = [i for i in ids if i in self._named(text)]
            a, b = (self.kb.by_id[i] for i in ids)
            if current is not None and current.id in ids:
                chosen = current
            elif normalize(a.title).replace(" ", "") == normalize(b.title).replace(" ", ""):
                chosen = a   # never a choice between two identical options: the better match
            elif len(named) == 1:  # the question names one of them outright
                chosen = self.kb.by_id[named[0]]
            else:
                s.pending, s.pending_facet = ids, facet
                return Response("clarify", f"{intents.josa(a.title, '과', '와')} {b.title} 중에서 어느 것을 여쭤보셨어요?",
                                suggestions=[a.title, b.title], score=r.confidence, intent="tie")
        elif (not r.confident and not r.named or r.near) and (current is None or r.top.topic_id != current.id):
            # in the domain but not sure of the topic (or just short of the threshold): ask before answering
            topic = self.kb.by_id[r.top.topic_id]
            s.pending, s.pending_facet = [topic.id], facet
            return Response("clarify", f"혹시 {topic.title}에 대해 여쭤보신 건가요?", topic=topic.id,
                            suggestions=["네", "아니요"], score=r.confidence, title=topic.title, intent="confirm")
        else:
            chosen = self.kb.by_id[r.top.topic_id]
        s.topic = chosen.id if chosen.id != STAFF_TOPIC else s.topic
        return self._topic_answer(chosen, text, facet, r.confidence)

