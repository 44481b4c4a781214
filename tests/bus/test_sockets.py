"""One thread per socket: the checker itself, and a live node that uses its Port from the setup
thread and the worker (health, publish, errors, interrupts) without any socket being shared."""
import threading
import time

import pytest

from bus import messages as m
from bus.publisher import Publisher
from bus.sockets import Sockets
from bus.transport import BusAddress
from tests.procs import Graph


def test_checker_catches_a_second_thread(monkeypatch):
    monkeypatch.setenv("KIOSK_BUS_CHECK_THREADS", "raise")
    sock = Sockets().ctl_pub()
    try:
        sock.connect("tcp://127.0.0.1:9")
        sock.send_multipart([b"_x\0", b"y"])
        errors = []

        def other():
            try:
                sock.send(b"z")
            except RuntimeError as e:
                errors.append(str(e))
        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert errors and "belongs to thread" in errors[0]
    finally:
        sock.close(0)


@pytest.mark.timeout(120)
def test_no_socket_is_used_by_two_threads(tmp_path):
    with Graph(tmp_path, """
        bus: {port: PORT}
        env: {KIOSK_BUS_CHECK_THREADS: "1"}
        nodes:
          - {id: busy, node: "tests.bus.helper_nodes:Busy", inputs: {text: ext/in}}
          - {id: printer, node: "nodes.demo:Printer", inputs: {text: busy/text}}
    """) as g:
        first = g.wait_for(lambda st: st.get("busy") if st.get("busy") and st["busy"].state == "ok"
                           and st.get("printer") and st["printer"].state == "ok" else None)
        with Publisher(BusAddress.parse(g.bus), {"ext/in": "text"}) as pub:
            assert pub.wait_for_consumers(10)
            for text in ["하나", "fail", "둘", "interrupt", "셋"] * 4:
                pub.send("ext/in", m.Text(text))
                time.sleep(0.02)
            g.wait_for(lambda st: g.output().count("worker: 셋") >= 1 and st["busy"].counters.get("handler_errors", 0) >= 1,
                       what="the worker's output")
            time.sleep(1.0)
        last = g.wait_for(lambda st: st.get("busy"))
        out = g.output()
        assert "FATAL" not in out and last.pid == first.pid
        assert last.counters["handler_errors"] >= 1 and last.counters["interrupts"] >= 1
