"""The `wav2lip` backend (GPU, optional): a Wav2Lip network redraws the lower face from the
audio itself. The operator supplies the weights (`checkpoint`: an official wav2lip.pth or
wav2lip_gan.pth, non-commercial licence); without them the network has random weights, which
only tests use.

- The face box is found once on the still avatar (Haar cascade) and cached.
- Mel windows of 16 frames, streamed: a frame is rendered once the audio 200 ms past it has
  arrived (or the utterance is complete).
- Frames are inferred in batches of `batch`, ahead of the playback clock; the result is pasted
  back with a feathered mask over the lower face.
- Deadlines: a frame whose inference would be late is drawn by the `viseme` backend instead.
  If a batch costs more than its frames' time, the utterance stays on `viseme`.
"""
from __future__ import annotations

import time
from typing import Optional

import numpy as np

from nodes.lipsync.backend import Renderer, Utterance
from nodes.lipsync.viseme import VisemeRenderer

FACE = 96


class Wav2LipRenderer(Renderer):
    name = "wav2lip"

    def __init__(self, pack, width, height, fps, checkpoint: str = "", device: str = "cpu", batch: int = 8,
                 **options):
        import torch
        from nodes.lipsync import wav2lip_model as wm
        super().__init__(pack, width, height, fps)
        self.fallback = VisemeRenderer(pack, width, height, fps)
        self.fallback.comp = self.comp                  # one face, one idle animation
        self.torch, self.wm, self.device, self.batch = torch, wm, device, max(1, batch)
        self.model = wm.Wav2Lip().to(device).eval()
        self.random_weights = not checkpoint
        if checkpoint:
            wm.load_checkpoint(self.model, checkpoint, device)
        self.box = self._face_box()
        self.mask = self._feather()
        self.mels: dict[str, tuple[int, np.ndarray]] = {}
        self.cache: dict[str, dict[int, np.ndarray]] = {}
        self.slow: set[str] = set()
        self.counts = {"model": 0, "fallback": 0, "batches": 0}
        self.batch_ms = self._warm_up()

    # --- the still avatar's face, once ---
    def _face_box(self) -> tuple[int, int, int, int]:
        """Face box in the compositor's base image: Haar cascade, else around the mouth box.
        Like the official code, the box reaches a little below the chin."""
        from nodes.lipsync.avatar import AvatarError, find_face
        base = self.comp.base
        try:
            x, y, w, h = find_face(base)
        except AvatarError:
            mx, my, mw, mh = self.comp.mouth_box
            w = h = int(mw * 2.2)
            x, y = mx + mw // 2 - w // 2, my + mh - int(h * 0.8)
        y2 = min(base.shape[0], y + h + int(h * 0.08))
        x, y = max(0, x), max(0, y)
        return x, y, min(w, base.shape[1] - x), y2 - y

    def _feather(self) -> np.ndarray:
        """Paste-back weights: the lower half of the face box, soft at every edge."""
        import cv2
        x, y, w, h = self.box
        m = np.zeros((h, w), np.float32)
        m[int(h * 0.5):int(h * 0.94), int(w * 0.12):int(w * 0.88)] = 1.0
        k = max(3, (min(w, h) // 10) | 1)
        return cv2.GaussianBlur(m, (k, k), 0)[..., None]

    def _warm_up(self) -> float:
        """Milliseconds for one batch, measured now (so a slow device falls back at once)."""
        mel = np.zeros((self.batch, 1, 80, 16), np.float32)
        face = np.zeros((self.batch, 6, FACE, FACE), np.float32)
        t = time.perf_counter()
        self._infer(mel, face)
        t1 = time.perf_counter()
        self._infer(mel, face)
        return min(t1 - t, time.perf_counter() - t1) * 1000

    # --- inference ---
    def _infer(self, mel: np.ndarray, face: np.ndarray) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode():
            out = self.model(torch.from_numpy(mel).to(self.device), torch.from_numpy(face).to(self.device))
        if self.device.startswith("cuda"):
            torch.cuda.synchronize()
        return out.float().cpu().numpy()

    def _face_input(self) -> np.ndarray:
        import cv2
        x, y, w, h = self.box
        crop = cv2.resize(self.comp.base[y:y + h, x:x + w], (FACE, FACE), interpolation=cv2.INTER_AREA)
        bgr = crop[..., ::-1].astype(np.float32) / 255.0          # the network was trained on BGR
        masked = bgr.copy()
        masked[FACE // 2:] = 0.0
        return np.concatenate([masked, bgr], axis=2).transpose(2, 0, 1)

    def _mel(self, utt: Utterance) -> np.ndarray:
        cached = self.mels.get(utt.id)
        if cached is None or cached[0] != utt.version:
            cached = self.mels[utt.id] = (utt.version, self.wm.melspectrogram(utt.pcm, utt.rate))
        return cached[1]

    def ready(self, utt: Utterance, k: int) -> bool:
        """The audio that frame k needs (its 16-frame mel window) has arrived."""
        return utt.final or (k / self.fps + self.wm.MEL_WINDOW / self.wm.MEL_FPS) <= utt.duration

    def _run_batch(self, utt: Utterance, k: int) -> None:
        frames = [j for j in range(k, k + self.batch) if self.ready(utt, j) and j not in self.cache.get(utt.id, {})]
        if not frames:
            return
        mel = self._mel(utt)
        mels = np.stack([self.wm.mel_window(mel, j, self.fps)[None] for j in frames]).astype(np.float32)
        face = np.repeat(self._face_input()[None], len(frames), axis=0)
        t = time.perf_counter()
        out = self._infer(mels, face)
        spent = time.perf_counter() - t
        self.counts["batches"] += 1
        if spent > len(frames) / self.fps:        # slower than real time: it cannot keep up
            self.slow.add(utt.id)
        store = self.cache.setdefault(utt.id, {})
        for j, img in zip(frames, out):
            store[j] = (img.transpose(1, 2, 0)[..., ::-1] * 255.0).clip(0, 255).astype(np.uint8)

    def render(self, utt: Optional[Utterance], pts: float, t: float) -> np.ndarray:
        if utt is None:
            return self.fallback.render(None, pts, t)
        k = int(round(pts * self.fps))
        store = self.cache.get(utt.id, {})
        budget_ms = 1000.0 / self.fps
        if k not in store:
            if utt.id in self.slow or not self.ready(utt, k) or self.batch_ms > budget_ms * self.batch:
                self.counts["fallback"] += 1              # would miss the deadline
                return self.fallback.render(utt, pts, t)
            self._run_batch(utt, k)
            store = self.cache.get(utt.id, {})
            if k not in store:
                self.counts["fallback"] += 1
                return self.fallback.render(utt, pts, t)
        self.counts["model"] += 1
        return self.comp.frame(t, self._paste(store.pop(k)), self.box)

    def _paste(self, face96: np.ndarray) -> np.ndarray:
        import cv2
        x, y, w, h = self.box
        region = self.comp.base[y:y + h, x:x + w].astype(np.float32)
        gen = cv2.resize(face96, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
        return (region * (1 - self.mask) + gen * self.mask).astype(np.uint8)

    def forget(self, uid):
        self.mels.pop(uid, None)
        self.cache.pop(uid, None)
        self.slow.discard(uid)
        self.fallback.forget(uid)

    def stats(self) -> dict:
        return dict(self.counts, batch_ms=round(self.batch_ms, 1), random_weights=self.random_weights)
