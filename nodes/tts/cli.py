"""Command-line entry points of speaking: `tts`, `voice render|import|status` and `bench tts`.
run.py finds them in COMMANDS; heavy imports stay inside the functions."""
from __future__ import annotations

import argparse
import json
import sys

COMMANDS = {
    "tts": ("speak TEXT into a WAV file (--json: normalised text, duration, timeline)", "tts_main"),
    "voice": ("speech cache: render the fixed texts, import recordings, status", "voice_main"),
    "bench tts": ("TTS benchmark: first audio, real-time factor, intelligibility (CER), stop time", "bench_main"),
}
DOCTOR = {"voice": ("voice: espeak-ng speaks Korean, the speech cache", "doctor_voice")}


def doctor_voice() -> list:
    """(status, detail, fix) for `run.py doctor`: the default voice speaks, and how full the cache is."""
    import glob
    import os
    from nodes.tts.cache import SpeechCache
    from nodes.tts.voice import join, load
    out = []
    try:
        piece = join(list(load("espeak").stream("안녕하세요.")))
        out.append(("OK" if len(piece.pcm) else "FAIL", f"espeak-ng Korean: {len(piece.pcm)} samples, "
                    f"{len(piece.phones)} phones for 안녕하세요", "apt-get install espeak-ng-data"))
    except Exception as e:   # a missing library or voice data: say which
        out.append(("FAIL", f"espeak-ng: {type(e).__name__}: {e}", "apt-get install libespeak-ng1 espeak-ng-data"))
    n = len(glob.glob(os.path.join(SpeechCache().dir, "*.npz")))
    out.append(("OK" if n else "WARN", f"speech cache: {n} sentence(s) in {SpeechCache().dir}",
                "python run.py voice render (or voice import DIR with a person's recordings)"))
    return out


def _voice_options(backend: str, extra: list[str]) -> dict:
    from nodes.tts.texts import voice_settings
    import yaml
    opts = dict((voice_settings().get("voices") or {}).get(backend) or {})
    for item in extra:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"error: --opt '{item}' is not KEY=VALUE")
        opts[key] = yaml.safe_load(value)
    return opts


def _node_params(args, cache: str) -> dict:
    from nodes.tts.texts import voice_settings
    conf = voice_settings()
    backend = args.backend or conf.get("backend", "espeak")
    return {"backend": backend, "voice": _voice_options(backend, args.opt),
            "speed": float(args.speed or conf.get("speed", 0.85)), "cache": cache}


def speak(params: dict, text: str) -> dict:
    """Run the TTS node in-process on one Reply; returns pcm, rate and the timeline (seconds)."""
    import numpy as np
    from bus.messages import Reply
    from bus.testing import Harness
    from nodes.tts.audio import resample
    from nodes.tts.node import TtsNode
    from nodes.tts.normalize import normalize, sentences
    h = Harness(TtsNode, params)
    chunks = [c for _, c, _ in h.send("reply", Reply("answer", text, id="cli"))]
    h.node.teardown()
    rate = chunks[0].rate if chunks else 22050
    pcm, phones, words, voices = [], [], [], []
    for c in chunks:
        piece = resample(c.pcm, c.rate, rate)
        scale = rate / c.rate
        base = sum(len(p) for p in pcm) - c.sample * scale
        phones += [[round((base + s * scale) / rate, 4), round((base + e * scale) / rate, 4), c.phones[i]]
                   for i, s, e in zip(c.ph_id.tolist(), c.ph_start.tolist(), c.ph_end.tolist())]
        words += [[round((base + s * scale) / rate, 4), round((base + e * scale) / rate, 4), c.text[:k].split()[-1] if c.text[:k].split() else ""]
                  for s, e, k in zip(c.word_start.tolist(), c.word_end.tolist(), c.word_end_char.tolist())]
        pcm.append(piece)
        if c.voice not in voices:
            voices.append(c.voice)
    pcm = np.concatenate(pcm) if pcm else np.zeros(0, np.int16)
    said = " ".join(normalize(text[s:e]).text for s, e in sentences(text))
    return {"pcm": pcm, "rate": rate, "normalized": said, "voices": voices,
            "timeline": {"phones": phones, "words": words}}


def tts_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py tts", description="Speak TEXT into a WAV file.")
    ap.add_argument("text")
    ap.add_argument("--out", required=True, help="the WAV file to write")
    ap.add_argument("--backend", default="", help="espeak | jets (default: config/tts/voice.yaml)")
    ap.add_argument("--opt", action="append", default=[], help="a voice option KEY=VALUE (e.g. pitch=50)")
    ap.add_argument("--speed", type=float, default=0.0, help="speaking speed (default 0.85: slower than usual)")
    ap.add_argument("--no-cache", action="store_true", help="always synthesise (do not use var/voice)")
    ap.add_argument("--json", action="store_true", help="print normalized, duration_s and timeline as JSON")
    args = ap.parse_args(argv)
    from nodes.tts.audio import write_wav
    from nodes.tts.voice import VoiceError
    try:
        out = speak(_node_params(args, "" if args.no_cache else "var/voice"), args.text)
    except VoiceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    write_wav(args.out, out["pcm"], out["rate"])
    duration = len(out["pcm"]) / out["rate"]
    if args.json:
        print(json.dumps({"text": args.text, "normalized": out["normalized"], "duration_s": round(duration, 3),
                          "rate": out["rate"], "voice": out["voices"], "out": args.out, "timeline": out["timeline"]},
                         ensure_ascii=False))
    else:
        print(f"{args.out}: {duration:.2f} s, {', '.join(out['voices'])}; said: {out['normalized']}")
    return 0


