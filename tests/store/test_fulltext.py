"""The full-text prefilter: it never loses a mention the query matches (a superset, checked with
generated queries and texts in every script), it is kept whole by every writer of mention text, the
migration fills it for an existing database, and the pages show exactly what they showed without it.
Each on SQLite (FTS5) and on PostgreSQL (a tsvector column under GIN), and the pages of both agree.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monitor.cli.main import main
from monitor.mention import Author, Mention
from monitor.query.fold import word_class
from monitor.query.nodes import positive_texts
from monitor.query.parser import QuerySyntaxError, parse
from monitor.reports.counts import Filters, default_filters
from monitor.reports.overview import latest_mentions, overview, top_authors
from monitor.store import fulltext, fulltext_pg, schema
from monitor.store.engine import MIGRATIONS, make_engine, upgrade
from monitor.store.frames import mentions_frame
from monitor.store.ingest import ingest
from monitor.store.refresh import refresh_mentions
from monitor.trust import privacy
from tests.conftest import _postgres_database
from tests.query.test_parser import SEPARATORS, SPELLINGS, TERM_CHARS, TRICKY, _valid, post_text, query_text
from tests.seeded import seed_database

MENTION = schema.MentionRow.__table__
TZ = "Europe/Warsaw"
START = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


class Fts5Index:
    """A bare FTS5 index in memory (no mention table): what the translation and tokenizer find."""

    postgres = False

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        fulltext.create(connection)

    def found(self, query: str, texts: list[str]) -> set[int] | None:
        self.connection.exec_driver_sql(f"DELETE FROM {fulltext.TABLE}")
        fulltext.add(self.connection, list(range(1, len(texts) + 1)), texts)
        expression = fulltext.query_expression(query)
        if expression is None:
            return None
        return set(self.connection.exec_driver_sql(
            f"SELECT rowid FROM {fulltext.TABLE} WHERE {fulltext.TABLE} MATCH ?", (expression,)).scalars())


class PostgresIndex:
    """The PostgreSQL index's column in a temporary table: the same bodies, the same condition."""

    postgres = True

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        connection.exec_driver_sql("CREATE TEMP TABLE probe (id integer, search tsvector)")

    def found(self, query: str, texts: list[str]) -> set[int] | None:
        self.connection.exec_driver_sql("DELETE FROM probe")
        rows = list(enumerate(fulltext.bodies(texts, postgres=True), 1))
        self.connection.exec_driver_sql(f"INSERT INTO probe VALUES (%s, {fulltext_pg.vector('%s')})",
                                        [(i, body, body) for i, body in rows])
        expression = fulltext.query_expression(query, postgres=True)
        if expression is None:
            return None
        where = fulltext_pg.condition("probe", expression)
        return set(self.connection.execute(sa.select(sa.column("id")).select_from(sa.table("probe")).where(where))
                   .scalars())


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def index(request):
    """An index with no mention table behind it, on each database."""
    if request.param == "sqlite":
        engine, kind = sa.create_engine("sqlite://"), Fts5Index
    else:
        engine, kind = make_engine(request.getfixturevalue("postgres_server")), PostgresIndex
    with engine.connect() as connection:
        yield kind(connection)
    engine.dispose()


@pytest.fixture(scope="module")
def fts5():
    """The bare FTS5 index, for what only SQLite's tokenizer could get wrong."""
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        yield Fts5Index(connection)
    engine.dispose()


def found(index, query: str, texts: list[str]) -> list[bool]:
    """Which texts the index returns for `query` (all of them when it gives no constraint)."""
    hits = index.found(query, texts)
    return [hits is None or i in hits for i in range(1, len(texts) + 1)]


def assert_superset(index, query: str, texts: list[str]) -> None:
    exact = [parse(query).matches(text) for text in texts]
    narrowed = found(index, query, texts)
    lost = [text for text, hit, kept in zip(texts, exact, narrowed) if hit and not kept]
    assert not lost, (query, fulltext.query_expression(query, index.postgres), lost)


# --- translation and tokens ---------------------------------------------------------------------

