"""Test audio: the real speech fixtures, the kiosk's own voice (espeak-ng), a room between them."""
import os
import subprocess
import tempfile

import numpy as np

from hardware.audio_in import load_audio

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEECH = os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "speech")
CLEAN = os.path.join(SPEECH, "ko_male_support_fund.wav")
OTHER = os.path.join(SPEECH, "ko_male_which_stop.wav")
KIOSK_SAYS = "안녕하세요 어르신. 기초연금은 만 육십오 세 이상 어르신께 드립니다. 주민센터에서 신청하실 수 있어요."


def transcripts() -> dict:
    with open(os.path.join(SPEECH, "transcripts.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    return {r[0]: r[1] for r in rows}


def kiosk_voice(text: str = KIOSK_SAYS) -> np.ndarray:
    """The kiosk's TTS stand-in: espeak-ng Korean, 16 kHz mono int16."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "tts.wav")
        subprocess.run(["espeak-ng", "-v", "ko", "-s", "130", "-w", path, text], check=True)
        return load_audio(path)


def room(kiosk: np.ndarray, user: np.ndarray = None, user_at_s: float = 0.0, echo_gain: float = 0.4,
         delay_s: float = 0.05, seed: int = 0) -> np.ndarray:
    """What the microphone hears: the kiosk's voice through a small reverberant room (direct path
    after `delay_s`, a 0.25 s decaying tail), room noise at about -60 dBFS, and the senior's
    voice added at `user_at_s`."""
    rng = np.random.default_rng(seed)
    ir = np.zeros(4800)
    ir[int(delay_s * 16000)] = 1.0
    ir[800:] += rng.standard_normal(4000) * np.exp(-np.arange(4000) / 800) * 0.05
    n = max(len(kiosk), int(user_at_s * 16000) + (0 if user is None else len(user)))
    mic = np.zeros(n)
    mic[:len(kiosk)] += np.convolve(kiosk.astype(float) * echo_gain, ir)[:len(kiosk)]
    mic += rng.standard_normal(n) * 30
    if user is not None:
        at = int(user_at_s * 16000)
        mic[at:at + len(user)] += user.astype(float) * 0.8
    return np.clip(mic, -32768, 32767).astype(np.int16)


def cer(ref: str, hyp: str) -> float:
    import re
    ref, hyp = (re.sub(r"[\s.,!?~]", "", s) for s in (ref, hyp))
    d = list(range(len(hyp) + 1))
    for i, rc in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, hc in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (rc != hc))
    return d[len(hyp)] / max(1, len(ref))
