"""Optional rephrasing of retrieved knowledge-base facts by an OpenAI-compatible chat endpoint.

Off by default. The model only rephrases the facts it is given and must cite
the topic id as [id]; the policy never calls it when retrieval is below
threshold. Only masked text is sent. Any error, timeout, missing citation or
over-long reply falls back to the knowledge-base answer.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from dataclasses import dataclass

from nodes.dialogue.convlog import mask_pii
from nodes.dialogue.kb import MAX_SPOKEN_SENTENCES, Topic, count_sentences

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "당신은 어르신을 돕는 공공서비스 안내 키오스크입니다. 아래 [사실]에 있는 내용만 사용해서 "
    "질문에 존댓말로 짧게 답하세요. 세 문장 이하로 말하고, 사실에 없는 내용은 절대 지어내지 마세요. "
    "답 끝에 근거가 된 주제 번호를 [주제번호] 형식으로 붙이세요."
)
_CITATION = re.compile(r"\[([a-z0-9_]+)\]")


@dataclass
class GenerativeParams:
    url: str = ""                      # e.g. http://gpu-host:8000/v1/chat/completions
    model: str = ""
    timeout_s: float = 3.0
    max_tokens: int = 200
    temperature: float = 0.2
    api_key: str | None = None


class Rephraser:
    def __init__(self, params: GenerativeParams):
        if not params.url or not params.model:
            raise ValueError("generative backend needs 'url' and 'model'")
        self.params = params

    def request_body(self, question: str, topic: Topic, facts: str) -> dict:
        p = self.params
        user = f"[사실] (주제번호 {topic.id}, {topic.title}, {topic.as_of.isoformat()} 기준)\n{facts}\n\n[질문]\n{question}"
        return {
            "model": p.model,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": mask_pii(user)}],
            "max_tokens": p.max_tokens,
            "temperature": p.temperature,
        }

    def rephrase(self, question: str, topic: Topic, facts: str) -> tuple[str, list[str]] | None:
        """Returns (spoken text without citations, cited topic ids), or None to use the KB answer."""
        p = self.params
        body = json.dumps(self.request_body(question, topic, facts)).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if p.api_key:
            headers["Authorization"] = f"Bearer {p.api_key}"
        req = urllib.request.Request(p.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=p.timeout_s) as resp:
                data = json.loads(resp.read().decode("utf-8"))
            content = data["choices"][0]["message"]["content"]
        except Exception as exc:  # any failure of the optional backend falls back to the KB answer
            log.warning("generative backend failed, using KB answer: %s", exc)
            return None
        if not isinstance(content, str):
            return None
        cited = _CITATION.findall(content)
        text = " ".join(_CITATION.sub("", content).split())
        if topic.id not in cited or set(cited) - {topic.id}:
            log.warning("generative reply cites %s, expected [%s]; using KB answer", cited, topic.id)
            return None
        if not text or count_sentences(text) > MAX_SPOKEN_SENTENCES or len(text) > 300:
            return None
        return text, [topic.id]
