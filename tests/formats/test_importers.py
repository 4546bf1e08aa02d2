"""Importers on the real shared files: idempotent, dirty rows reported, threads rebuilt."""
from __future__ import annotations

import csv
import io
import json
import statistics
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from monitor.formats.jsonl import export_jsonl, read_jsonl
from monitor.formats.twcs import read_twcs
from monitor.formats.twitter_care import read_twitter_care
from monitor.reports.heatmap import heatmap
from monitor.reports.response_times import response_times
from monitor.store import schema
from monitor.store.ingest import ingest, ingest_replies
from networks.x import snowflake_time


def _store(engine, batch):
    mentions = ingest(engine, batch.mentions)
    replies = ingest_replies(engine, batch.replies)
    return mentions, replies


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table.__table__)).scalar()


def test_twcs_sample_imports_every_post_and_twice_changes_nothing(engine, shared_data):
    raw = (shared_data / "twcs_sample.csv").read_bytes()
    batch = read_twcs(raw)
    assert (len(batch.mentions), len(batch.replies), batch.rejected) == (49, 44, [])
    first_m, first_r = _store(engine, batch)
    assert (first_m.inserted, first_r.replies_inserted) == (49, 44)
    second_m, second_r = _store(engine, read_twcs(raw))
    assert (second_m.inserted, second_m.duplicates, second_r.replies_inserted, second_r.reply_duplicates) == (0, 49, 0, 44)
    assert (_count(engine, schema.MentionRow), _count(engine, schema.ReplyRow)) == (49, 44)


def test_twcs_threads_link_customer_posts_and_agent_replies(sqlite_engine, shared_data):
    _store(sqlite_engine, read_twcs((shared_data / "twcs_sample.csv").read_bytes()))
    with sqlite_engine.connect() as connection:
        conv_of = dict(connection.execute(sa.text("SELECT external_id, conversation_id FROM mention")).all())
        replies = connection.execute(sa.text(
            "SELECT r.external_id, r.agent, r.conversation_id, c.brand, r.mention_id "
            "FROM reply r JOIN conversation c ON c.id = r.conversation_id")).all()
    by_id = {row[0]: row for row in replies}
    # 119241 (customer) answers 119240 (VirginTrains), which 119243 answers: one thread.
    assert by_id["119243"][1] == "VirginTrains" and by_id["119243"][3] == "VirginTrains"
    assert conv_of["119241"] == conv_of["119244"] == by_id["119243"][2]
    assert by_id["119243"][4] is not None  # linked to the mention it answers


def _dirty_twcs(shared_data) -> str:
    """The sample as real exports come: a pandas index column, float ids, a bare CR in a post."""
    rows = list(csv.DictReader(io.StringIO((shared_data / "twcs_sample.csv").read_text(encoding="utf-8"))))
    out = io.StringIO()
    out.write(",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\r\n")
    for index, row in enumerate(rows):
        text = row["text"]
        if index == 0:
            text = text.replace(" ", "\r", 1)  # bare CR inside unquoted text
        quoted = '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text
        parent = row["in_response_to_tweet_id"]
        parent = f"{parent}.0" if parent else ""
        out.write(f"{index},{row['tweet_id']}.0,{row['author_id']},{row['inbound']},{row['created_at']},"
                  f"{quoted},{row['response_tweet_id']},{parent}\r\n")
    out.write("93,999001,123,True,yesterday at noon,broken date,,\r\n")
    out.write("94,999002,124,True\r\n")
    return out.getvalue()


def test_dirty_twcs_keeps_posts_whole_and_reports_bad_rows(sqlite_engine, shared_data):
    dirty = _dirty_twcs(shared_data)
    batch = read_twcs(dirty.encode())
    assert len(batch.mentions) == 49 and len(batch.replies) == 44
    first = next(m for m in batch.mentions if m.external_id == "119237")
    assert first.text.startswith("@AppleSupport\rcausing") and first.text.endswith("opened😡😡😡")
    last_line = dirty.count("\n")
    assert [(row.line, row.reason.split(" ")[0]) for row in batch.rejected] == [
        (last_line - 1, "created_at"), (last_line, "the")]
    assert "not a date" in batch.rejected[0].reason and "4 of 8" in batch.rejected[1].reason
    follow_up = next(m for m in batch.mentions if m.external_id == "119241")
    assert follow_up.in_reply_to == "119240"


