"""The lip-sync node on the fake bus: the first frame at once, frames paced by the playback
clock, idle life, interrupts; the avatar packs (default and from a photo)."""
import numpy as np
import pytest

from bus.messages import Playback
from bus.testing import Harness
from nodes.lipsync import avatar, synth
from nodes.lipsync.node import LipsyncNode


def lipsync(**params):
    h = Harness(LipsyncNode, {"width": 360, "height": 480, **params}, setup=False)
    h.node.clock = lambda: h.now
    h.node.setup()
    return h


def test_first_frame_is_published_with_the_first_chunk():
    h = lipsync()
    out = h.send("speech", synth.chunks()[0])
    assert len(out) == 1
    frame = out[0][1]
    assert frame.utterance == "u1" and frame.pts == 0.0 and frame.image.shape == (480, 360, 3)


def test_frames_follow_the_playback_clock_a_little_ahead():
    h = lipsync()
    for c in synth.chunks():
        h.send("speech", c)
    h.published.clear()
    start = 10.0
    h.advance(start)
    h.published.clear()
    for i in range(50):                           # one second of playback at 50 Hz
        t = start + i * 0.02
        h.send("playback", Playback("u1", int((t - start) * 16000), t, 16000, True))
        h.advance(0.02)
    frames = [f for f in h.outputs("frame") if f.utterance == "u1"]
    ahead = round(h.node.params.lead_s * 25)
    assert 25 <= len(frames) <= 26 + ahead       # every frame of the second (and the lead), once
    ks = [round(f.pts * 25) for f in frames]
    assert ks == list(range(ks[0], ks[0] + len(ks))) and ks[0] <= 1     # consecutive: none skipped
    pts = [f.pts for f in frames]
    assert pts == sorted(set(pts))
    for f in frames:   # each one is published at most lead_s + one frame ahead of being heard
        assert f.pts <= 1.0 + h.node.params.lead_s + 0.04 + 1e-6
    x, y, w, hh = h.node.renderer.comp.mouth_rect(0.0)
    mouths = {f.image[y + 4:y + hh - 4, x + 4:x + w - 4].tobytes() for f in frames}
    assert len(mouths) > 8                       # the mouth moves
    shapes = {h.node.renderer.blend_at(h.node.utts["u1"], f.pts).to for f in frames}
    assert len(shapes) >= 5


def test_idle_face_is_never_frozen():
    h = lipsync()
    h.advance(8.0)
    frames = h.outputs("frame")
    assert all(f.utterance == "" for f in frames) and len(frames) >= 90     # 12.5 fps idle
    images = {f.image.tobytes() for f in frames}
    assert len(images) > 10                     # breathing sway and blinks


def test_an_interrupt_forgets_the_speech():
    h = lipsync()
    h.send("speech", synth.chunks()[0])
    h.interrupt_now()
    assert h.node.utts == {}


def test_no_phones_falls_back_to_the_loudness_of_the_audio():
    h = lipsync()
    chunks = synth.chunks()
    for c in chunks:
        c.phones, c.ph_id = [], np.zeros(0, np.int16)
        c.ph_start, c.ph_end = np.zeros(0, np.int32), np.zeros(0, np.int32)
        h.send("speech", c)
    track = h.node.renderer.track(h.node.utts["u1"])
    shapes = {b.to for b in track}
    assert "X" in shapes and shapes & {"C", "D"}


def test_check_names_what_to_fix():
    p = LipsyncNode.Params(backend="nope", avatar="/nonexistent")
    problems = LipsyncNode.check(p)
    assert any("backend 'nope'" in s for s in problems) and any("avatar make" in s for s in problems)


def test_default_pack_is_the_projects_own_drawing(tmp_path):
    pack = avatar.make_default(str(tmp_path / "pack"))
    again = avatar.load(str(tmp_path / "pack"))
    assert "drawn by nodes/lipsync/draw.py" in again.meta["source"]
    assert set(again.mouths) == set("ABCDEFGHX")
    assert not np.array_equal(again.mouths["A"], again.mouths["D"])
    assert again.portrait.shape == pack.portrait.shape == (960, 720, 3)
    shipped = avatar.load("")                    # config/avatar/default
    assert shipped.mouth_box == pack.mouth_box


def test_a_pack_from_a_photo(tmp_path):
    import cv2
    from nodes.lipsync import draw
    photo = np.full((1200, 1000, 3), 90, np.uint8)           # a "photo": the face smaller, off-centre
    face = cv2.resize(draw.draw("X"), (540, 720))
    photo[300:1020, 380:920] = face
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    x, y, w, h = avatar.find_face(photo)
    assert 380 <= x <= 560 and 300 <= y <= 560 and w > 150    # the Haar cascade found it
    pack = avatar.make_from_photo(str(path), str(tmp_path / "mine"))
    loaded = avatar.load(str(tmp_path / "mine"))
    assert loaded.portrait.shape == (960, 720, 3)
    closed, wide = loaded.mouths["A"].astype(int), loaded.mouths["D"].astype(int)
    assert np.abs(wide - loaded.mouths["X"].astype(int)).mean() > 3       # the mouth was warped open
    assert wide.mean() < closed.mean()                                    # a dark opening
    assert pack.mouth_box[1] > pack.eyes_box[1]
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((400, 300, 3), 128, np.uint8))
    with pytest.raises(avatar.AvatarError, match="no face found"):
        avatar.make_from_photo(str(blank), str(tmp_path / "none"))
