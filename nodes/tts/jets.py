"""ESPnet JETS: a neural Korean voice from a local `train_config` and `model_file`.

    voice = load("jets", train_config="exp/tts/config.yaml", model_file="exp/tts/train.total_count.ave.pth")

The operator provides the files (for example a KSS-trained JETS; the KSS data set is for
non-commercial use only, so such a voice may not serve a commercial kiosk). Nothing is downloaded.
`Text2Speech` returns the waveform and, for JETS, the duration of every input token in feature
frames; frames times the hop length give the phone timeline, and `<space>` tokens split words.

ESPnet is installed with --no-deps plus an explicit list (requirements-voice.txt), so a few of its
imports that no TTS path uses are absent: torchaudio (there is no build for this torch; only the
speech-enhancement beamformer imports it) and g2p_en (English G2P, which fetches NLTK data from the
internet when imported). Both get a stand-in module that fails loudly if anything does use it.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import sys
import types

import numpy as np

from nodes.tts.voice import Piece, Voice, VoiceError

UNUSED = ("torchaudio", "g2p_en")
SILENT = {"<blank>", "<unk>", "<space>", "<sos/eos>", ".", ",", "?", "!", "_", " "}


def check_paths(train_config: str = "", model_file: str = "", **_) -> list[str]:
    problems = []
    for name, path in (("train_config", train_config), ("model_file", model_file)):
        if not path:
            problems.append(f"the jets voice needs `{name}` (a local file; see docs/speaking.md)")
        elif not os.path.isfile(path):
            problems.append(f"jets {name} {path!r} does not exist")
    return problems


def _import_espnet():
    """Import Text2Speech; modules that no TTS path uses get a stand-in if they are missing."""
    for name in UNUSED:
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            stub = types.ModuleType(name)

            def missing(attr, name=name):
                if attr.startswith("__"):
                    raise AttributeError(attr)
                raise ImportError(f"{name} is not installed (the kiosk's ESPnet install leaves it out); "
                                  f"this ESPnet feature is not a TTS one")
            stub.__getattr__ = missing
            stub.__spec__ = importlib.machinery.ModuleSpec(name, None)
            sys.modules[name] = stub
    try:
        from espnet2.bin.tts_inference import Text2Speech
    except ImportError as e:
        raise VoiceError(f"ESPnet is not installed ({e}); fix: EXTRAS=voice scripts/setup") from None
    return Text2Speech


class JetsVoice(Voice):
    name = "jets"

    def __init__(self, train_config: str = "", model_file: str = "", device: str = "cpu", threads: int = 1):
        problems = check_paths(train_config, model_file)
        if problems:
            raise VoiceError("; ".join(problems))
        Text2Speech = _import_espnet()
        import torch
        torch.set_num_threads(threads)
        self.tts = Text2Speech(train_config=train_config, model_file=model_file, device=device)
        self.rate = int(self.tts.fs)
        self.hop = self._hop_length()
        self.model = os.path.basename(model_file)

    def _hop_length(self) -> int:
        conf = getattr(self.tts.train_args, "feats_extract_conf", None) or {}
        if "hop_length" in conf:
            return int(conf["hop_length"])
        gen = (getattr(self.tts.train_args, "tts_conf", None) or {}).get("generator_params", {})
        return int(np.prod(gen.get("generator_upsample_scales", [8, 8, 2, 2])))

    def describe(self) -> str:
        return f"ESPnet JETS {self.model}, {self.rate} Hz"

    def synthesize(self, text: str, speed: float = 1.0) -> Piece:
        import torch
        ids = self.tts.preprocess_fn("<kiosk>", {"text": text})["text"]
        tokens = self.tts.preprocess_fn.token_id_converter.ids2tokens(list(ids))
        with torch.no_grad():
            out = self.tts(text)     # JETS has no speed control at inference: `speed` is not used
        wav = out["wav"].detach().cpu().numpy().astype(np.float32)
        pcm = np.clip(np.round(wav * 32767), -32768, 32767).astype(np.int16)
        dur = out.get("duration")
        phones, words = [], []
        if dur is not None:
            frames = dur.detach().cpu().numpy().astype(np.int64)
            starts = np.concatenate([[0], np.cumsum(frames)[:-1]]) * self.hop
            ends = _word_ends(text)
            in_word = False
            for tok, start, n in zip(tokens, starts.tolist(), frames.tolist()):
                if tok in SILENT:
                    in_word = False
                    if n:
                        phones.append((start, "_"))
                    continue
                if not in_word and len(words) < len(ends):
                    words.append((start, ends[len(words)]))
                in_word = True
                if n:
                    phones.append((start, _compat(tok)))
        return Piece(pcm, phones, words)

    def stream(self, text: str, speed: float = 1.0, cancelled=lambda: False):
        yield self.synthesize(text, speed)


def _word_ends(text: str) -> list[int]:
    return [m.end() for m in re.finditer(r"\S+", text)]


def _compat(token: str) -> str:
    """A conjoining jamo token (U+1100 block) as a compatibility jamo (ㄱ), which the face reads."""
    try:
        from jamo import j2hcj
        return j2hcj(token)
    except Exception:
        return token
