"""One senior turn through the shipped moderation and dialogue, as the senior-set tests ask it."""
from nodes.dialogue.policy import Turn


def ask(d, mod, text, sid="t", first=None, confirm=True):
    """A fresh session: `first` said before (something to repeat), then `text` moderated and answered;
    a confirmation question is answered "네" as a senior would (unless confirm is False)."""
    d.reset(sid)
    if first:
        d.respond(sid, Turn(first, now=99.0))
    v = mod.check(text)
    r = d.respond(sid, Turn(v.masked_text, v, now=100.0))
    if confirm and r.intent == "confirm":
        r = d.respond(sid, Turn("네", now=101.0))
    return r
