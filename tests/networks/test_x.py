"""X's snowflake clock: one epoch for the collector, the importer and the demo data."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from random import Random

import collectors.x
from monitor.demo.networks import Thread, X
from monitor.formats.twitter_care import read_twitter_care
from networks.x import TWITTER_EPOCH_MS, snowflake_at, snowflake_time

KNOWN_ID = 1212092628029698048
# (KNOWN_ID >> 22) + 1288834974657 = 1577820376771 ms since 1970, worked out by hand
KNOWN_TIME = datetime(2019, 12, 31, 19, 26, 16, 771000, tzinfo=timezone.utc)


def test_the_epoch_is_twitters() -> None:
    assert TWITTER_EPOCH_MS == 1288834974657
    assert snowflake_time(0) == datetime(2010, 11, 4, 1, 42, 54, 657000, tzinfo=timezone.utc)


def test_importer_collector_and_demo_agree_on_a_known_tweet() -> None:
    conversation = {"dialogHeader": {"company": "Acme"},
                    "dialogContent": [{"client_1": "kasia", "tweet_ID": KNOWN_ID, "message": "acme?"}]}
    (imported,) = read_twitter_care(json.dumps([conversation]).encode()).mentions
    collected = collectors.x.snowflake_time(str(KNOWN_ID))
    demo_id, _ = X(Random(0), 0.0).post(Thread("x", "x"), "kasia", KNOWN_TIME.timestamp())
    assert imported.created_at == collected == KNOWN_TIME
    assert int(demo_id) >> 22 == KNOWN_ID >> 22 == collectors.x.snowflake_at(KNOWN_TIME) >> 22


def test_snowflake_round_trip() -> None:
    moment = datetime(2024, 11, 12, 9, 31, 10, tzinfo=timezone.utc)
    assert snowflake_time(snowflake_at(moment)) == moment
