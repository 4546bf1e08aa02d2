"""Bad input, generated: the query parser, the config loader and every importer either accept
it or reject it with a reason that names the problem; none of them crashes. About 4,000 cases,
bounded by `max_examples` (no deadline: the first example pays for imports)."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.config import ConfigError, build
from monitor.formats.readers import READERS, ImportFormatError
from monitor.query.parser import QuerySyntaxError, parse


def bounded(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUERY_PARTS = st.sampled_from(['acme', '"nie działa"', "OR", "AND", "NOT", "-", "(", ")", "*", "lang:", "lang:pl",
                               "source:x", "author:", '"', "dział*", "doesn’t", " ", "ąęł", "\u202e", "\x00"])
queries = st.one_of(st.text(max_size=60), st.lists(QUERY_PARTS, max_size=12).map(" ".join),
                    st.lists(QUERY_PARTS, max_size=12).map("".join))


@bounded(1500)
@given(queries)
def test_query_parser_accepts_or_names_the_position(text):
    try:
        parsed = parse(text)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(text) and str(error).strip()
        assert f"position {error.position}" in str(error) or str(error) == "empty query", str(error)
        return
    assert parsed is not None


def _values(depth: int = 2):
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
                       st.text(max_size=12), st.sampled_from(["5m", "Europe/Warsaw", "acme", "rss", "x", "viewer",
                                                              "$argon2id$x", "every", "Mars/Olympus"]))
    if depth == 0:
        return leaves
    inner = _values(depth - 1)
    return st.one_of(leaves, st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3))


KEYS = st.sampled_from(["timezone", "sla_minutes", "database", "brands", "sources", "responders", "agents",
                        "inbox", "alerts", "auth", "privacy", "sentiment", "unknown_key"])
SOURCE = st.fixed_dictionaries({"type": st.sampled_from(["rss", "x", "mastodon", "reddit", "nope", 3])},
                               optional={"name": st.text(max_size=5), "every": _values(0), "url": _values(0),
                                         "base_url": _values(0), "bearer_token": st.just({"$env": "UNSET_FUZZ"}),
                                         "hashtags": _values(1)})
configs = st.one_of(_values(3), st.dictionaries(KEYS, _values(2), max_size=5),
                    st.fixed_dictionaries({"sources": st.lists(SOURCE, max_size=3)},
                                          optional={"brands": st.lists(st.fixed_dictionaries(
                                              {"name": _values(0), "queries": st.lists(queries, max_size=2)}),
                                              max_size=2), "privacy": _values(1), "auth": _values(1)}))


@bounded(1200)
@given(configs)
def test_config_loader_accepts_or_names_the_key(raw):
    try:
        build(raw, environ={})
    except ConfigError as error:
        message = str(error)
        assert ":" in message and message.strip(), message  # "key: got value: expected ..."
        assert message.split(":")[0].strip(), message


def _garbage_jsonl():
    good = {"kind": "mention", "source": "x", "external_id": "1", "author": "a", "text": "t",
            "created_at": "2026-01-01T00:00:00Z"}
    mutated = st.dictionaries(st.sampled_from(list(good) + ["brand", "lang"]), _values(1), max_size=7).map(
        lambda d: json.dumps({**good, **d}, default=str))
    lines = st.one_of(mutated, st.text(max_size=40), st.just(json.dumps(good)))
    return st.lists(lines, max_size=6).map(lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass"))


def _garbage_twcs():
    header = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    cell = st.one_of(st.text(max_size=12), st.sampled_from(["1", "2.0", "True", "False", "",
                                                            "Tue Oct 31 22:10:47 +0000 2017", '"', "\r"]))
    row = st.lists(cell, min_size=0, max_size=8).map(",".join)
    return st.lists(row, max_size=6).map(lambda rows: (header + "\n".join(rows)).encode("utf-8", "surrogatepass"))


def _garbage_care():
    turn = st.dictionaries(st.sampled_from(["client", "agent", "tweet_ID", "message", "datetime", "client_1"]),
                           _values(0), max_size=5)
    conversation = st.fixed_dictionaries({}, optional={"dialogHeader": st.one_of(_values(1), st.fixed_dictionaries(
        {"company": _values(0)})), "dialogContent": st.lists(turn, max_size=3), "agentURL": _values(1)})
    return st.one_of(st.lists(conversation, max_size=4).map(lambda c: json.dumps(c, default=str).encode()),
                     st.binary(max_size=80))


@bounded(1000)
@given(st.one_of(_garbage_jsonl(), _garbage_twcs(), _garbage_care(), st.binary(max_size=200)),
       st.sampled_from(sorted(READERS)))
def test_every_importer_accepts_or_names_the_row_and_the_problem(raw, fmt):
    try:
        batch = READERS[fmt](raw, None)
    except ImportFormatError as error:
        assert str(error).strip()
        return
    assert len(batch.mentions) + len(batch.replies) >= 0
    for rejected in batch.rejected:
        assert rejected.line >= 1 and rejected.reason.strip()
    for mention in batch.mentions:
        assert mention.external_id and mention.created_at.tzinfo is not None
