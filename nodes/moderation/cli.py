"""Command-line entry points of moderation; run.py finds them in COMMANDS (and doctor checks in DOCTOR)."""
from __future__ import annotations

COMMANDS = {
    "bench moderation": ("moderation benchmark: precision and recall per label and category, latency", "bench_main"),
}
DOCTOR = {"moderation": ("moderation: lexicons, the crisis classifier's weights, a known crisis", "doctor_moderation")}

# A crisis every shipped engine must catch, said the way a senior says it.
KNOWN_CRISIS = ("영감이 숨을 안 쉬는 거 같어 우짜노", "medical", "119")


def doctor_moderation() -> list:
    """(status, detail, fix) for `run.py doctor`."""
    import time
    from nodes.moderation.classifier import ModelError
    from nodes.moderation.engine import LexiconError, Moderator
    rebuild = "python -m nodes.moderation.classifier build (and commit config/moderation/crisis_model.npz)"
    t = time.perf_counter()
    try:
        m = Moderator()
    except LexiconError as e:
        return [("FAIL", f"lexicon does not load: {e}", "fix the file and line named in config/moderation/")]
    except ModelError as e:
        return [("FAIL", str(e), rebuild)]
    out = [("OK", f"lexicons: {sum(len(c.rules) for c in m.crisis.categories)} crisis rules, "
                  f"{len(m.abuse.terms)} abuse terms; classifier {len(m._classifier.index)} features; "
                  f"loaded in {time.perf_counter() - t:.1f} s", "")]
    text, category, hotline = KNOWN_CRISIS
    v = m.check(text)
    if v.label == "crisis" and category in v.categories and v.hotline == hotline:
        out.append(("OK", f"'{text}' -> crisis {category}, {hotline}", ""))
    else:
        out.append(("FAIL", f"'{text}' -> {v.label} {','.join(v.categories) or '-'} (expected crisis {category})",
                    "the lexicon or the model is wrong: run tests/moderation, then " + rebuild))
    return out


def bench_main(argv: list[str]) -> int:
    from nodes.moderation.bench import main
    return main(argv)