@pytest.mark.parametrize(("query", "text"), [
    ('"nie dziala"', "Nie DZIAŁA!"),
    ('„nie działa”', "nie, działa"),           # punctuation between phrase words: still a candidate
    ("doesn't", "It doesn’t work"),
    ("doesn’t", "it DOESN'T"),
    ("λειτουργει", "Η εφαρμογή δεν λειτουργεί"),
    ("ΟΔΟΣ", "η οδός"),
    ("straße", "STRASSE 5"),
    ("dział*", "Już działają!"),
    ("e-mail", "send an E-Mail"),
    ('"acme shop"', "Acme, shop!"),          # a phrase across punctuation
    ('"acme, shop"', "acme,shop"),
    ("c'est", "C’est fini"),
    ("x_y", "x_y!"),
    ("@acme", "hey @Acme"),
    ("2024", "w 2024 r."),
    ("funcționează", "nu funcţionează"),
])
def test_words_are_found_across_languages_and_spellings(index, query, text) -> None:
    assert parse(query).matches(text), "the exact matcher finds it"
    assert found(index, query, [text]) == [True]


@pytest.mark.parametrize(("query", "text", "positional"), [
    ('"nie dziala"', "działa nie", True),            # order
    ('"nie dziala"', "nie bardzo działa", True),     # adjacency
    ("acme", "acmeapp", False),                       # whole words
    ("dział*", "rozdział", False),                    # a prefix, not a substring
    ("acme volta", "acme only", False),               # AND
    ('"nie dziala"', "nic tu nie ma", False),         # a phrase needs all its words
])
def test_the_index_narrows(index, query, text, positional) -> None:
    # PostgreSQL's index keeps no positions (see fulltext_pg): a phrase narrows to its words.
    assert found(index, query, [text]) == [positional and index.postgres]


@pytest.mark.parametrize(("query", "expression"), [
    ("acme", '"acme"'),
    ('"Nie  DZIAŁA!"', '"nie dziala"'),
    ("dział*", '"dzial"*'),
    ("e-mail", '"e mail"'),
    ("acme -spam lang:pl", '"acme"'),           # negations and fields constrain nothing
    ("acme OR lang:pl", None),                  # ... so an OR with one of them cannot narrow
    ("acme OR (volta -spam)", '("acme" OR "volta")'),
    ("acme (volta OR kawka*) NOT x", '("acme" AND ("volta" OR "kawka"*))'),
    ("lang:pl author:@acme", None),
    ("!!! acme", '"acme"'),                     # no word characters: no constraint of its own
    ("!!!", None),
])
def test_match_expressions(query, expression) -> None:
    assert fulltext.query_expression(query) == expression


@pytest.mark.parametrize(("query", "expression"), [
    ("acme", "'acme'"),
    ('"Nie  DZIAŁA!"', "('nie' & 'dziala')"),
    ("dział*", "'dzial':*"),
    ("doesn't", "('doesn' & 't')"),
    ("acme -spam lang:pl", "'acme'"),
    ("acme OR lang:pl", None),
    ("acme (volta OR kawka*) NOT x", "('acme' & ('volta' | 'kawka':*))"),
    ("x" * 201, "'" + "x" * 200 + "':*"),          # a word past a lexeme's length: a prefix of its cut
    ("!!!", None),
])
def test_tsquery_expressions(query, expression) -> None:
    assert fulltext.query_expression(query, postgres=True) == expression


def test_postgres_bodies_cut_long_words() -> None:
    assert fulltext.bodies(["Ab " + "x" * 300 + " c", "doesn’t"], postgres=True) == [
        "ab " + "x" * 200 + " c", "doesn t"]


def test_an_invalid_query_gives_no_expression_and_the_matcher_reports_it() -> None:
    assert fulltext.query_expression("acme AND (") is None
    with pytest.raises(QuerySyntaxError):
        parse("acme AND (")


def test_bodies_hold_words_and_single_spaces() -> None:
    assert fulltext.bodies(["Nie DZIAŁA!!  (znowu…) e-mail", None, "", "doesn’t"]) == [
        "nie dziala znowu e mail", "", "", "doesn t"]


