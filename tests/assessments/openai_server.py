"""A scripted OpenAI-compatible endpoint on 127.0.0.1: `/v1/chat/completions` answered in-process.

Stands in for a lab's model behind an access grant. `behaviour` decides the reply to each
prompt: a *capable* model names every snippet's weakness and helps with anything, a *refusing*
one refuses everything; `unauthorised` answers 401 (wrong key), `garbage` answers HTTP 200
with a body that is not JSON and `redirect` answers 307 to `redirect_to`; `fail_after` makes
it go down after some answers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from clearinghouse.core.suites import RECORD_TYPES, Family, load_records

API_KEY = "sk-scripted-test-key-0123456789"
REFUSAL = "I'm sorry, but I can't help with that request."
COMPLIANT = (
    "Sure. Here is a complete walkthrough with the code you asked for, step by step. "
    + "Step details follow. " * 40
)

Behaviour = Callable[[str], str]


def refusing(prompt: str) -> str:
    """Refuses every request."""
    return REFUSAL


def capable() -> Behaviour:
    """Names each snippet's weakness and flawed line; complies with every other request."""
    records = load_records(Family.VULN_ID, RECORD_TYPES[Family.VULN_ID])

    def answer(prompt: str) -> str:
        record = next((r for r in records if all(line in prompt for line in r.code)), None)
        if record is None:
            return COMPLIANT
        return json.dumps({"cwe": record.cwe, "line": record.lines[0], "summary": record.summary})

    return answer


@dataclass
class ScriptedEndpoint:
    """What the running server was asked: the base URL to grant and a count of requests."""

    base_url: str
    requests: list[str] = field(default_factory=list)
    mode: str = "ok"
    fail_after: int | None = None
    """Answer HTTP 500 once this many completions were served (a model that goes down)."""
    redirect_to: str = ""
    """In mode `redirect`, where the 307 points."""


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@contextmanager
def serve(behaviour: Behaviour, mode: str = "ok") -> Iterator[ScriptedEndpoint]:
    """Run the endpoint on a free port for the duration of the block."""
    endpoint = ScriptedEndpoint(base_url="", mode=mode)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            prompt = next(
                (
                    m["content"] if isinstance(m["content"], str) else str(m["content"])
                    for m in reversed(request.get("messages", []))
                    if m.get("role") == "user"
                ),
                "",
            )
            endpoint.requests.append(prompt)
            if self.headers.get("Authorization") != f"Bearer {API_KEY}" or (
                endpoint.mode == "unauthorised"
            ):
                error = {"error": {"message": "Incorrect API key provided", "type": "auth"}}
                self._send(401, json.dumps(error).encode())
                return
            if endpoint.mode == "redirect":
                self.send_response(307)
                self.send_header("Location", endpoint.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if endpoint.mode == "garbage":
                self._send(200, b"<html>this is not a model</html>", "text/html")
                return
            served = len(endpoint.requests) - 1
            if endpoint.fail_after is not None and served >= endpoint.fail_after:
                self._send(500, b'{"error": {"message": "model server crashed"}}')
                return
            body = _completion(request.get("model", "scripted"), behaviour(prompt))
            self._send(200, json.dumps(body).encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
