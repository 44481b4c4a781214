"""Senior utterances through moderation and the dialogue, scored on what the kiosk did.

A TSV of utterance, expect, service, aspect (header row):
- expect: answer | crisis | staff | lost | ood | repeat | slower | goodbye | greeting
- service: a free Korean service name (기초연금), mapped to a topic id by a label file
  (tests/data/dialogue/seniors_services.tsv: service, topic); a topic id maps to itself
- aspect: where | how | who | cost | documents | when | eligibility | general (proxy: someone else goes)

Right means: answer -> the mapped topic, and for an aspect other than general the reply speaks to it
(the topic's facet, or the sentences of its text on it); a confirmation question is answered "네"
first, as a senior would. crisis -> a crisis reply; lost -> the lost reply (a person, calmly);
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
    failures = []
    for i, row in enumerate(rows):
        sid = f"senior-{i}"
        text = row["utterance"]
        if row.get("expect") in ("repeat", "slower"):   # something to repeat first
            dialogue.respond(sid, Turn("기초연금 받을 수 있어요?"))
        v = moderator.check(text) if moderator is not None else None
        r = dialogue.respond(sid, Turn(v.masked_text if v else text, v))
        if r.intent == "confirm":
            confirmed += 1
            r = dialogue.respond(sid, Turn("네"))
        dialogue.reset(sid)
        service = row.get("service", "")
        topic = services.get(service) or (service if service in dialogue.kb.by_id else None)
        ok = judge(row, r, topic)
        right += ok
        total[row.get("expect", "answer")] += 1
        by_expect[row.get("expect", "answer")] += ok
        if not ok:
            failures.append({"utterance": text, "expect": row.get("expect"), "service": service,
                             "aspect": row.get("aspect"), "kind": r.kind, "intent": r.intent, "topic": r.topic})
    n = max(1, len(rows))
    return {"n": len(rows), "right": right / n, "confirmed_first": confirmed / n,
            "by_expect": {k: f"{by_expect[k]}/{total[k]}" for k in sorted(total)}, "failures": failures}


def run(dialogue, paths: list[Path], services_path: Path | None) -> dict:
    try:
        from nodes.moderation.engine import Moderator
        moderator = Moderator()
    except ImportError:
        moderator = None
    services = read_services(services_path)
    return {p.stem: evaluate(dialogue, moderator, read_rows(p), services) for p in paths if p.is_file()}