# --- the promise: a superset of what the query matches --------------------------------------

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query_text, st.lists(post_text, min_size=1, max_size=6))
def test_every_matching_post_is_a_candidate(index, text: str, posts: list[str]) -> None:
    assert_superset(index, _valid(text).text, posts)


def _spelled(word: str) -> st.SearchStrategy[str]:
    """The word as posts write it: other case, other apostrophe, sometimes with a longer ending."""
    forms = [word, word.upper(), word.title(), word.replace("'", "’"), word.replace("ł", "l")]
    return st.tuples(st.sampled_from(forms), st.sampled_from(["", "", "", "ają", "s"])).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query_text, st.data())
def test_posts_made_of_the_querys_own_words_are_candidates(index, text: str, data) -> None:
    # Random posts rarely match a random query; these are built from its words, so most do.
    query = _valid(text)
    words = [word for node in positive_texts(query.root) for word in node.shown.strip('"*').split()]
    piece = st.one_of(st.sampled_from(words).flatmap(_spelled), SPELLINGS) if words else SPELLINGS
    post = st.lists(st.tuples(st.one_of(SEPARATORS, TRICKY), piece), max_size=8).map(
        lambda parts: "".join(a + b for a, b in parts))
    assert_superset(index, query.text, data.draw(st.lists(post, min_size=1, max_size=6)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(TERM_CHARS, min_size=1, max_size=5), min_size=1, max_size=3),
       st.booleans(), st.text(max_size=3), st.lists(st.text(max_size=3), min_size=3, max_size=3))
def test_any_phrase_in_any_script_is_a_candidate(index, words: list[str], wildcard: bool, noise: str,
                                                 gaps: list[str]) -> None:
    # Arbitrary characters (marks, digits, symbols, astral, unassigned), arbitrary separators.
    assume(not any(word in ("AND", "OR", "NOT") for word in words))
    query = words[0] + "*" if wildcard and len(words) == 1 else '"' + " ".join(words) + '"'
    try:
        parse(query)
    except QuerySyntaxError:
        assume(False)
    joined = "".join(word + gap for word, gap in zip(words, gaps))
    texts = [f"x {' '.join(words)} y", f"{noise}{joined}{noise}", joined + "tail", noise]
    assert_superset(index, query, texts)


def test_no_word_character_splits_a_token(fts5) -> None:
    """FTS5 cuts at spaces only, so no Unicode table of SQLite's can split one of our words.
    (PostgreSQL's lexemes are split by `string_to_array` at spaces: no table at all.)"""
    index = fts5.connection
    word = re.compile(word_class())
    letters = [chr(code) for code in range(0x20, 0x30000) if word.fullmatch(chr(code))]
    texts = ["q" + "".join(letters[i:i + 500]) + "q" for i in range(0, len(letters), 500)]
    index.exec_driver_sql(f"DELETE FROM {fulltext.TABLE}")
    index.exec_driver_sql(f"INSERT INTO {fulltext.TABLE}(rowid, body) VALUES (?, ?)", list(enumerate(texts, 1)))
    index.exec_driver_sql(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, "
                          f"{fulltext.TABLE}, 'instance')")
    tokens = dict(index.exec_driver_sql("SELECT doc, count(*) FROM temp.vocab GROUP BY doc").all())
    assert tokens == dict.fromkeys(range(1, len(texts) + 1), 1)


# --- a real database: writers keep the index whole ------------------------------------------

@pytest.fixture
def postgres_engine(postgres_server):
    engine = make_engine(_postgres_database(postgres_server))
    upgrade(engine)
    yield engine
    engine.dispose()


def mentions(texts: list[str], prefix: str = "m", author: str = "ola") -> list[Mention]:
    return [Mention("x", f"{prefix}{i}", text, START + timedelta(minutes=i), Author(author), lang="pl",
                    brand="Acme") for i, text in enumerate(texts)]


TEXTS = ["Acme nie działa!", "acme shop: e-mail nie dochodzi", "volta działa", "Nic tu nie ma",
         "@kasia_k acme, shop zamknięty", "acmeapp doesn’t start"]


def stored(engine, texts: list[str] = TEXTS, **kwargs) -> list[int]:
    return ingest(engine, mentions(texts, **kwargs)).inserted_ids


