"""Hostile mention text is stored exactly as written and shown inertly.

HTML and script, control characters, a 100 kB post, right-to-left and emoji go through ingest
and back unchanged (SQLite and PostgreSQL); invalid UTF-8 bytes in an import become U+FFFD in
that post only, and the import goes on. NUL, which PostgreSQL cannot store in text, is the one
character changed (to U+FFFD) on both backends alike. The inbox page shows the texts as plain
text elements, never as markdown or HTML.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from monitor.formats.readers import read_file
from monitor.mention import Author, Mention
from monitor.store import schema
from monitor.store.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 2, 1, tzinfo=timezone.utc)
HOSTILE = {
    "html": '<script>alert("acme")</script><img src=x onerror=alert(1)> acme',
    "markdown": "acme **bold** [click](javascript:alert(1)) <b>x</b> $x$ `code`",
    "control": "acme\x01\x07\x1b[31mred\x1b[0m\ttab\r\nline\u2028sep\x7f",
    "rtl": "acme \u202eevil\u202c مرحبا שלום",
    "emoji": "acme 😡🔥👨‍👩‍👧 ﷽ 𝕒𝕔𝕞𝕖",
    "long": "acme " + "nie działa! " * 8_600,  # ~100 kB
    "zalgo": "a̸͇̅c̷̗̈m̴̰̾e̵̡͝",
}


def _mentions() -> list[Mention]:
    return [Mention("x", f"h-{name}", text, T0 + timedelta(minutes=i), Author(f"@{name}<b>", name=text[:50]),
                    brand="Acme") for i, (name, text) in enumerate(HOSTILE.items())]


def _stored(engine) -> dict[str, tuple[str, str, str]]:
    mention = schema.MentionRow.__table__
    with engine.connect() as connection:
        rows = connection.execute(sa.select(mention.c.external_id, mention.c.text, mention.c.author_handle,
                                            mention.c.author_name))
        return {row.external_id: (row.text, row.author_handle, row.author_name) for row in rows}


def test_hostile_texts_round_trip_unchanged(engine):
    assert ingest(engine, _mentions()).inserted == len(HOSTILE)
    stored = _stored(engine)
    for name, text in HOSTILE.items():
        assert stored[f"h-{name}"] == (text, f"@{name}<b>", text[:50]), name
    assert len(stored["h-long"][0].encode()) > 100_000


def test_nul_and_invalid_utf8_in_an_import_cost_one_character_not_the_row(engine, tmp_path):
    good = {"kind": "mention", "source": "x", "author": "a", "created_at": "2026-02-01T00:00:00Z"}
    lines = [json.dumps({**good, "external_id": "nul", "text": "acme\x00nul"}).encode(),
             json.dumps({**good, "external_id": "bad", "text": "acme XX"}).encode().replace(b"XX", b"\xff\xfe"),
             json.dumps({**good, "external_id": "ok", "text": "acme ok"}).encode()]
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(lines))
    batch = read_file(path, "jsonl")
    assert not batch.rejected and len(batch.mentions) == 3
    assert ingest(engine, batch.mentions).inserted == 3
    stored = _stored(engine)
    assert stored["nul"][0] == "acme\ufffdnul" and stored["bad"][0] == "acme \ufffd\ufffd" and stored["ok"][0] == "acme ok"


def test_the_inbox_shows_hostile_text_as_plain_text(tmp_path, monkeypatch):
    from monitor.store.engine import make_engine, upgrade

    db = f"sqlite:///{tmp_path / 'hostile.db'}"
    engine = make_engine(db)
    upgrade(engine)
    ids = ingest(engine, _mentions()).inserted_ids
    with engine.connect() as connection:
        conversation = connection.execute(sa.select(schema.MentionRow.__table__.c.conversation_id)
                                          .where(schema.MentionRow.__table__.c.id == ids[0])).scalar()
    engine.dispose()
    config = tmp_path / "config.yaml"
    config.write_text("auth: {required: false}\nagents: [{name: Ola}]\n", encoding="utf-8")
    monkeypatch.setenv("NASLUCH_DB", db)
    monkeypatch.setenv("NASLUCH_CONFIG", str(config))
    monkeypatch.chdir(ROOT)
    app = AppTest.from_file(str(ROOT / "views" / "inbox.py"), default_timeout=60)
    app.query_params["conversation"] = str(conversation)
    app.run()
    assert not app.exception
    assert HOSTILE["html"] in [element.value for element in app.text]  # shown as characters
    rendered = " ".join(str(m.value) for m in [*app.markdown, *app.caption, *app.warning, *app.error, *app.info])
    assert "<script>" not in rendered and "onerror" not in rendered
