"""Spike alerts reach a real local webhook receiver and a real local SMTP server, once each."""
from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from monitor.alerts.notify import check, history
from monitor.alerts.settings import AlertSettings, EmailSettings
from monitor.mention import Author, Mention
from monitor.store.engine import make_engine, upgrade
from monitor.store.ingest import ingest

NOW = datetime(2026, 3, 30, 14, 40, tzinfo=timezone.utc)  # a Monday


class Receiver(BaseHTTPRequestHandler):
    posts: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).posts.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    Receiver.posts, Receiver.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000", Receiver
    server.shutdown()


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Inbox:
        messages: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler.messages
    controller.stop()


@pytest.fixture
def spiking(tmp_path):
    """Six weeks of 1 mention an hour for Acme, then 25 in the current hour."""
    engine = make_engine(f"sqlite:///{tmp_path / 'alerts.db'}")
    upgrade(engine)
    start = NOW.replace(minute=0) - timedelta(weeks=6)
    posts = [Mention("x", f"h{i}", "acme ok", start + timedelta(hours=i, minutes=5), Author("a"), brand="Acme")
             for i in range(6 * 168)]
    posts += [Mention("x", f"s{i}", "acme is down", NOW - timedelta(minutes=i), Author(f"b{i}"), brand="Acme")
              for i in range(25)]
    ingest(engine, posts)
    yield engine
    engine.dispose()


def test_spike_goes_to_webhook_and_email_once(spiking, webhook, smtp_server) -> None:
    url, receiver = webhook
    port, inbox = smtp_server
    settings = AlertSettings(webhook_url=url, email=EmailSettings(host="127.0.0.1", port=port,
                                                                  sender="nasluch@example.com",
                                                                  recipients=["care@example.com"]))
    with httpx.Client() as client:
        sent = check(spiking, settings, "Europe/Warsaw", now=NOW, client=client)
        again = check(spiking, settings, "Europe/Warsaw", now=NOW + timedelta(minutes=5), client=client)
    assert [s["brand"] for s in sent] == ["Acme"] and sent[0]["errors"] == []
    assert again == []
    assert len(receiver.posts) == 1
    text = receiver.posts[0]["text"]
    assert "Acme" in text and "25 mentions" in text and "16:00" in text  # 14:00 UTC is 16:00 in Warsaw
    assert len(inbox) == 1 and inbox[0].rcpt_tos == ["care@example.com"]
    assert b"Subject: =?utf-8?" in inbox[0].content or b"spike for Acme" in inbox[0].content
    assert history(spiking, "UTC")["delivered"].to_list() == [True]


def test_failed_webhook_is_recorded_and_retried(spiking, webhook) -> None:
    url, receiver = webhook
    receiver.status = 500
    settings = AlertSettings(webhook_url=url)
    with httpx.Client() as client:
        first = check(spiking, settings, "UTC", now=NOW, client=client)
        assert first[0]["errors"] and "500" in first[0]["errors"][0]
        assert history(spiking, "UTC")["delivered"].to_list() == [False]
        receiver.status = 200
        second = check(spiking, settings, "UTC", now=NOW + timedelta(minutes=5), client=client)
    assert second and second[0]["errors"] == []
    assert len(receiver.posts) == 2
    assert history(spiking, "UTC")["delivered"].to_list() == [True]


def test_no_spike_no_message(spiking, webhook) -> None:
    url, receiver = webhook
    quiet = NOW - timedelta(days=2)
    with httpx.Client() as client:
        assert check(spiking, AlertSettings(webhook_url=url), "UTC", now=quiet, client=client) == []
    assert receiver.posts == []


def test_alert_settings_load_from_config() -> None:
    from monitor.config import ConfigError, build

    config = build({"alerts": {"threshold": 4, "webhook_url": {"$env": "HOOK"},
                               "email": {"host": "smtp.example.com", "sender": "a@example.com",
                                         "recipients": ["b@example.com"]}}}, environ={"HOOK": "http://hook"})
    assert config.settings.alerts.threshold == 4
    assert config.settings.alerts.channels == ["webhook", "e-mail"]
    with pytest.raises(ConfigError, match="alerts.threshold"):
        build({"alerts": {"threshold": 0.5}})