def search(engine, query: str) -> list[str]:
    return sorted(mentions_frame(engine, ("text",), query=query)["text"].to_list())


def candidate_ids(engine, query: str) -> set[int] | None:
    with engine.connect() as connection:
        statement = fulltext.candidates(connection, query)
        return None if statement is None else set(connection.execute(statement).scalars())


def test_ingested_mentions_are_searchable(engine) -> None:
    ids = stored(engine)
    with engine.connect() as connection:
        assert fulltext.consistent(connection)
    assert search(engine, '"nie dziala" OR acme*') == sorted(
        [TEXTS[0], TEXTS[1], TEXTS[4], TEXTS[5]])
    assert candidate_ids(engine, '"nie dziala"') == {ids[0]}
    assert candidate_ids(engine, "dział*") == {ids[0], ids[2]}


def test_ingest_indexes_what_it_inserts(engine) -> None:
    ingest(engine, mentions(TEXTS))
    ingest(engine, mentions(TEXTS + ["one more"]))  # duplicates skipped, one new row indexed
    with engine.connect() as connection:
        assert fulltext.consistent(connection)
    assert len(candidate_ids(engine, '"one more"')) == 1


def test_an_edit_seen_on_the_network_is_reindexed(engine) -> None:
    ids = ingest(engine, mentions(TEXTS)).inserted_ids
    edited = mentions(TEXTS)[:1]
    refresh_mentions(engine, [replace(edited[0], text="teraz już chodzi")], [])
    with engine.connect() as connection:
        assert fulltext.consistent(connection)
    assert candidate_ids(engine, "chodzi") == {ids[0]}
    assert search(engine, "chodzi") == ["teraz już chodzi"]
    assert search(engine, '"nie dziala"') == []


def test_replace_follows_a_changed_text(engine) -> None:
    ids = stored(engine)
    with engine.begin() as connection:
        connection.execute(MENTION.update().where(MENTION.c.id == ids[3]).values(text="Acme wreszcie działa"))
        fulltext.replace(connection, {ids[3]: "Acme wreszcie działa"})
        assert fulltext.consistent(connection)
    assert "Acme wreszcie działa" in search(engine, "wreszcie")
    assert search(engine, '"nic tu"') == []


def test_deleted_mentions_leave_the_index(engine) -> None:
    ids = stored(engine)
    with engine.begin() as connection:
        counts = privacy.delete_mentions(connection, ids[:2])
        assert counts["mentions"] == 2 and fulltext.consistent(connection)
    assert candidate_ids(engine, "acme") == {ids[4]}
    assert search(engine, "acme") == [TEXTS[4]]


def _index_dump(connection: sa.Connection) -> str:
    """Everything the index holds, as text: FTS5's tables, or PostgreSQL's `search` column (whose
    dead row versions leave at VACUUM, as the erased rows' text does)."""
    if connection.dialect.name == "postgresql":
        return str(connection.exec_driver_sql("SELECT search::text FROM mention").all())
    names = ("mention_fts", "mention_fts_data", "mention_fts_content", "mention_fts_idx")
    return str([connection.exec_driver_sql(f"SELECT * FROM {name}").all() for name in names])


def test_erasure_leaves_no_trace_in_the_index(engine) -> None:
    stored(engine, ["@kasia_k acme nie działa", "acme kasia_k też"], prefix="k", author="kasia_k")
    stored(engine, ["@kasia_k pomóż, acme milczy", "volta ok"], prefix="o")
    privacy.erase_author(engine, "kasia_k")
    with engine.connect() as connection:
        assert fulltext.consistent(connection)
        assert "kasia" not in _index_dump(connection).lower()
    assert candidate_ids(engine, "kasia_k") == set()
    assert search(engine, "milczy") == ["@[erased] pomóż, acme milczy"]


