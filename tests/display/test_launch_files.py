"""The face fragment and the recorded demo graph are valid as written (classes, params, wiring)."""
from bus.graph import load


def test_face_fragment_is_valid():
    g = load("launch/face.yaml", {"driver": "dummy"})
    assert {n.id for n in g.nodes} == {"lipsync", "display"}
    display = next(n for n in g.nodes if n.id == "display")
    assert display.inputs["frame"] == "lipsync/frame"


def test_demo_graph_is_valid_and_records_to_out(tmp_path):
    g = load("launch/demo.yaml", {"out": str(tmp_path)})
    nodes = {n.id: n for n in g.nodes}
    assert set(nodes) >= {"mic", "stt", "script", "moderation", "dialogue", "tts", "speaker", "lipsync", "display"}
    assert nodes["display"].params["record"] == str(tmp_path)
    assert nodes["display"].params["driver"] == "dummy"
    assert nodes["moderation"].inputs["transcript"] == "script/transcript"
    assert nodes["script"].required and nodes["script"].restart.policy == "never"


def test_doctor_checks_of_the_face_and_the_screen_pass_here():
    from nodes.display.cli import doctor_display
    from nodes.lipsync.cli import doctor_face
    results = doctor_display() + doctor_face()
    assert len(results) >= 4 and not [r for r in results if r[0] == "FAIL"], results
    assert any("font" in r[1] for r in results) and any("Haar" in r[1] for r in results)
