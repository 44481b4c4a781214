"""The generative backend's protocol, against a stand-in OpenAI-compatible server on 127.0.0.1."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nodes.dialogue.policy import Dialogue, Turn

KB_DIR = Path(__file__).resolve().parent / "fixtures" / "kb"


class StandIn:
    def __init__(self):
        self.requests: list[dict] = []
        self.reply = "기초연금은 만 65세 이상 어르신께 드려요. 한 달 최대 34만 원 정도예요. [basic_pension]"
        self.status = 200
        self.delay = 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "body": body})
                time.sleep(outer.delay)
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": outer.reply}}]})
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/chat/completions"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def server():
    s = StandIn()
    yield s
    s.close()


@pytest.fixture(scope="module")
def d(server):
    return Dialogue(KB_DIR, generative_url=server.url, generative_model="kiosk-llm", generative_timeout_s=0.5)


def test_rephrases_kb_facts_and_cites_topic(d, server):
    server.requests.clear()
    server.reply, server.status, server.delay = "기초연금은 어르신께 드리는 연금이에요. [basic_pension]", 200, 0.0
    r = d.respond("g1", Turn("기초연금이 뭐예요", now=0.0))
    assert (r.kind, r.topic, r.text) == ("answer", "basic_pension", "기초연금은 어르신께 드리는 연금이에요.")
    (req,) = server.requests
    assert req["path"] == "/v1/chat/completions" and req["body"]["model"] == "kiosk-llm"
    system, user = req["body"]["messages"]
    assert system["role"] == "system" and "사실" in system["content"]
    assert "basic_pension" in user["content"] and d.kb.by_id["basic_pension"].detail in user["content"]


def test_only_masked_text_is_sent(d, server):
    server.requests.clear()
    server.reply, server.status, server.delay = "기초연금 안내예요. [basic_pension]", 200, 0.0
    d.respond("g2", Turn("제 번호 010-1111-2222 인데 기초연금이 뭐예요", now=0.0))
    assert server.requests and "1111-2222" not in json.dumps(server.requests, ensure_ascii=False)


@pytest.mark.parametrize("reply, status, delay", [
    ("인용 없는 답이에요.", 200, 0.0),                      # no citation
    ("다른 주제예요. [senior_jobs] [basic_pension]", 200, 0.0),  # cites a topic it was not given
    ("서버 오류", 500, 0.0),
    ("늦은 답이에요. [basic_pension]", 200, 1.5),          # slower than the timeout
])
def test_falls_back_to_kb_answer(d, server, reply, status, delay):
    server.reply, server.status, server.delay = reply, status, delay
    r = d.respond(f"g3-{status}-{delay}", Turn("기초연금이 뭐예요", now=0.0))
    assert r.text == d.kb.by_id["basic_pension"].answer


def test_never_asked_below_threshold_or_for_control_turns(d, server):
    server.requests.clear()
    server.reply, server.status, server.delay = "무엇이든 답해요. [basic_pension]", 200, 0.0
    for i, text in enumerate(["오늘 야구 누가 이겼어요", "직원 불러 주세요", "안녕하세요"]):
        assert d.respond(f"g4-{i}", Turn(text, now=0.0)).kind != "answer"
    assert server.requests == []


def test_unreachable_server_falls_back():
    d = Dialogue(KB_DIR, generative_url="http://127.0.0.1:9/v1/chat/completions", generative_model="m",
                 generative_timeout_s=0.3)
    assert d.respond("g5", Turn("기초연금이 뭐예요")).text == d.kb.by_id["basic_pension"].answer
