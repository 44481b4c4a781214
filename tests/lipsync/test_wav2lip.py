"""The wav2lip backend, run for real on CPU with random weights: the official state_dict
layout, mel windows (and digital silence), batched inference with feathered paste-back, the face
box found once, and the fallback to visemes when frames would be late."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nodes.lipsync import avatar, backend, synth  # noqa: E402
from nodes.lipsync import wav2lip_model as wm  # noqa: E402
from nodes.lipsync.backend import Utterance  # noqa: E402


def test_state_dict_matches_the_official_checkpoints_layout(tmp_path):
    sd = wm.Wav2Lip().state_dict()
    assert len(sd) == 352
    assert sum(v.numel() for k, v in sd.items() if "running" not in k and "num_batches" not in k) == 36_298_035
    assert tuple(sd["face_encoder_blocks.0.0.conv_block.0.weight"].shape) == (16, 6, 7, 7)
    assert tuple(sd["audio_encoder.0.conv_block.0.weight"].shape) == (32, 1, 3, 3)
    assert tuple(sd["face_decoder_blocks.1.0.conv_block.0.weight"].shape) == (1024, 512, 3, 3)
    assert tuple(sd["face_decoder_blocks.6.0.conv_block.0.weight"].shape) == (160, 64, 3, 3)
    assert tuple(sd["output_block.1.weight"].shape) == (3, 32, 1, 1)
    # saved as the official training script does (DataParallel prefix), it loads back exactly
    path = tmp_path / "wav2lip.pth"
    torch.save({"state_dict": {"module." + k: v for k, v in sd.items()}, "global_step": 1}, path)
    m = wm.Wav2Lip()
    wm.load_checkpoint(m, str(path))
    assert torch.equal(m.state_dict()["output_block.1.weight"], sd["output_block.1.weight"])
    torch.save({"state_dict": {"conv.weight": torch.zeros(1)}}, tmp_path / "other.pth")
    with pytest.raises(ValueError, match="not a Wav2Lip checkpoint"):
        wm.load_checkpoint(wm.Wav2Lip(), str(tmp_path / "other.pth"))


def test_mel_is_finite_on_digital_silence_and_windows_are_16_frames():
    mel = wm.melspectrogram(np.zeros(16000, np.int16), 16000)
    assert mel.shape == (80, 81) and np.isfinite(mel).all() and mel.min() >= -4 and mel.max() <= 4
    pcm, *_ = synth.voice(rate=22050)
    mel = wm.melspectrogram(pcm, 22050)                     # resampled to 16 kHz
    assert abs(mel.shape[1] - len(pcm) / 22050 * 80) < 2
    assert wm.mel_window(mel, 10, 25.0).shape == (80, 16)
    assert np.array_equal(wm.mel_window(mel, 10, 25.0), mel[:, 32:48])     # 200 ms of look-ahead
    assert np.array_equal(wm.mel_window(mel, 10_000, 25.0), mel[:, -16:])  # the end: the last window
    loud = wm.mel_window(mel, int(0.5 * 25), 25.0).mean()
    assert loud > wm.mel_window(wm.melspectrogram(np.zeros(16000, np.int16), 16000), 0, 25.0).mean()


@pytest.fixture(scope="module")
def renderer():
    torch.set_num_threads(1)
    found = []
    real = avatar.find_face
    avatar.find_face = lambda img: found.append(1) or real(img)
    try:
        r = backend.create("wav2lip", avatar.load(""), 360, 260, 25.0, batch=2)
    finally:
        avatar.find_face = real
    r.face_lookups = len(found)
    return r


def utterance(uid="u1"):
    u = Utterance(uid, 16000)
    for c in synth.chunks(utterance=uid):
        u.add(c)
    return u


def test_too_slow_for_real_time_falls_back_to_visemes(renderer):
    assert renderer.face_lookups == 1                      # the face box: found once, cached
    assert renderer.batch_ms > 1000 / 25 * 2               # random 36M-weight net on one CPU thread
    u = utterance()
    before = dict(renderer.counts)
    img = renderer.render(u, 0.6, 0.0)
    assert renderer.counts["fallback"] == before["fallback"] + 1 and renderer.counts["model"] == before["model"]
    assert np.array_equal(img, renderer.fallback.render(u, 0.6, 0.0))


def test_batched_inference_and_feathered_paste_back(renderer):
    u = utterance("u2")
    saved = renderer.batch_ms
    renderer.batch_ms = 0.0                                 # pretend a fast device
    try:
        img = renderer.render(u, 0.4, 0.0)
    finally:
        renderer.batch_ms = saved
    assert renderer.counts["batches"] >= 1 and renderer.counts["model"] >= 1
    assert len(renderer.cache["u2"]) == 1                   # the batch made the next frame too
    viseme = renderer.fallback.render(u, 0.4, 0.0)
    x, y, w, h = renderer.box
    diff = np.abs(img.astype(int) - viseme.astype(int)).sum(axis=2)
    assert diff[:y].max() == 0                              # above the face box: untouched
    assert diff[y + int(h * 0.7), x + w // 2] > 0           # the lower face was redrawn
    edge = diff[y + int(h * 0.7), x + int(w * 0.12) - 3:x + int(w * 0.12) + 4]
    assert 0 <= edge.min() < edge.max()                     # feathered, not a hard edge
    # that batch was slower than real time (CPU): the rest of the utterance uses visemes
    assert "u2" in renderer.slow
    n = renderer.counts["fallback"]
    renderer.render(u, 1.0, 0.0)
    assert renderer.counts["fallback"] == n + 1
