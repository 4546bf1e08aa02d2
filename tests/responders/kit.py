"""Replay kit for responder tests: recorded answers served through `httpx.MockTransport`, and
the failure rows every network's table shares (401, 429, 5xx, timeout, connection refused)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOCAL = "http://127.0.0.1:8765"


def recorded(network: str, name: str) -> Any:
    return json.loads((FIXTURES / network / name).read_text(encoding="utf-8"))


@dataclass
class Answer:
    """One recorded answer; `fault` raises an httpx transport error instead of answering."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    fault: type[httpx.TransportError] | None = None

    def respond(self, request: httpx.Request) -> httpx.Response:
        if self.fault is not None:
            raise self.fault("recorded fault", request=request)
        content = b"" if self.body is None else json.dumps(self.body).encode()
        headers = {"content-type": "application/json", **self.headers} if self.body is not None else self.headers
        return httpx.Response(self.status, content=content, headers=headers, request=request)


class Replayer:
    """A mock transport keyed by "METHOD /path": answers given in order, the last repeats."""

    def __init__(self, routes: dict[str, list[Answer] | Answer]) -> None:
        self.routes = {key: list(value) if isinstance(value, list) else [value] for key, value in routes.items()}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = f"{request.method} {request.url.path}"
        answers = self.routes.get(key)
        if not answers:
            return httpx.Response(404, json={"error": f"no recorded answer for {key}"}, request=request)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer.respond(request)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


def failure_rows(post: str, refusal: dict[str, Any] | None = None) -> list[tuple[str, dict[str, Answer], str]]:
    """(id, answer to the posting request, expected error kind): the shared table."""
    return [
        ("401", {post: Answer(401, refusal or {"error": "invalid token"})}, "auth"),
        ("429", {post: Answer(429, {"error": "Too many requests"}, {"Retry-After": "120"})}, "rate_limited"),
        ("500", {post: Answer(500, {"error": "boom"})}, "unavailable"),
        ("503-html", {post: Answer(503, None, {"content-type": "text/html"})}, "unavailable"),
        ("timeout", {post: Answer(fault=httpx.ReadTimeout)}, "lost"),
        ("refused", {post: Answer(fault=httpx.ConnectError)}, "unreachable"),
    ]
