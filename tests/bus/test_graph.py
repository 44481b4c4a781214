import textwrap

import pytest

from bus.graph import GraphError, load


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return str(p)


def test_demo_graph_is_valid():
    g = load("launch/pipeline.yaml")
    assert {n.id for n in g.nodes} == {"ticker", "say", "upper", "printer", "relay", "sink"}
    order = [n.id for n in g.start_order()]
    assert order.index("sink") < order.index("relay") < order.index("ticker")
    assert g.consumers("ticker") == {"tick": ["say", "relay"]}


def test_args_override_and_typed_substitution(tmp_path):
    path = write(tmp_path, "g.yaml", """
        args: {rate: 2.0, label: a}
        nodes:
          - {id: t, node: "nodes.demo:Ticker", params: {rate_hz: $(arg rate)}}
          - {id: r, node: "nodes.demo:Relay", params: {label: "x-$(arg label)"}, inputs: {tick: t/tick}}
    """)
    g = load(path, {"rate": 5})
    assert g.node("t").params == {"rate_hz": 5}
    assert g.node("r").params == {"label": "x-a"}


def test_include_with_namespace(tmp_path):
    write(tmp_path, "sub.yaml", """
        args: {rate: 1.0}
        nodes:
          - {id: relay, node: "nodes.demo:Relay", inputs: {tick: /ticker/tick}}
          - {id: sink, node: "nodes.demo:Sink", inputs: {tick: relay/tick}}
    """)
    path = write(tmp_path, "main.yaml", """
        include: [{file: sub.yaml, namespace: extra}]
        nodes:
          - {id: ticker, node: "nodes.demo:Ticker"}
    """)
    g = load(path)
    assert g.node("extra/sink").inputs == {"tick": "extra/relay/tick"}
    assert g.node("extra/relay").inputs == {"tick": "ticker/tick"}


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, "bad.yaml", """
        nodez: []
        nodes:
          - {id: a, node: "nodes.demo:Ticker", params: {rate_hz: fast, colour: red}}
          - {id: b, node: "nodes.demo:Upper", inputs: {text: a/tick}}
          - {id: c, node: "nodes.demo:Nope"}
          - {id: d, node: "nodes.demo:Sink"}
          - {id: e, node: "nodes.demo:Relay", inputs: {tick: ghost/tick}, restart: {policy: sometimes}}
          - {id: f, node: "nodes.demo:Printer", inputs: {text: a/nothing}, machine: gpu1, colour: 1}
          - {id: a, node: "nodes.demo:Ticker"}
    """)
    with pytest.raises(GraphError) as e:
        load(path)
    text = str(e.value)
    for needle in ["unknown top-level key 'nodez'", "param 'rate_hz': expected float",
                   "unknown param 'colour'", "type mismatch: 'a/tick' carries tick, input 'text' takes text",
                   "has no class 'Nope'", "input 'tick' (tick) is not connected",
                   "there is no node 'ghost'", "restart.policy must be one of",
                   "'a' has outputs: tick", "machine 'gpu1'", "unknown key 'colour'",
                   "node id 'a' is used twice"]:
        assert needle in text, needle
    assert all(str(path) in p for p in e.value.problems)


def test_missing_arg_and_bad_yaml(tmp_path):
    with pytest.raises(GraphError, match=r"\$\(arg speed\) has no value"):
        load(write(tmp_path, "a.yaml", "nodes: [{id: t, node: 'nodes.demo:Ticker', params: {rate_hz: $(arg speed)}}]"))
    with pytest.raises(GraphError, match="not valid YAML"):
        load(write(tmp_path, "b.yaml", "nodes: [\n"))
    with pytest.raises(GraphError, match="no such launch file"):
        load(str(tmp_path / "missing.yaml"))


def test_nodes_check_their_params_before_launch(tmp_path):
    path = write(tmp_path, "g.yaml", """
        nodes:
          - {id: moderation, node: "nodes.moderation.node:ModerationNode", inputs: {transcript: ext/t},
             params: {ml_model: /no/such/checkpoint}}
          - {id: dialogue, node: "nodes.dialogue.node:DialogueNode", inputs: {moderated: moderation/moderated},
             params: {kb: /no/such/kb}}
    """)
    with pytest.raises(GraphError) as e:
        load(path)
    assert len(e.value.problems) == 2
    assert "ml_model '/no/such/checkpoint' is not a directory" in str(e.value)
    assert "kb '/no/such/kb' is not a directory" in str(e.value)


def test_unknown_launch_argument_is_refused_listing_the_known_ones(tmp_path):
    with pytest.raises(GraphError) as e:
        load("launch/kiosk.yaml", {"kbb": "/x"})
    assert "unknown launch argument 'kbb' (known: driver, face, files, fullscreen, kb, log, mic_device, out, record, sink, source, speaker_device, stt_device, tts_backend)" in str(e.value)
    inner = write(tmp_path, "inner.yaml", "args: {rate: 1.0}\nnodes: [{id: t, node: 'nodes.demo:Ticker', params: {rate_hz: $(arg rate)}}]\n")
    outer = write(tmp_path, "outer.yaml", f"include: [{{file: {inner}, args: {{rte: 2.0}}}}]\n")
    with pytest.raises(GraphError, match="include of .*inner.yaml: unknown launch argument 'rte'"):
        load(outer)