def voice_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py voice", description="The speech cache (var/voice).")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render", help="render every fixed sentence (KB answers, prompts) with the best voice")
    r.add_argument("--backend", default="", help="default: the first that loads of config/tts/voice.yaml `render`")
    r.add_argument("--opt", action="append", default=[])
    r.add_argument("--force", action="store_true", help="also replace recordings and entries already there")
    i = sub.add_parser("import", help="store a person's recordings (DIR with WAVs and transcripts.tsv)")
    i.add_argument("dir")
    i.add_argument("--max-cer", type=float, default=0.3, help="reject a recording whose words differ more")
    s = sub.add_parser("status", help="which fixed sentences are cached, missing or stale")
    s.add_argument("--json", action="store_true")
    for p in (r, i, s):
        p.add_argument("--cache", default="var/voice")
        p.add_argument("--kb", default="", help="knowledge-base folder (default config/kb)")
    args = ap.parse_args(argv)
    return {"render": _render, "import": _import, "status": _status}[args.cmd](args)


def _fixed(args):
    from nodes.tts.texts import KB, fixed_sentences
    return fixed_sentences(args.kb or KB)


def _refresh_index(cache, fixed) -> None:
    import os
    from nodes.tts.cache import key
    index = cache.index()
    for name, sentence in fixed:
        if os.path.exists(cache.path(key(sentence))):
            index[name] = key(sentence)
    cache.save_index(index)


def _render(args) -> int:
    import time
    from nodes.tts import audio
    from nodes.tts.cache import SpeechCache
    from nodes.tts.normalize import normalize
    from nodes.tts.texts import voice_settings
    from nodes.tts.voice import VoiceError, load
    conf = voice_settings()
    voice, errors = None, []
    for name in ([args.backend] if args.backend else conf.get("render", ["espeak"])):
        try:
            voice = load(name, **_voice_options(name, args.opt))
            break
        except (VoiceError, TypeError) as e:
            errors.append(f"{name}: {e}")
    if voice is None:
        print("error: no voice loads: " + "; ".join(errors), file=sys.stderr)
        return 1
    for e in errors:
        print(f"skipped {e}", file=sys.stderr)
    cache, fixed, speed = SpeechCache(args.cache), _fixed(args), float(conf.get("speed", 0.85))
    done = kept = 0
    t0 = time.perf_counter()
    for name, sentence in fixed:
        have = cache.voice_of(sentence)
        if have and not args.force and (have.startswith("recording") or have == voice.name):
            kept += 1
            continue
        piece = voice.synthesize(normalize(sentence).text, speed)
        piece.pcm = audio.apply(piece.pcm, audio.gain_for(piece.pcm))
        cache.put(sentence, piece, voice.rate, voice.name)
        done += 1
    _refresh_index(cache, fixed)
    print(f"rendered {done} sentences with {voice.describe()} in {time.perf_counter() - t0:.1f} s; "
          f"kept {kept} already cached; cache {cache.root}")
    return 0


def _import(args) -> int:
    from nodes.tts.cache import SpeechCache
    from nodes.tts.importer import import_dir
    from nodes.tts.listen import Listener
    cache = SpeechCache(args.cache)
    try:
        results = import_dir(args.dir, cache, Listener(), max_cer=args.max_cer)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    _refresh_index(cache, _fixed(args))
    for r in results:
        print(f"{'stored  ' if r.ok else 'REJECTED'} {r.file}: CER {r.cer:.2f}, heard '{r.heard}'"
              + (f", {len(r.keys)} sentence(s)" if r.ok else f": {r.reason}"))
    bad = sum(not r.ok for r in results)
    print(f"{len(results) - bad} stored, {bad} rejected")
    return 1 if bad and bad == len(results) else 0


def _status(args) -> int:
    import os
    from nodes.tts.cache import SpeechCache, key
    cache = SpeechCache(args.cache)
    index, rows = cache.index(), []
    for name, sentence in _fixed(args):
        k = key(sentence)
        if os.path.exists(cache.path(k)):
            state = "ok"
        elif name in index:
            state = "stale"          # it was cached, then its text changed
        else:
            state = "missing"
        rows.append({"name": name, "state": state, "voice": cache.voice_of(sentence) or "", "text": sentence})
    counts = {s: sum(r["state"] == s for r in rows) for s in ("ok", "stale", "missing")}
    if args.json:
        print(json.dumps({"counts": counts, "entries": rows}, ensure_ascii=False))
        return 0
    for r in rows:
        if r["state"] != "ok":
            print(f"{r['state']:8} {r['name']:32} {r['text']}")
    voices = sorted({r["voice"].split(":")[0] for r in rows if r["voice"]})
    print(f"{counts['ok']} cached ({', '.join(voices) or 'none'}), {counts['stale']} stale, {counts['missing']} missing"
          f" of {len(rows)} fixed sentences" + ("" if counts["ok"] == len(rows) else "; fix: run.py voice render"))
    return 0


def bench_main(argv: list[str]) -> int:
    from nodes.tts.bench import main
    return main(argv)
