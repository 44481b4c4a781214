"""Wav2Lip (Prajwal et al., 2020) in PyTorch, laid out so that its state_dict matches the
official checkpoints (wav2lip.pth, wav2lip_gan.pth): an operator's weights load as they are.
Those weights are for non-commercial use only; the project ships none.

Also the model's audio front end: 80-band log-mel spectrograms at 16 kHz, hop 200 (80 frames a
second), with the official normalisation, and 16-frame windows per video frame.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

MEL_FPS = 80.0
MEL_WINDOW = 16
SR, N_FFT, HOP, WIN, N_MELS, FMIN, FMAX = 16000, 800, 200, 800, 80, 55.0, 7600.0


class Conv2d(nn.Module):
    def __init__(self, cin, cout, kernel_size, stride, padding, residual=False):
        super().__init__()
        self.conv_block = nn.Sequential(nn.Conv2d(cin, cout, kernel_size, stride, padding), nn.BatchNorm2d(cout))
        self.act = nn.ReLU()
        self.residual = residual

    def forward(self, x):
        out = self.conv_block(x)
        if self.residual:
            out = out + x
        return self.act(out)


class Conv2dTranspose(nn.Module):
    def __init__(self, cin, cout, kernel_size, stride, padding, output_padding=0):
        super().__init__()
        self.conv_block = nn.Sequential(nn.ConvTranspose2d(cin, cout, kernel_size, stride, padding, output_padding),
                                        nn.BatchNorm2d(cout))
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.conv_block(x))


def _res(c, n):
    return [Conv2d(c, c, 3, 1, 1, residual=True) for _ in range(n)]


class Wav2Lip(nn.Module):
    """Face (B, 6, 96, 96: masked target + reference, BGR / 255) and mel (B, 1, 80, 16) ->
    the face with the mouth for that audio (B, 3, 96, 96, BGR in 0..1)."""

    def __init__(self):
        super().__init__()
        self.face_encoder_blocks = nn.ModuleList([
            nn.Sequential(Conv2d(6, 16, 7, 1, 3)),                                   # 96
            nn.Sequential(Conv2d(16, 32, 3, 2, 1), *_res(32, 2)),                    # 48
            nn.Sequential(Conv2d(32, 64, 3, 2, 1), *_res(64, 3)),                    # 24
            nn.Sequential(Conv2d(64, 128, 3, 2, 1), *_res(128, 2)),                  # 12
            nn.Sequential(Conv2d(128, 256, 3, 2, 1), *_res(256, 2)),                 # 6
            nn.Sequential(Conv2d(256, 512, 3, 2, 1), *_res(512, 1)),                 # 3
            nn.Sequential(Conv2d(512, 512, 3, 1, 0), Conv2d(512, 512, 1, 1, 0)),     # 1
        ])
        self.audio_encoder = nn.Sequential(
            Conv2d(1, 32, 3, 1, 1), *_res(32, 2),
            Conv2d(32, 64, 3, (3, 1), 1), *_res(64, 2),
            Conv2d(64, 128, 3, 3, 1), *_res(128, 2),
            Conv2d(128, 256, 3, (3, 2), 1), *_res(256, 1),
            Conv2d(256, 512, 3, 1, 0), Conv2d(512, 512, 1, 1, 0),
        )
        self.face_decoder_blocks = nn.ModuleList([
            nn.Sequential(Conv2d(512, 512, 1, 1, 0)),
            nn.Sequential(Conv2dTranspose(1024, 512, 3, 1, 0), *_res(512, 1)),       # 3
            nn.Sequential(Conv2dTranspose(1024, 512, 3, 2, 1, 1), *_res(512, 2)),    # 6
            nn.Sequential(Conv2dTranspose(768, 384, 3, 2, 1, 1), *_res(384, 2)),     # 12
            nn.Sequential(Conv2dTranspose(512, 256, 3, 2, 1, 1), *_res(256, 2)),     # 24
            nn.Sequential(Conv2dTranspose(320, 128, 3, 2, 1, 1), *_res(128, 2)),     # 48
            nn.Sequential(Conv2dTranspose(160, 64, 3, 2, 1, 1), *_res(64, 2)),       # 96
        ])
        self.output_block = nn.Sequential(Conv2d(80, 32, 3, 1, 1), nn.Conv2d(32, 3, 1, 1, 0), nn.Sigmoid())

    def forward(self, mel, face):
        audio = self.audio_encoder(mel)
        feats = []
        x = face
        for block in self.face_encoder_blocks:
            x = block(x)
            feats.append(x)
        x = audio
        for block in self.face_decoder_blocks:
            x = torch.cat((block(x), feats.pop()), dim=1)
        return self.output_block(x)


def load_checkpoint(model: Wav2Lip, path: str, device: str = "cpu") -> None:
    """An official checkpoint: {"state_dict": ...}, keys possibly prefixed "module."."""
    ckpt = torch.load(path, map_location=device, weights_only=False)
    state = ckpt.get("state_dict", ckpt) if isinstance(ckpt, dict) else ckpt
    state = {k.removeprefix("module."): v for k, v in state.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"{path} is not a Wav2Lip checkpoint: {len(missing)} missing keys "
                         f"(e.g. {missing[:2]}), {len(unexpected)} unexpected (e.g. {unexpected[:2]})")


def _mel_basis() -> np.ndarray:
    """Slaney-style mel filterbank (librosa's default), 80 x (N_FFT/2 + 1)."""
    def hz_to_mel(f):
        f = np.asarray(f, dtype=np.float64)
        lin = f / (200.0 / 3)
        log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
        return np.where(f >= 1000.0, log, lin)

    def mel_to_hz(m):
        m = np.asarray(m, dtype=np.float64)
        lin = m * (200.0 / 3)
        log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0))
        return np.where(m >= 15.0, log, lin)

    fft_f = np.linspace(0, SR / 2, N_FFT // 2 + 1)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(FMIN), hz_to_mel(FMAX), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_f[None, :]
    lower, upper = -ramps[:-2] / fdiff[:-1, None], ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:N_MELS + 2] - mel_f[:N_MELS]))[:, None]
    return weights.astype(np.float32)