def test_twitter_care_median_first_response_checked_independently(engine, shared_data):
    raw = (shared_data / "twitter_care_dev.json").read_bytes()
    batch = read_twitter_care(raw)
    assert batch.rejected == []
    _store(engine, batch)
    report = response_times(engine, sla_minutes=60)
    # The file holds 525 conversations but 523 threads: one is listed twice and one root tweet
    # starts two branches. A thread is keyed by its root tweet, as on the network.
    starts: dict[str, datetime] = {}
    answers: dict[str, list[datetime]] = {}
    for conversation in json.loads(raw):
        turns = conversation["dialogContent"]
        root = turns[0]["tweet_ID"]
        for turn in turns:
            moment = datetime.fromisoformat(turn["datetime"].replace("Z", "+00:00"))
            if "agent" in turn:
                answers.setdefault(root, []).append(moment)
            else:
                starts[root] = min(starts.get(root, moment), moment)
        answers.setdefault(root, []).append(snowflake_time(conversation["agentURL"]["tweet_ID"]))
    expected = []
    for root, start in starts.items():
        after = [moment for moment in answers[root] if moment >= start]
        if after:
            expected.append((min(after) - start).total_seconds())
    assert report["count"] == len(expected) == 523
    assert abs(report["median_s"] - statistics.median(expected)) < 0.01
    assert report["by_brand"]["TeamYouTube"]["count"] == len(
        {c["dialogContent"][0]["tweet_ID"] for c in json.loads(raw) if c["dialogHeader"]["company"] == "TeamYouTube"})
    within = sum(1 for seconds in expected if seconds <= 3600) / len(expected)
    assert abs(report["within_sla"] - within) < 1e-4


def test_heatmap_matches_an_independent_count(sqlite_engine, shared_data):
    raw = (shared_data / "twcs_sample.csv").read_bytes()
    _store(sqlite_engine, read_twcs(raw))
    tz = "America/New_York"
    expected: dict[tuple[int, int], int] = {}
    for row in csv.DictReader(io.StringIO(raw.decode())):
        if row["inbound"] == "True":
            local = datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(ZoneInfo(tz))
            expected[(local.weekday(), local.hour)] = expected.get((local.weekday(), local.hour), 0) + 1
    data = heatmap(sqlite_engine, tz)
    assert data["tz"] == tz and len(data["cells"]) == 168
    got = {(c["weekday"], c["hour"]): c["count"] for c in data["cells"] if c["count"]}
    assert got == expected and sum(got.values()) == 49


def test_jsonl_export_round_trips_into_a_new_database(engine, sqlite_engine, shared_data):
    _store(sqlite_engine, read_twcs((shared_data / "twcs_sample.csv").read_bytes()))
    lines = list(export_jsonl(sqlite_engine))
    batch = read_jsonl("\n".join(lines).encode())
    assert batch.rejected == [] and (len(batch.mentions), len(batch.replies)) == (49, 44)
    _store(engine, batch)
    assert list(export_jsonl(engine)) == lines


def test_jsonl_reports_broken_lines_and_keeps_good_ones():
    good = json.dumps({"source": "rss", "external_id": "a1", "text": "Acme nie działa",
                       "created_at": "2026-11-01T10:00:00+00:00", "author": {"handle": "ola"}})
    raw = "\n".join([good, "{not json", json.dumps({"source": "rss", "text": "x"}),
                     json.dumps({"kind": "poll"}), ""]).encode()
    batch = read_jsonl(raw)
    assert [m.external_id for m in batch.mentions] == ["a1"]
    assert [(r.line, r.reason.split(":")[0]) for r in batch.rejected] == [
        (2, "not JSON"), (3, "missing field 'external_id'"), (4, "unknown kind 'poll'")]


def test_every_format_accounts_for_every_post_read(sqlite_engine, shared_data):
    raw = (shared_data / "twitter_care_dev.json").read_bytes()
    batch = read_twitter_care(raw)
    mentions, replies = _store(sqlite_engine, batch)
    stored = mentions.inserted + mentions.duplicates + replies.replies_inserted + replies.reply_duplicates
    assert batch.read == stored + len(batch.rejected) == 686 + 525  # turns + final agent replies
