"""The Korean phoneme -> mouth-shape map and the mouth track: bilabial closures of a known
timeline, the two-frame hold, crossfades."""
import math

from nodes.lipsync import synth
from nodes.lipsync.visemes import expand_phones, frame_shapes, mouth_track, viseme_of

FPS = 25.0


def test_jamo_ipa_and_syllables_map_to_mouth_shapes():
    assert [viseme_of(p) for p in "ㅁㅂㅍㅃ"] == ["A"] * 4
    assert viseme_of("ㅏ") == "D" and viseme_of("ㅜ") == "F" and viseme_of("ㅗ") == "E" and viseme_of("ㅣ") == "B"
    assert viseme_of("ㄴ") == "H" and viseme_of("ㄹ") == "H"
    assert viseme_of("\u1106") == "A"                   # conjoining ㅁ
    assert viseme_of("m") == "A" and viseme_of("pʰ") == "A" and viseme_of("a") == "D" and viseme_of("u") == "F"
    assert viseme_of("sil") == "X" and viseme_of("") == "X"
    assert viseme_of("무") == "F"                        # a whole syllable: its vowel
    segs = expand_phones(["밥"], [0.0], [0.3])           # split into its sounds
    assert [v for _, _, v in segs] == ["A", "D", "A"]


def _timeline():
    pcm, names, starts, ends = synth.voice()
    segs = expand_phones(names, (starts / 16000).tolist(), (ends / 16000).tolist())
    n = int(len(pcm) / 16000 * FPS) + 1
    onsets = [s / 16000 for p, s in zip(names, starts.tolist()) if p in "ㅁㅂㅍ"]
    return segs, n, onsets


def test_lips_are_fully_closed_at_every_bilabial_and_start_closing_a_frame_early():
    segs, n, onsets = _timeline()
    track = mouth_track(segs, FPS, n)
    assert len(onsets) == 6
    for t in onsets:
        k = math.ceil(t * FPS - 1e-9)            # the first frame at or after the sound begins
        at = track[k].weights()
        assert at.get("A") == 1.0, (t, track[k])                       # fully closed
        before = track[k - 1].weights()
        assert before.get("A", 0) > 0, (t, track[k - 1])              # already closing a frame before
        assert track[k - 2].weights().get("A", 0) < 1.0 or track[k - 3].weights().get("A", 0) < 1.0


def test_every_shape_is_held_at_least_two_frames():
    segs, n, _ = _timeline()
    shapes = frame_shapes(segs, FPS, n)
    runs, k = [], 0
    while k < len(shapes):
        e = k
        while e + 1 < len(shapes) and shapes[e + 1] == shapes[k]:
            e += 1
        runs.append(e - k + 1)
        k = e + 1
    assert min(runs[:-1]) >= 2, runs          # (the last run may be cut by the end of the audio)
    # a run of 1-frame phones alternating would flicker without the rule
    flicker = [(i * 0.04, (i + 1) * 0.04, "D" if i % 2 else "F") for i in range(20)]
    assert all(r >= 2 for r in _runs(frame_shapes(flicker, FPS, 20)))


def _runs(shapes):
    out, k = [], 0
    while k < len(shapes):
        e = k
        while e + 1 < len(shapes) and shapes[e + 1] == shapes[k]:
            e += 1
        out.append(e - k + 1)
        k = e + 1
    return out[:-1]


def test_shapes_crossfade_centred_on_the_change():
    track = mouth_track([(0.0, 0.2, "D"), (0.2, 0.4, "F")], FPS, 10)
    k = 5                                      # first frame of F
    assert track[k - 2].weights() == {"D": 1.0}
    assert track[k - 1].weights() == {"D": 0.5, "F": 0.5}      # the last frame of D blends
    assert track[k].weights() == {"F": 1.0}


def test_a_bilabial_shorter_than_a_frame_still_closes_the_lips():
    segs = [(0.0, 0.21, "D"), (0.21, 0.235, "A"), (0.235, 0.5, "D")]   # 25 ms, between frame times
    shapes = frame_shapes(segs, FPS, 13)
    assert "A" in shapes and shapes.count("A") >= 2
