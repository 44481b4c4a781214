"""`run.py bench tts`: what each voice costs the listener and the kiosk.

Per backend:
- first_audio_ms: a two-sentence reply arrives -> its first SpeechChunk is published (median);
  also from the speech cache (`cache_first_audio_ms`), after rendering the same reply into a
  temporary cache;
- rtf: synthesis time / audio duration over knowledge-base answers;
- cer: Whisper base (no hot words) transcribes the voice's rendering of the KB's spoken answers
  (their first two sentences, as the dialogue says them), one sentence at a time, since Whisper
  loops on long synthetic audio; character error rate over all of them on the normalised text,
  Hangul and digits only;
- stop_ms: interrupt -> silence at the speaker (null sink, real-time), and interrupt -> the TTS
  handler stops publishing (`tts_stop_ms`).
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time

import yaml

REPLY = "기초연금은 만 65세 이상 어르신께 드리는 돈입니다. 주민센터나 국민연금공단 1355에 물어보세요."
LONG = " ".join(["국민연금공단에 전화하시면 자세히 알려 드립니다."] * 12)


def _harness(params: dict):
    from bus.testing import Harness
    from nodes.tts.node import TtsNode

    class Timed(Harness):
        first = None

        def publish(self, output, msg, turn=None):
            if self.first is None:
                self.first = time.perf_counter()
            super().publish(output, msg, turn)
    return Timed(TtsNode, params)


def first_audio(params: dict, runs: int) -> float:
    from bus.messages import Reply
    h = _harness(params)
    times = []
    for i in range(runs):
        h.first, h.published = None, []
        t = time.perf_counter()
        h.send("reply", Reply("answer", REPLY, id=f"b{i}"))
        times.append((h.first - t) * 1000)
    h.node.teardown()
    return statistics.median(times)


def rtf(voice, texts: list[str], speed: float) -> float:
    from nodes.tts.normalize import normalize
    spent = heard = 0.0
    for text in texts:
        t = time.perf_counter()
        piece = voice.synthesize(normalize(text).text, speed)
        spent += time.perf_counter() - t
        heard += len(piece.pcm) / voice.rate
    return spent / heard if heard else float("nan")


def intelligibility(voice, texts: list[str], speed: float, listener) -> tuple[float, list[dict]]:
    from nodes.tts.listen import cer, letters
    from nodes.tts.normalize import normalize
    edits = total = 0.0
    rows = []
    for text in texts:
        piece = voice.synthesize(normalize(text).text, speed)
        heard = listener.text(piece.pcm, voice.rate)
        c = min(1.0, cer(text, heard))      # a looping Whisper must not count worse than silence
        edits += c * len(letters(text))
        total += len(letters(text))
        rows.append({"text": text, "heard": heard, "cer": round(c, 3)})
    return (edits / total if total else float("nan")), rows


def stop_times(params: dict) -> tuple[float, float]:
    """(speaker: interrupt -> silence, TTS: interrupt -> no more chunks), in ms."""
    from bus.messages import Reply
    from bus.testing import Harness
    from nodes.speaker.node import SpeakerNode
    h = _harness(params)
    chunks = [(c, turn) for _, c, turn in h.send("reply", Reply("answer", REPLY, id="s"))]
    spk = Harness(SpeakerNode, {"sink": "null"})
    for c, turn in chunks:
        spk.send("speech", c, turn=turn)
    time.sleep(0.5)
    t = time.monotonic()
    spk.interrupt_now("bench")
    time.sleep(0.2)
    speaker_ms = max(0.0, spk.node.sink.last_audio - t) * 1000
    spk.node.teardown()
    # the TTS: interrupt while a long reply is being synthesised
    h.published = []
    worker = threading.Thread(target=h.send, args=("reply", Reply("answer", LONG, id="l")))
    worker.start()
    while not h.published:
        time.sleep(0.0005)
    t = time.perf_counter()
    h.interrupt_now("bench")
    worker.join()
    tts_ms = (time.perf_counter() - t) * 1000
    h.node.teardown()
    return speaker_ms, tts_ms


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py bench tts", description=__doc__.split("\n")[0])
    ap.add_argument("--backend", action="append", default=[], help="espeak, jets ... (default: espeak, and jets if configured)")
    ap.add_argument("--opt", action="append", default=[], help="BACKEND.KEY=VALUE, e.g. jets.model_file=/path")
    ap.add_argument("--n", type=int, default=8, help="KB answers for rtf and cer")
    ap.add_argument("--skip", type=int, default=0, help="start after this many KB answers")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--no-cer", action="store_true", help="skip the Whisper intelligibility test")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="print what Whisper heard")
    args = ap.parse_args(argv)
    from nodes.tts.cache import SpeechCache
    from nodes.tts.normalize import normalize, sentences
    from nodes.tts.texts import kb_answers, voice_settings
    from nodes.tts.voice import VoiceError, load
    conf = voice_settings()
    speed = float(conf.get("speed", 0.85))
    opts = {name: dict(v or {}) for name, v in (conf.get("voices") or {}).items()}
    for item in args.opt:
        key, _, value = item.partition("=")
        backend, _, k = key.partition(".")
        opts.setdefault(backend, {})[k] = yaml.safe_load(value)
    backends = args.backend or ["espeak"] + (["jets"] if opts.get("jets", {}).get("model_file") else [])
    answers = [t for _, t in kb_answers(facets=False)][args.skip:args.skip + args.n]
    spoken = [t[s:e] for t in answers for s, e in sentences(t)[:2]]
    listener = None
    if not args.no_cer:
        from nodes.tts.listen import Listener
        listener = Listener()
    report = {"reply": REPLY, "speed": speed, "answers": len(answers), "backends": {}}
    for name in backends:
        try:
            voice = load(name, **opts.get(name, {}))
        except VoiceError as e:
            report["backends"][name] = {"error": str(e)}
            continue
        params = {"backend": name, "voice": opts.get(name, {}), "speed": speed, "cache": ""}
        row = {"voice": voice.describe(), "first_audio_ms": round(first_audio(params, args.runs), 2)}
        with tempfile.TemporaryDirectory() as tmp:
            cache = SpeechCache(tmp)
            for s, e in sentences(REPLY):
                piece = voice.synthesize(normalize(REPLY[s:e]).text, speed)
                cache.put(REPLY[s:e], piece, voice.rate, name)
            row["cache_first_audio_ms"] = round(first_audio(dict(params, cache=tmp), args.runs), 2)
        row["rtf"] = round(rtf(voice, answers, speed), 4)
        if listener:
            score, rows = intelligibility(voice, spoken, speed, listener)
            row["cer"] = round(score, 3)
            if args.verbose:
                row["heard"] = rows
        row["stop_ms"], row["tts_stop_ms"] = (round(x, 2) for x in stop_times(params))
        report["backends"][name] = row
        voice.close()
    report["targets"] = {"first_audio_ms (espeak)": 50, "cache_first_audio_ms": 20, "stop_ms": 50}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    print(f"{'backend':8} {'first audio':>12} {'from cache':>11} {'rtf':>7} {'cer':>6} {'stop':>8} {'tts stop':>9}")
    for name, r in report["backends"].items():
        if "error" in r:
            print(f"{name:8} error: {r['error']}")
            continue
        print(f"{name:8} {r['first_audio_ms']:>9.1f} ms {r['cache_first_audio_ms']:>8.1f} ms {r['rtf']:>7.3f} "
              f"{r.get('cer', float('nan')):>6.3f} {r['stop_ms']:>5.1f} ms {r['tts_stop_ms']:>6.1f} ms")
        for h in r.get("heard", []):
            print(f"   cer {h['cer']:.2f}  {h['text']}\n            heard: {h['heard']}")
    print("targets: espeak first audio <= 50 ms, cache hit <= 20 ms, stop <= 50 ms")
    return 0
