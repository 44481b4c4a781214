"""`run.py bench stt [--json]`: our hearing pipeline against plain faster-whisper, same model, same
files, same run.

What the figures rest on: two real recordings (../shared/fixtures/speech, one male speaker, read
sentences) and test audio built from them:
- each clip alone, and the two one second apart (two turns);
- each clip cut at a word boundary with a 1.5 s pause inserted (a senior stopping to think):
  one utterance is expected, a split is a cut-off;
- a long file of six clips with pauses of 0.8-1.6 s (spontaneous-looking real speech for rtf);
- 10 s of pink noise at -35 dBFS, white noise at -40 dBFS and digital silence: no text expected.

Metrics: `cer` (characters, spaces and punctuation ignored) over all speech files, `baseline_cer`
for `WhisperModel.transcribe(audio, language="ko")` with defaults; `rtf` = processing time / audio
time over all files (ours: VAD + end of turn + Whisper per utterance; baseline: Whisper on the whole
file); `cutoffs` = paused files that reach STT as two utterances; `end_of_turn_ms` = time from the real end of speech
(the clip's end) to the end-of-turn decision, plus the compute time of the deciding frame
(`silence_p50` and `model_p50` give the two parts: the first is fixed by the params, the second
depends on the machine's load);
`early_ends_rejoined` = paused files where the turn was ended inside the pause and the resumed
speech then continued it (the kiosk would stop its answer to the half sentence: see `rejoin_s`);
`noise_chars` = characters published for noise and silence; `cpu_s_per_audio_s` = CPU time of
the process (all threads) per second of audio: the wall-clock rtf depends on what else the
shared machine runs, this does not.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time

import numpy as np

from hardware.audio_in import RATE, load_audio

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEECH = os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "speech")
# word boundaries (seconds) inside each clip, from Whisper base word timestamps
SPLITS = {"ko_male_support_fund.wav": [1.46, 1.74, 2.36, 2.78], "ko_male_which_stop.wav": [1.04, 1.76]}


def cer_counts(ref: str, hyp: str) -> tuple[int, int]:
    ref, hyp = (re.sub(r"[\s.,!?~]", "", s) for s in (ref, hyp))
    d = list(range(len(hyp) + 1))
    for i, rc in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, hc in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (rc != hc))
    return d[len(hyp)], len(ref)


def _silence(s: float) -> np.ndarray:
    return np.zeros(int(s * RATE), np.int16)


def stimuli(folder: str = SPEECH) -> list[dict]:
    """name, pcm, reference text, expected utterances, the real ends of speech (s)."""
    with open(os.path.join(folder, "transcripts.tsv"), encoding="utf-8") as f:
        refs = dict(line.rstrip("\n").split("\t")[:2] for line in list(f)[1:])
    clips = {name: load_audio(os.path.join(folder, name)) for name in SPLITS}
    a, b = clips["ko_male_support_fund.wav"], clips["ko_male_which_stop.wav"]
    ra, rb = refs["ko_male_support_fund.wav"], refs["ko_male_which_stop.wav"]
    lead = _silence(0.5)
    out = [dict(name="clip_a", pcm=np.concatenate([lead, a]), ref=ra, turns=1, ends=[0.5 + len(a) / RATE]),
           dict(name="clip_b", pcm=np.concatenate([lead, b]), ref=rb, turns=1, ends=[0.5 + len(b) / RATE]),
           dict(name="two_turns", pcm=np.concatenate([lead, a, _silence(1.0), b]), ref=ra + " " + rb, turns=2,
                ends=[0.5 + len(a) / RATE, 1.5 + (len(a) + len(b)) / RATE])]
    for name, clip, ref in (("a", a, ra), ("b", b, rb)):
        for cut_s in SPLITS["ko_male_support_fund.wav" if name == "a" else "ko_male_which_stop.wav"]:
            cut = int(cut_s * RATE)
            pcm = np.concatenate([lead, clip[:cut], _silence(1.5), clip[cut:]])
            out.append(dict(name=f"pause_{name}_{cut_s}", pcm=pcm, ref=ref, turns=1, paused=True,
                            ends=[len(pcm) / RATE]))
    order = [(a, ra, 0.8), (b, rb, 1.2), (a, ra, 1.6), (b, rb, 1.0), (a, ra, 1.4), (b, rb, 0.9)]
    parts, ends, t = [lead], [], 0.5
    for clip, _, gap in order:
        parts += [clip, _silence(gap)]
        ends.append(t + len(clip) / RATE)
        t += len(clip) / RATE + gap
    out.append(dict(name="long", pcm=np.concatenate(parts), ref=" ".join(r for _, r, _ in order), turns=6, ends=ends))
    rng = np.random.default_rng(0)
    white = rng.standard_normal(10 * RATE)
    spec = np.fft.rfft(rng.standard_normal(10 * RATE))
    spec[1:] /= np.sqrt(np.arange(1, len(spec)))
    pink = np.fft.irfft(spec, 10 * RATE)
    for name, x, dbfs in (("pink_noise", pink, -35), ("white_noise", white, -40)):
        x = x * (32768 * 10 ** (dbfs / 20)) / np.sqrt(np.mean(x ** 2))
        out.append(dict(name=name, pcm=x.astype(np.int16), ref="", turns=0, ends=[]))
    out.append(dict(name="silence", pcm=_silence(10), ref="", turns=0, ends=[]))
    return out


def run(model: str = "base", model_path: str = "", threads: int = 0, verbose: bool = False) -> dict:
    from nodes.stt.pipeline import Pipeline
    from nodes.stt.transcriber import load_backend
    engine = load_backend("faster_whisper", model=model, model_path=model_path, threads=threads)
    pipe = Pipeline(engine)
    plain = engine.model
    rows, eot_ms, stt_ms, wait_ms, model_ms = [], [], [], [], []
    tot = dict(audio=0.0, ours=0.0, base=0.0, e=0, n=0, be=0, noise=0, bnoise=0, cut=0, paused=0, early=0,
               ours_cpu=0.0, base_cpu=0.0)
    for s in stimuli():
        dur = len(s["pcm"]) / RATE
        c0 = time.process_time()
        r = pipe.run(s["pcm"])
        c1 = time.process_time()
        t0 = time.perf_counter()
        segs, _ = plain.transcribe(s["pcm"].astype(np.float32) / 32768, language="ko")
        base_text = "".join(seg.text for seg in segs).strip()
        base_s = time.perf_counter() - t0
        tot["ours_cpu"] += c1 - c0
        tot["base_cpu"] += time.process_time() - c1
        tot["audio"] += dur
        tot["ours"] += r.elapsed_s
        tot["base"] += base_s
        heard = [h for h in r.utterances if not h.replaced]
        if s["ref"]:
            e, n = cer_counts(s["ref"], r.text)
            be, _ = cer_counts(s["ref"], base_text)
            tot["e"] += e
            tot["n"] += n
            tot["be"] += be
        else:
            tot["noise"] += len(r.text.replace(" ", ""))
            tot["bnoise"] += len(base_text.replace(" ", ""))
        if s.get("paused"):
            tot["paused"] += 1
            tot["cut"] += len(heard) > 1
            tot["early"] += any(h.replaced for h in r.utterances)
        for h in r.utterances:
            stt_ms.append(h.stt_ms)
            real = [end for end in s["ends"] if abs(end - h.end_s) < 0.4]
            if real and h.reason != "flush":
                eot_ms.append((h.decided_s - real[0]) * 1000 + h.decide_ms)
                wait_ms.append((h.decided_s - real[0]) * 1000)
                model_ms.append(h.decide_ms)
        rows.append(dict(name=s["name"], duration_s=round(dur, 2), utterances=len(heard), expected=s["turns"],
                         text=r.text, baseline_text=base_text, elapsed_s=round(r.elapsed_s, 2),
                         baseline_s=round(base_s, 2), reasons=[h.reason for h in r.utterances]))
        if verbose:
            print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr, flush=True)
    pct = lambda xs, q: round(float(np.percentile(xs, q)), 1) if xs else None
    return {
        "model": os.path.basename(engine.path), "device": engine.device, "compute_type": engine.compute_type,
        "files": len(rows), "audio_s": round(tot["audio"], 1),
        "rtf": round(tot["ours"] / tot["audio"], 3), "baseline_rtf": round(tot["base"] / tot["audio"], 3),
        "cpu_s_per_audio_s": round(tot["ours_cpu"] / tot["audio"], 3),
        "baseline_cpu_s_per_audio_s": round(tot["base_cpu"] / tot["audio"], 3),
        "cer": round(tot["e"] / max(1, tot["n"]), 4), "baseline_cer": round(tot["be"] / max(1, tot["n"]), 4),
        "cutoffs": f"{tot['cut']}/{tot['paused']}", "early_ends_rejoined": f"{tot['early']}/{tot['paused']}",
        "end_of_turn_ms": {"p50": pct(eot_ms, 50), "p90": pct(eot_ms, 90), "max": pct(eot_ms, 100), "n": len(eot_ms),
                           "silence_p50": pct(wait_ms, 50), "model_p50": pct(model_ms, 50)},
        "stt_ms_per_utterance": {"p50": pct(stt_ms, 50), "max": pct(stt_ms, 100)},
        "noise_chars": tot["noise"], "baseline_noise_chars": tot["bnoise"],
        "load_avg_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "per_file": rows,
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="run.py bench stt", description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="each file as it is done (stderr)")
    ap.add_argument("--model", default="base")
    ap.add_argument("--model-path", default="")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args(argv)
    if not os.path.isdir(SPEECH):
        print(f"error: speech fixtures not found at {SPEECH} (shared/ beside the checkout)", file=sys.stderr)
        return 2
    res = run(args.model, args.model_path, args.threads, args.verbose)
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
        return 0
    print(f"model {res['model']} ({res['device']}, {res['compute_type']}), {res['files']} files, "
          f"{res['audio_s']} s audio, load average {res['load_avg_1m']} on {res['cpus']} CPUs")
    print(f"cer            {res['cer']:.3f}   baseline_cer {res['baseline_cer']:.3f}")
    print(f"rtf            {res['rtf']:.3f}   baseline_rtf {res['baseline_rtf']:.3f}   (wall clock)")
    print(f"cpu s/audio s  {res['cpu_s_per_audio_s']:.3f}   baseline {res['baseline_cpu_s_per_audio_s']:.3f}"
          f"   (CPU time of all threads: on 2 idle cores, wall rtf >= this / 2)")
    print(f"cutoffs        {res['cutoffs']} (1.5 s pause mid-sentence; ended early but rejoined: "
          f"{res['early_ends_rejoined']})")
    e = res["end_of_turn_ms"]
    print(f"end_of_turn_ms p50 {e['p50']}  p90 {e['p90']}  max {e['max']}  (n={e['n']}; of which silence "
          f"p50 {e['silence_p50']}, model p50 {e['model_p50']})")
    print(f"noise_chars    {res['noise_chars']}   baseline_noise_chars {res['baseline_noise_chars']}")
    for r in res["per_file"]:
        print(f"  {r['name']:<16} {r['utterances']}/{r['expected']} utt  {r['text'][:40]!r}  base {r['baseline_text'][:40]!r}")
    return 0