_BASIS = None


def melspectrogram(pcm: np.ndarray, rate: int, seed: int = 0) -> np.ndarray:
    """80 x T log-mel in [-4, 4] (official normalisation). Digital silence is dithered first:
    an all-zero stretch would otherwise give NaN once normalised downstream."""
    global _BASIS
    x = pcm.astype(np.float32) / 32768.0 if pcm.dtype == np.int16 else pcm.astype(np.float32)
    if rate != SR:
        n = int(round(len(x) * SR / rate))
        x = np.interp(np.arange(n) * (rate / SR), np.arange(len(x)), x).astype(np.float32)
    x = x + np.random.default_rng(seed).normal(0, 1e-4, len(x)).astype(np.float32)   # dither
    x = np.append(x[0], x[1:] - 0.97 * x[:-1])                                        # pre-emphasis
    x = np.pad(x, (N_FFT // 2, N_FFT // 2), mode="reflect")                           # centred frames
    n_frames = 1 + (len(x) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    window = np.hanning(WIN + 1)[:-1].astype(np.float32)                              # periodic Hann
    spec = np.abs(np.fft.rfft(x[idx] * window, axis=1)).T
    if _BASIS is None:
        _BASIS = _mel_basis()
    mel = _BASIS @ spec
    db = 20 * np.log10(np.maximum(1e-5, mel)) - 20.0
    out = np.clip(8.0 * ((db + 100.0) / 100.0) - 4.0, -4.0, 4.0).astype(np.float32)
    if not np.isfinite(out).all():
        raise ValueError("mel spectrogram is not finite")
    return out


def mel_window(mel: np.ndarray, frame: int, fps: float) -> np.ndarray:
    """The 16 mel frames that drive video frame `frame` (official indexing: from the frame's
    start, 200 ms of look-ahead); at the end, the last 16."""
    start = int(frame * MEL_FPS / fps)
    if start + MEL_WINDOW > mel.shape[1]:
        start = max(0, mel.shape[1] - MEL_WINDOW)
    w = mel[:, start:start + MEL_WINDOW]
    if w.shape[1] < MEL_WINDOW:
        w = np.pad(w, ((0, 0), (0, MEL_WINDOW - w.shape[1])), constant_values=-4.0)
    return w
