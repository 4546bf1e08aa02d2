"""Recorded HTTP for collector and responder tests: answers from `tests/fixtures/<network>/`
served through `httpx.MockTransport` (or, for tweepy, a requests adapter), keyed by method and
path, with every request kept."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import requests
from requests.structures import CaseInsensitiveDict

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOCAL = "http://127.0.0.1:8765"


def fixture_bytes(network: str, name: str) -> bytes:
    return (FIXTURES / network / name).read_bytes()


def fixture_json(network: str, name: str) -> Any:
    return json.loads(fixture_bytes(network, name))


@dataclass
class Answer:
    """One recorded answer: a status, a body and headers, or a `fault` raised instead.

    The body is None (empty), bytes (as they are), a fixture file name of `network` (a str;
    plain text when no network is named) or anything else, sent as JSON.
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    network: str = ""
    fault: type[Exception] | None = None  # an httpx or requests error, as the client under test uses

    def respond(self, request: httpx.Request) -> httpx.Response:
        if self.fault is not None:
            raise self.fault("recorded fault", request=request)
        body, headers = self.body, dict(self.headers)
        if isinstance(body, str) and self.network:
            body = fixture_bytes(self.network, body)
            if body.lstrip()[:1] in (b"{", b"["):
                headers.setdefault("content-type", "application/json")
        elif body is None:
            body = b""
        elif not isinstance(body, (bytes, str)):
            body = json.dumps(body).encode()
            headers.setdefault("content-type", "application/json")
        return httpx.Response(self.status, content=body, headers=headers, request=request)


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

    def sent(self, path: str, method: str | None = None) -> list[httpx.Request]:
        """The requests made to `path` (with `method`, when given), in order."""
        return [r for r in self.requests if r.url.path == path and method in (None, r.method)]


class RequestsReplayer(requests.adapters.BaseAdapter):
    """Serves a `Replayer`'s answers to a requests session (tweepy's): no socket is opened, and
    the requests are kept on the replayer as httpx requests, like every other."""

    def __init__(self, replayer: Replayer) -> None:
        super().__init__()
        self.replayer = replayer

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.replayer(httpx.Request(request.method, request.url, headers=dict(request.headers),
                                             content=body))
        response = requests.Response()
        response.status_code, response._content = answer.status_code, answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url, response.request, response.reason = request.url, request, "recorded"
        return response

    def close(self) -> None:
        pass