def test_out_is_a_builtin_argument_that_reaches_included_files(tmp_path):
    inner = write(tmp_path, "inner.yaml", "nodes: [{id: r, node: 'nodes.demo:Relay', params: {label: '$(arg out)/r'}, inputs: {tick: ext/t}}]\n")
    outer = write(tmp_path, "outer.yaml", f"include: [{{file: {inner}}}]\n")
    assert load(outer).node("r").params["label"] == "var/out/r"
    assert load(outer, {"out": "/tmp/x"}).node("r").params["label"] == "/tmp/x/r"


def test_include_args_are_substituted_from_the_parent(tmp_path):
    inner = write(tmp_path, "inner.yaml", "args: {rate: 1.0}\nnodes: [{id: t, node: 'nodes.demo:Ticker', params: {rate_hz: $(arg rate)}}]\n")
    outer = write(tmp_path, "outer.yaml", f"args: {{speed: 3.0}}\ninclude: [{{file: {inner}, args: {{rate: $(arg speed)}}}}]\n")
    assert load(outer, {"speed": 7.0}).node("t").params == {"rate_hz": 7.0}


def test_qos_override_is_validated_and_reaches_the_runtime_spec(tmp_path):
    path = write(tmp_path, "q.yaml", """
        nodes:
          - {id: t, node: "nodes.demo:Ticker"}
          - {id: s, node: "nodes.demo:Sink", inputs: {tick: t/tick}, qos: {tick: {keep: latest, depth: 1}}}
    """)
    g = load(path)
    spec = g.runtime_spec(g.node("s"), "inc1")
    assert spec["qos"] == {"tick": {"depth": 1, "keep": "latest", "max_bytes": 64 << 20}}
    assert g.runtime_spec(g.node("t"), "inc2")["qos"] == {}
    bad = write(tmp_path, "bad.yaml", """
        nodes:
          - {id: t, node: "nodes.demo:Ticker"}
          - {id: s, node: "nodes.demo:Sink", inputs: {tick: t/tick},
             qos: {frame: {depth: 1}, tick: {keep: newest, depth: 0, colour: red}}}
    """)
    with pytest.raises(GraphError) as e:
        load(bad)
    text = str(e.value)
    for needle in ["qos: no input 'frame' (inputs: tick)", "qos.tick.keep must be all or latest",
                   "qos.tick.depth must be a positive whole number", "qos.tick: unknown key 'colour'"]:
        assert needle in text, needle


def test_curve_needs_a_key_directory(tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    node = "nodes: [{id: t, node: 'nodes.demo:Ticker'}]\n"
    g = load(write(tmp_path, "on.yaml", f"bus: {{curve: true, keys: {keys}}}\n" + node))
    assert g.runtime_spec(g.node("t"), "i")["curve"] == str(keys)
    assert load(write(tmp_path, "off.yaml", node)).curve == ""
    with pytest.raises(GraphError, match="bus.curve is on, so bus.keys must name the key directory"):
        load(write(tmp_path, "nokeys.yaml", "bus: {curve: true}\n" + node))
    with pytest.raises(GraphError, match="is not a directory; make the keys with `python run.py keys"):
        load(write(tmp_path, "missing.yaml", f"bus: {{curve: true, keys: {tmp_path}/nope}}\n" + node))


def test_deep_check_runs_only_under_check(tmp_path, monkeypatch):
    import nodes.demo
    from dataclasses import dataclass
    from bus.node import Node

    class Loader(Node):
        @dataclass
        class Params:
            folder: str = ""

        @classmethod
        def check(cls, params, deep=False):
            if deep and not any(True for _ in __import__("os").scandir(params.folder)):
                return [f"folder '{params.folder}' is empty"]
            return []

    monkeypatch.setattr(nodes.demo, "Loader", Loader, raising=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    path = write(tmp_path, "d.yaml", f"nodes: [{{id: l, node: 'nodes.demo:Loader', params: {{folder: '{empty}'}}}}]\n")
    assert load(path).node("l")
    with pytest.raises(GraphError, match="folder '.*empty' is empty"):
        load(path, deep=True)


def test_start_and_ready_timeout_keys(tmp_path):
    g = load("launch/demo.yaml")
    assert g.node("script").start == "after_ready" and g.node("dialogue").start == "at_once"
    with pytest.raises(GraphError) as e:
        load(write(tmp_path, "s.yaml", "nodes: [{id: t, node: 'nodes.demo:Ticker', start: later, ready_timeout_s: -1}]\n"))
    assert "start must be one of at_once, after_ready" in str(e.value) and "ready_timeout_s must be a positive" in str(e.value)


def test_keys_command_writes_keys_a_graph_can_use(tmp_path):
    import os
    import subprocess
    from tests.procs import PY, ROOT
    keys = tmp_path / "keys"
    r = subprocess.run([PY, "run.py", "keys", str(keys)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert f"bus: {{curve: true, keys: {keys}}}" in r.stdout
    secret = [p for p in keys.iterdir() if "secret" in p.name]
    assert secret and oct(os.stat(secret[0]).st_mode & 0o777) == "0o600"
    from bus.sockets import load_curve
    assert load_curve(str(keys)).public
    g = load(write(tmp_path, "on.yaml", f"bus: {{curve: true, keys: {keys}}}\nnodes: [{{id: t, node: 'nodes.demo:Ticker'}}]\n"))
    assert load_curve(g.runtime_spec(g.node("t"), "i")["curve"]).secret == load_curve(str(keys)).secret
