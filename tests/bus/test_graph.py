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
