"""Senior utterances through moderation and the dialogue, scored on what the kiosk did.

A TSV of utterance, expect, service, aspect (header row):
- expect: answer | crisis | staff | lost | ood | repeat | slower | goodbye | greeting
- service: a free Korean service name (기초연금), mapped to a topic id by a label file
  (tests/data/dialogue/seniors_services*.tsv: service, topic); a topic id maps to itself; topic "-"
  marks a service the knowledge base does not cover
- aspect: where | how | who | cost | documents | when | eligibility | general (proxy: someone else goes)

Right means: answer -> the mapped topic, and for an aspect other than general the reply speaks to it
(the topic's facet, or the sentences of its text on it); a confirmation question is answered "네"
first, as a senior would. An answer for an uncovered service ("-") is right when the kiosk does not
answer from another topic: the out-of-scope reply, a staff call, or a question back other than "did you
mean <topic>?" (that one is not answered "네": a senior would say no). crisis -> a crisis reply; lost -> the lost reply (a person, calmly);
staff -> a staff call; ood -> not answered (out-of-scope reply, or asked which service);
repeat/slower -> the last reply again (slower); goodbye, greeting -> the same.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

# aspect -> the facet intents that answer it
_ASPECT_FACETS = {"where": {"apply"}, "how": {"apply"}, "who": {"eligibility", "proxy"}, "cost": {"amount"},
                  "documents": {"documents"}, "when": {"when"}, "eligibility": {"eligibility"},
                  "proxy": {"proxy"}, "phone": {"phone"}}


UNCOVERED = "-"


def read_rows(path: Path) -> list[dict]:
    lines = [ln.rstrip("\n").split("\t") for ln in path.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    header = [h.strip().lower() for h in lines[0]]
    return [dict(zip(header, (c.strip() for c in row))) for row in lines[1:]]


def read_services(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    return {r["service"]: r["topic"] for r in read_rows(path) if r.get("service") and r.get("topic")}


def judge(row: dict, r, topic: str | None) -> bool:
    expect = row.get("expect", "answer")
    if expect == "answer" and topic == UNCOVERED:
        return r.kind in ("ood", "escalate") or (r.kind == "clarify" and r.intent != "confirm") \
            or r.intent == "facet_unknown"
    if expect == "answer":
        if topic is None or r.kind != "answer" or r.topic != topic:
            return False
        aspect = row.get("aspect", "general") or "general"
        return aspect == "general" or r.intent.removeprefix("followup_") in _ASPECT_FACETS.get(aspect, {aspect})
    if expect == "crisis":
        return r.kind == "crisis" and r.intent != "lost"
    if expect == "lost":
        return r.kind == "crisis" and r.intent == "lost"
    if expect == "staff":
        return r.kind == "escalate"
    if expect == "ood":
        return r.kind in ("ood", "smalltalk") or r.intent == "facet_unknown"
    if expect in ("repeat", "slower"):
        return r.intent == "repeat" and (expect == "repeat" or r.rate < 1.0)
    if expect == "goodbye":
        return r.intent == "goodbye"
    if expect == "greeting":
        return r.intent in ("greeting", "help")
    return False


def evaluate(dialogue, moderator, rows: list[dict], services: dict[str, str]) -> dict:
    from nodes.dialogue.policy import Turn

    right, by_expect, total, confirmed = 0, Counter(), Counter(), 0
    covered = [0, 0]   # right, rows: answers expected for services the knowledge base has
    failures = []
    for i, row in enumerate(rows):
        sid = f"senior-{i}"
        text = row["utterance"]
        if row.get("expect") in ("repeat", "slower"):   # something to repeat first
            dialogue.respond(sid, Turn("기초연금 받을 수 있어요?"))
        v = moderator.check(text) if moderator is not None else None
        r = dialogue.respond(sid, Turn(v.masked_text if v else text, v))
        service = row.get("service", "")
        topic = services.get(service) or (service if service in dialogue.kb.by_id else None)
        if r.intent == "confirm" and topic != UNCOVERED:
            confirmed += 1
            r = dialogue.respond(sid, Turn("네"))
        dialogue.reset(sid)
        ok = judge(row, r, topic)
        if row.get("expect", "answer") == "answer" and topic not in (None, UNCOVERED):
            covered[0] += ok
            covered[1] += 1
        right += ok
        total[row.get("expect", "answer")] += 1
        by_expect[row.get("expect", "answer")] += ok
        if not ok:
            failures.append({"utterance": text, "expect": row.get("expect"), "service": service,
                             "aspect": row.get("aspect"), "kind": r.kind, "intent": r.intent, "topic": r.topic})
    n = max(1, len(rows))
    return {"n": len(rows), "right": right / n, "confirmed_first": confirmed / n,
            "answer_covered": f"{covered[0]}/{covered[1]}",
            "by_expect": {k: f"{by_expect[k]}/{total[k]}" for k in sorted(total)}, "failures": failures}


def run(dialogue, sets: list[tuple[Path, Path | None]]) -> dict:
    """sets: (utterances TSV, its label map or None)."""
    try:
        from nodes.moderation.engine import Moderator
        moderator = Moderator()
    except ImportError:
        moderator = None
    return {p.stem: evaluate(dialogue, moderator, read_rows(p), read_services(labels))
            for p, labels in sets if p.is_file()}