def test_rebuild_repairs_an_index_written_past(sqlite_engine) -> None:
    stored(sqlite_engine)
    with sqlite_engine.begin() as connection:  # a writer that does not know the index
        connection.execute(MENTION.insert().values(source="x", external_id="raw", author_handle="a", text="acme raw",
                                                   created_at=START, collected_at=START, status="open", matched=[]))
        assert not fulltext.consistent(connection)
    assert candidate_ids(sqlite_engine, "acme") is None  # a stale index is not trusted ...
    assert "acme raw" in search(sqlite_engine, "acme")  # ... so nothing is lost
    with sqlite_engine.begin() as connection:
        assert fulltext.rebuild(connection) == len(TEXTS) + 1
        assert fulltext.consistent(connection)
    assert candidate_ids(sqlite_engine, "raw") is not None


def test_the_migration_fills_the_index_of_an_existing_database(engine) -> None:
    from alembic import command
    from alembic.config import Config

    ids = stored(engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006" if engine.dialect.name == "sqlite" else "0008")
    with engine.connect() as connection:
        assert not fulltext.exists(connection)
    assert candidate_ids(engine, '"nie dziala"') is None
    assert search(engine, '"nie dziala"') == [TEXTS[0]]  # no index: the old path
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with engine.connect() as connection:
        assert fulltext.consistent(connection)
    assert candidate_ids(engine, '"nie dziala"') == {ids[0]}
    assert candidate_ids(engine, "acme*") == {ids[0], ids[1], ids[4], ids[5]}


@pytest.mark.postgres
def test_postgres_rows_written_past_the_index_stay_candidates(postgres_engine) -> None:
    ids = stored(postgres_engine)
    with postgres_engine.begin() as connection:  # writers that do not know the index
        connection.execute(MENTION.insert().values(source="x", external_id="raw", author_handle="a", text="acme raw",
                                                   created_at=START, collected_at=START, status="open", matched=[]))
        connection.execute(MENTION.update().where(MENTION.c.id == ids[2]).values(text="volta teraz milczy"))
        assert not fulltext.consistent(connection)
    raw = ids[-1] + 1
    assert candidate_ids(postgres_engine, "milczy") == {ids[2], raw}  # unindexed: always candidates
    assert search(postgres_engine, "milczy") == ["volta teraz milczy"]
    assert "acme raw" in search(postgres_engine, "acme")
    with postgres_engine.begin() as connection:
        assert fulltext.rebuild(connection) == len(TEXTS) + 1
        assert fulltext.consistent(connection)
    assert candidate_ids(postgres_engine, "milczy") == {ids[2]}
    assert candidate_ids(postgres_engine, "raw") == {raw}


@pytest.mark.postgres
def test_postgres_long_words_and_a_huge_text(postgres_engine) -> None:
    long_word, huge = "x" * 3000, "acme " + " ".join(f"w{i}" for i in range(200_000))  # > 1 MB of body
    ids = stored(postgres_engine, [f"a {long_word} b", huge, "acme"])
    unindexable = ids[1]  # too big for a tsvector: a candidate always
    assert candidate_ids(postgres_engine, long_word) == {ids[0], unindexable}
    assert candidate_ids(postgres_engine, "x" * 250 + "*") == {ids[0], unindexable}
    assert candidate_ids(postgres_engine, "b") == {ids[0], unindexable}
    assert search(postgres_engine, "acme") == sorted(["acme", huge])


# --- the pages: the same answers with and without the index ------------------------------------

QUERIES = ["acme", '"nie działa" OR delivery*', "dział* OR dziala*", "acme -spam lang:pl",
           '"acme shop" OR volta', "kawka (latte OR cappuccino)", "lang:pl acme*", "NOT acme volta",
           "refund OR zwrot OR remboursement OR rimborso", "doesn't OR c’est OR n'est", "λειτουργ* OR straße",
           "#acme OR @volta*"]
RARE = "zamówienie*"


def _demo_engine(kind: str, request, tmp_path_factory) -> sa.Engine:
    """The dashboard tests' demo data set (3,000 mentions), indexed by ingest."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fts') / 'demo.db'}"
    else:
        url = _postgres_database(request.getfixturevalue("postgres_server"))
    seed_database(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert fulltext.consistent(connection)
    return engine


@pytest.fixture(scope="module")
def sqlite_demo(request, tmp_path_factory):
    engine = _demo_engine("sqlite", request, tmp_path_factory)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def postgres_demo(request, tmp_path_factory):
    engine = _demo_engine("postgres", request, tmp_path_factory)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo(request):
    return request.getfixturevalue(f"{request.param}_demo")


def _pages(engine, filters: Filters) -> dict[str, object]:
    seen = overview(engine, filters, TZ)
    return {"overview": (seen.total, seen.pending, seen.timeline, seen.by_source, seen.by_lang, seen.by_brand),
            "authors": top_authors(engine, filters).rows(),
            "latest": latest_mentions(engine, filters).rows(),  # scans the whole period: see the next test
            "search": mentions_frame(engine, query=filters.query).rows()}


def _same(left: object, right: object) -> bool:
    """Equal values; the overview's breakdowns in any row order (ties are unordered there)."""
    if isinstance(left, pl.DataFrame):
        return left.sort(left.columns).equals(right.sort(right.columns))
    if isinstance(left, tuple):
        return all(_same(a, b) for a, b in zip(left, right, strict=True))
    return left == right


@pytest.mark.parametrize("query", QUERIES)
def test_pages_show_the_same_with_and_without_the_index(demo, monkeypatch, query) -> None:
    filters = replace(default_filters(demo, weeks=8), query=query)
    narrowed = candidate_ids(demo, query)
    with_index = _pages(demo, filters)
    monkeypatch.setattr(fulltext, "condition", lambda connection, query, ids: None)
    without = _pages(demo, filters)
    assert with_index.keys() == without.keys()
    for name in with_index:
        assert _same(with_index[name], without[name]), name
    assert with_index["search"], "the query finds something"
    assert narrowed is not None and len(narrowed) < 3000, "the index really narrowed"


@pytest.mark.postgres
@pytest.mark.parametrize("query", QUERIES)
def test_postgres_pages_show_what_sqlite_pages_show(sqlite_demo, postgres_demo, query) -> None:
    """The same data set in both databases, each narrowed by its own index: the same answers."""
    pages = [_pages(engine, replace(default_filters(engine, weeks=8), query=query))
             for engine in (sqlite_demo, postgres_demo)]
    for name in pages[0]:
        assert _same(pages[0][name], pages[1][name]), name


def test_a_rare_query_fills_the_latest_list(demo, monkeypatch) -> None:
    filters = replace(default_filters(demo, weeks=8), query=RARE)
    everything = mentions_frame(demo, ("created_at",), query=filters.query, since=filters.since,
                                until=filters.until)
    newest = everything["created_at"].sort(descending=True).head(20).to_list()
    latest = latest_mentions(demo, filters, limit=20, scan=50)
    assert len(newest) == 20 and latest["created_at"].to_list() == newest
    monkeypatch.setattr(fulltext, "condition", lambda connection, query, ids: None)
    assert latest_mentions(demo, filters, limit=20, scan=50).height < 20  # what it showed before


def test_a_refused_expression_falls_back_with_a_warning(demo, monkeypatch, caplog) -> None:
    filters = replace(default_filters(demo), query="acme")
    expected = overview(demo, filters, TZ).total
    refused = "'unclosed" if demo.dialect.name == "postgresql" else '"unclosed'
    monkeypatch.setattr(fulltext, "query_expression", lambda query, postgres=False: refused)
    with caplog.at_level(logging.WARNING, logger="monitor.store.fulltext"):
        assert overview(demo, filters, TZ).total == expected
    assert "refused" in caplog.text


def test_cli_search_count_is_unchanged(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("NASLUCH_DB", raising=False)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    seed_database(db, mentions=600)
    engine = make_engine(db)
    with engine.begin() as connection:
        fulltext.rebuild(connection)
    engine.dispose()

    def count(query: str) -> int:
        assert main(["--config", "config.yaml", "--db", db, "search", query, "--count", "--json"]) == 0
        return json.loads(capsys.readouterr().out)["count"]

    narrowed = {query: count(query) for query in QUERIES[:4]}
    monkeypatch.setattr(fulltext, "condition", lambda connection, query, ids: None)
    assert {query: count(query) for query in QUERIES[:4]} == narrowed
    assert narrowed["acme"] > 0
