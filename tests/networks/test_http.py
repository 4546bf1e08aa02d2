"""The shared HTTP helper: statuses to typed errors, bounded retries, JSON and item mapping."""
from __future__ import annotations

import httpx
import pytest

from networks.errors import AuthFailed, ParseError, RateLimited, SourceUnavailable
from networks.http import counting_skips, json_body, map_items, send


def client(*answers) -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


def test_a_fault_then_success_is_retried(no_sleep) -> None:
    http, seen = client(httpx.ConnectError("refused"), httpx.Response(502), httpx.Response(200, json={}))
    assert send(http, "GET", "http://127.0.0.1:9/x").status_code == 200
    assert len(seen) == 3 and no_sleep == [2, 4]


@pytest.mark.parametrize("fault", [httpx.ConnectTimeout("slow"), httpx.ReadTimeout("slow"),
                                   httpx.ConnectError("refused"), httpx.RemoteProtocolError("eh")])
def test_faults_become_source_unavailable_after_three_tries(fault, no_sleep) -> None:
    http, seen = client(fault)
    with pytest.raises(SourceUnavailable) as caught:
        send(http, "GET", "http://127.0.0.1:9/x")
    assert caught.value.status is None and "could not reach" in caught.value.message
    assert len(seen) == 3 and no_sleep == [2, 4]


@pytest.mark.parametrize("status,error", [(401, AuthFailed), (403, AuthFailed), (404, SourceUnavailable),
                                          (400, SourceUnavailable), (429, RateLimited)])
def test_client_errors_are_not_retried(status, error, no_sleep) -> None:
    http, seen = client(httpx.Response(status, text="nope"))
    with pytest.raises(error):
        send(http, "GET", "http://127.0.0.1:9/x")
    assert len(seen) == 1 and no_sleep == []


def test_not_modified_is_an_answer() -> None:
    http, _ = client(httpx.Response(304))
    assert send(http, "GET", "http://127.0.0.1:9/x").status_code == 304


def test_remaining_zero_on_a_success_pauses_the_source() -> None:
    http, _ = client(httpx.Response(200, json={}, headers={"x-ratelimit-remaining": "0",
                                                          "x-ratelimit-reset": "30"}))
    with pytest.raises(RateLimited) as caught:
        send(http, "GET", "http://127.0.0.1:9/x")
    assert caught.value.retry_after == 30


def test_json_body_explains_what_came_instead() -> None:
    with pytest.raises(ParseError, match="text/html"):
        json_body(httpx.Response(200, text="<html>", headers={"content-type": "text/html"}))


def test_map_items_skips_and_counts_malformed_items_naming_the_field(caplog) -> None:
    with counting_skips() as skipped:
        assert map_items([{"a": 1}, {}], lambda item: item["a"], "thing") == [1]
        assert map_items([{}, {"a": None}], lambda item: item["a"] + 1, "thing") == []  # kept going
    assert skipped.count == 3
    assert "thing without the field 'a' (2x)" in skipped.summary()
    assert "TypeError" in skipped.summary()
    assert "skipped a malformed thing without the field 'a'" in caplog.text
    assert map_items([], lambda item: item["a"], "thing") == []
    assert map_items([{}], lambda item: item["a"], "thing") == []  # no tally open: skipped, not counted
