"""The launcher's restart policy, without processes: back-off and giving up."""
from bus.graph import load
from bus.launcher import Launcher, Proc


class DeadPopen:
    pid, returncode = 4242, -9

    def poll(self):
        return -9


class NoBus:
    def __init__(self):
        self.sent = []

    def send_ctl(self, topic, msg):
        self.sent.append(msg)


def test_back_off_doubles_while_crash_looping_and_resets_after_serving():
    g = load("launch/pipeline.yaml")
    launcher = Launcher(g)
    launcher.client = NoBus()
    spec = g.node("relay")   # restart: {policy: always, max_restarts: 10, backoff_s: 0.2}
    p = launcher.procs["relay"] = Proc(spec, popen=DeadPopen(), inc="a")

    def die(served: bool) -> float:
        p.state, p.popen, p.served = "running", DeadPopen(), served
        launcher.check_processes()
        assert p.state == "backoff"
        return round(p.next_start - p.failures[-1], 3)

    assert [die(False) for _ in range(4)] == [0.2, 0.4, 0.8, 1.6]   # it never got to serve: back off
    assert die(True) == 0.2                                        # it had been serving (a kill): at once
    assert die(False) == 0.4
    assert all(e.kind == "restart" and "killed by SIGKILL" in e.text for e in launcher.client.sent)


def test_gives_up_after_max_restarts_in_the_window():
    g = load("launch/pipeline.yaml")
    launcher = Launcher(g)
    launcher.client = NoBus()
    p = launcher.procs["relay"] = Proc(g.node("relay"), popen=DeadPopen(), inc="a")
    for _ in range(11):
        p.state, p.popen = "running", DeadPopen()
        launcher.check_processes()
    assert p.state == "failed" and launcher.client.sent[-1].kind == "gave_up"
    assert not launcher.stopping   # relay is not required: the graph goes on
