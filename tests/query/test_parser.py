"""The query language: every construct in every language, precedence, errors with exact positions,
and the promise that one post (Python) and a batch (polars) are matched the same way."""
from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monitor.query.fold import fold_expr
from monitor.query.parser import BrandMatcher, Query, QuerySyntaxError, parse


def polars_matches(query: Query, rows: list[dict]) -> list[bool]:
    """`query.expr()` the way storage runs it: `_folded` computed once, then the expression."""
    frame = pl.DataFrame(rows, schema=FRAME_SCHEMA)
    folded = frame.with_columns(fold_expr(pl.col("text")).alias("_folded"))
    return folded.select(query.expr()).to_series().to_list()


FRAME_SCHEMA = {"text": pl.String, "lang": pl.String, "source": pl.String, "author_handle": pl.String}


def row(text: str, lang: str | None = None, source: str | None = None, author: str | None = None) -> dict:
    return {"text": text, "lang": lang, "source": source, "author_handle": author}


def assert_both(query_text: str, text: str, expected: bool, **fields: str | None) -> None:
    """Check a case in Python and in polars, so every table row also tests the two agree."""
    query = parse(query_text)
    assert query.matches(text, **fields) is expected, "Python"
    author = fields.pop("author", None)
    assert polars_matches(query, [row(text, author=author, **fields)]) == [expected], "polars"


WORDS = [
    # word boundaries
    ("acme", "Acme!", True),
    ("acme", "@acme", True),
    ("acme", "#acme", True),
    ("acme", "(acme)", True),
    ("acme", "acme", True),
    ("acme", "ACME\nrocks", True),
    ("acme", "acme's shop", True),
    ("acme", "acme🔥", True),
    ("acme", "acmeapp", False),
    ("acme", "superacme", False),
    ("acme", "acme_corp", False),
    ("acme", "acme2", False),
    ("acme", "", False),
    ("acme*", "acmeapp", True),
    ("acme*", "Acme", True),
    ("acme*", "superacme", False),
    ("@acme", "hi @Acme!", True),
    ("@acme", "hi acme", False),
    ("@acme", "me@acme.com", False),
    ("#acme", "#Acme rocks", True),
    ("#acme", "#acmeapp", False),
    ("c++", "I love C++!", True),
    ("c++", "I love c", False),
    ("e-mail", "E-Mail me", True),
    ("e-mail", "e mail", False),
    ("http://acme.com", "see http://acme.com/help", True),  # "http" is no field, so a term
    ("ＡＣＭＥ", "acme", True),
    ("acme", "𝐀𝐂𝐌𝐄 is down", True),
    # phrases: any run of spaces or punctuation between the words
    ('"acme shop"', "the ACME   shop", True),
    ('"acme shop"', "acme-shop", True),
    ('"acme shop"', "acme, shop", True),
    ('"acme shop"', "acmeshop", False),
    ('"acme shop"', "acme shopping", False),
    ('"acme shop"', "shop acme", False),
    ('"acme, shop"', "acme,shop", True),
    ('"acme*"', "acmeapp", False),  # no wildcard inside quotes
    ('"acme*"', "acme* deals", True),
    ("„acme shop”", "acme shop", True),
    ("“acme shop”", "acme shop", True),
    # Polish
    ('"nie dziala"', "Nie   DZIAŁA.", True),
    ('"nie działa"', "nie dziala", True),
    ("dział*", "Działają!", True),
    ("dział*", "rozdział", False),
    ("działa", "działają", False),
    ("zażółć", "ZAZOLC", True),
    ("łódź", "Lodz", True),
    # Romanian: comma-below and cedilla spellings
    ("funcționează", "FUNCTIONEAZA", True),
    ("funcţionează", "funcționează", True),
    ("țară", "Ţară", True),
    # Greek
    ('"δεν λειτουργεί"', "Δεν ΛΕΙΤΟΥΡΓΕΊ!", True),
    ("οδός", "ΟΔΟΣ", True),
    ("οδος", "στην οδό οδός.", True),
    ("λειτουργ*", "λειτουργεί", True),
    ("εφαρμογή", "εφαρμογές", False),
    # German
    ("straße", "STRASSE", True),
    ("strasse", "Straße", True),
    ("über", "UBER", True),
    ("grüße", "GRÜSSE", True),
    # French, Spanish, Italian
    ("ça", "ca marche pas", True),
    ('"ne marche pas"', "Ne marche pas...", True),
    ("oeuvre", "Œuvre", True),
    ("aplicación", "APLICACION", True),
    ("señor", "senor", True),
    ("funciona", "¿funciona?", True),
    ("perché", "perche", True),
    ("più", "PIU'", True),
    # apostrophes
    ('"doesn\'t work"', "doesn’t work", True),
    ("doesn’t", "DOESN'T", True),
    ("doesn't", "doesn`t", True),
    ("doesn't", "doesn´t", True),
    ("doesn't", "doesnt", False),
    ("c'est", "C’est nul", True),
    # lower-case or/and are plain words
    ("acme or volta", "acme", False),
    ("acme or volta", "acme or volta", True),
    ("acme and volta", "acme volta", False),
]


@pytest.mark.parametrize(("query", "text", "expected"), WORDS)
def test_terms_and_phrases(query: str, text: str, expected: bool) -> None:
    assert_both(query, text, expected)


PRECEDENCE = [
    ("a OR b c", "a", True),
    ("a OR b c", "b", False),
    ("a OR b c", "c b", True),
    ("a b OR c", "c", True),
    ("a b OR c", "a", False),
    ("a AND b OR c", "c", True),
    ("a AND b", "b a", True),
    ("a AND b", "a", False),
    ("NOT x b", "b", True),
    ("NOT x b", "x b", False),
    ("a (b OR c)", "a c", True),
    ("a (b OR c)", "c", False),
    ("a -b OR c", "a b", False),
    ("a -b OR c", "c b", True),
    ("a AND NOT b", "a", True),
    ("a AND NOT b", "a b", False),
    ("NOT (a OR b) c", "c", True),
    ("NOT (a OR b) c", "a c", False),
    ("a -(b c)", "a b", True),
    ("a -(b c)", "a c b", False),
    ("NOT NOT a", "a", True),
    ("a --b", "a b", True),
    ("a --b", "a", False),
    ('a -"b c"', "a c b", True),
    ('a -"b c"', "a b c", False),
]


@pytest.mark.parametrize(("query", "text", "expected"), PRECEDENCE)
def test_precedence_not_binds_tighter_than_and_than_or(query: str, text: str, expected: bool) -> None:
    assert_both(query, text, expected)


FIELDS = [
    ("acme lang:pl", {"lang": "pl"}, True),
    ("acme lang:pl", {"lang": "PL"}, True),
    ("acme LANG:PL", {"lang": "pl"}, True),
    ("acme lang:pl", {"lang": "en"}, False),
    ("acme lang:pl", {"lang": None}, False),
    ("acme -lang:pl", {"lang": None}, True),
    ("acme -lang:pl", {"lang": "pl"}, False),
    ("acme (lang:pl OR lang:ro)", {"lang": "ro"}, True),
    ("acme source:Reddit", {"source": "reddit"}, True),
    ("acme source:reddit", {"source": "x"}, False),
    ("acme -source:rss", {"source": None}, True),
    ("author:@AcmeSupport", {"author": "acmesupport"}, True),
    ("author:acmesupport", {"author": "@AcmeSupport"}, True),
    ("author:acmesupport", {"author": "acmesupport2"}, False),
    ("author:acmesupport", {"author": None}, False),
    ("acme -author:acmesupport", {"author": "@ACMESUPPORT"}, False),
]


@pytest.mark.parametrize(("query", "fields", "expected"), FIELDS)
def test_field_filters(query: str, fields: dict, expected: bool) -> None:
    assert_both(query, "Acme is down", expected, **fields)


ERRORS = [
    ("", 0, "empty query"),
    ("   ", 0, "empty query"),
    ("acme)", 4, 'unexpected ")" at position 4'),
    ("(acme OR volta)) x", 15, 'unexpected ")" at position 15'),
    ("()", 1, 'unexpected ")" at position 1'),
    (') "abc', 0, 'unexpected ")" at position 0'),  # the leftmost mistake wins
    ('acme "nie działa', 5, "unclosed quote starting at position 5"),
    ("acme „nie działa", 5, "unclosed quote starting at position 5"),
    ("(acme", 0, "unclosed parenthesis starting at position 0"),
    ("acme (volta OR (x)", 5, "unclosed parenthesis starting at position 5"),
    ("acme OR", 7, "expected a term"),
    ("acme AND", 8, "expected a term"),
    ("NOT", 3, "expected a term"),
    ("OR acme", 0, 'unexpected "OR" at position 0'),
    ("acme OR OR volta", 8, 'unexpected "OR" at position 8'),
    ("acme AND OR x", 9, 'unexpected "OR" at position 9'),
    ("AND", 0, 'unexpected "AND" at position 0'),
    ("*", 0, 'a wildcard "*" needs a word before it'),
    ("acme *", 5, 'a wildcard "*" needs a word before it'),
    ("ac*me", 2, '"*" is only allowed at the end of a term at position 2'),
    ("*acme", 0, '"*" is only allowed at the end of a term'),
    ("acme**", 4, '"*" is only allowed at the end of a term'),
    ("-spam", 0, "a query needs at least one positive term"),
    ("NOT spam", 0, "a query needs at least one positive term"),
    ("-lang:pl", 0, "a query needs at least one positive term"),
    ("acme OR -spam", 8, "a query needs at least one positive term"),
    ("(acme OR -x) OR volta", 9, "a query needs at least one positive term"),
    ("acme -", 5, 'nothing to exclude after "-" at position 5'),
    ("acme - volta", 5, 'nothing to exclude after "-"'),
    ("(acme -)", 6, 'nothing to exclude after "-"'),
    ("lang:", 5, 'missing value after "lang:" at position 5'),
    ("acme author:@", 12, 'missing value after "author:"'),
    ('""', 0, "empty phrase at position 0"),
    ('acme "   "', 5, "empty phrase"),
    ("acme \u0301", 5, "has no letters"),
    ("(" * 65 + "a" + ")" * 65, 64, "nested more than 64 deep"),
    ("NOT " * 65 + "a", 256, "nested more than 64 deep"),
    ("(" * 5000, 64, "nested more than 64 deep"),  # a QuerySyntaxError, not a RecursionError
]


@pytest.mark.parametrize(("query", "position", "message"), ERRORS)
def test_errors_name_the_position(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert caught.value.position == position
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ('acme OR "acme shop"', ["acme", '"acme shop"']),
        ('"nie działa" (acme OR acmeapp)', ['"nie działa"', "acme", "acmeapp"]),
        ("dział* -spam lang:pl", ["dział*"]),
        ("„nie działa” Acme", ['"nie działa"', "Acme"]),
        ('acme NOT (spam OR "free money") -author:bot', ["acme"]),
        ("acme acme OR acme", ["acme"]),
        ("NOT NOT acme", ["acme"]),
        ("@acme #acme", ["@acme", "#acme"]),
        ("lang:pl", []),
    ],
)
def test_search_terms_are_the_positive_words_as_written(query: str, terms: list[str]) -> None:
    assert parse(query).search_terms() == terms


def test_a_field_filter_alone_is_a_positive_query() -> None:
    assert parse("author:acmesupport").matches("anything", author="AcmeSupport")


# --- BrandMatcher -------------------------------------------------------------------------

BRANDS = {
    "Acme": ['acme OR "acme shop"', '"nie działa" (acme OR acmeapp)'],
    "Volta": ["volta", "acme volta lang:pl"],
}


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=FRAME_SCHEMA)


def test_match_frame_first_brand_in_config_order_and_every_query() -> None:
    posts = frame(
        row("Acme nie DZIAŁA, volta też", "pl"),
        row("volta only", "en"),
        row("acmeapp nie działa", None),
        row("nothing here", "pl"),
    )
    out = BrandMatcher(BRANDS).match_frame(posts)
    assert out["brand"].to_list() == ["Acme", "Volta", "Acme", None]
    assert out["matched"].to_list() == [
        ['Acme: acme OR "acme shop"', 'Acme: "nie działa" (acme OR acmeapp)', "Volta: volta",
         "Volta: acme volta lang:pl"],
        ["Volta: volta"],
        ['Acme: "nie działa" (acme OR acmeapp)'],
        [],
    ]
    assert out.schema["brand"] == pl.String and out.schema["matched"] == pl.List(pl.String)
    assert out.drop("brand", "matched").equals(posts)


def test_brand_order_follows_the_config_not_the_alphabet() -> None:
    matcher = BrandMatcher({"Volta": ["volta"], "Acme": ["acme"]})
    assert matcher.match_frame(frame(row("acme and volta")))["brand"].to_list() == ["Volta"]


def test_match_frame_replaces_an_existing_brand_column_and_keeps_others() -> None:
    posts = frame(row("volta"), row("acme")).with_columns(
        brand=pl.lit("stale"), id=pl.Series([7, 8])
    )
    out = BrandMatcher(BRANDS).match_frame(posts)
    assert out["brand"].to_list() == ["Volta", "Acme"] and out["id"].to_list() == [7, 8]
    assert out.columns == ["text", "lang", "source", "author_handle", "id", "brand", "matched"]


def test_match_frame_on_an_empty_batch_and_with_no_brands() -> None:
    empty = BrandMatcher(BRANDS).match_frame(frame())
    assert empty.height == 0 and empty.schema["matched"] == pl.List(pl.String)
    none = BrandMatcher({}).match_frame(frame(row("acme")))
    assert none["brand"].to_list() == [None] and none["matched"].to_list() == [[]]
    assert BrandMatcher(BRANDS).match_lists(frame()) == ([], [])
    assert BrandMatcher({}).match_lists(frame(row("acme"), row("volta"))) == ([None, None], [[], []])


def test_more_queries_than_one_bit_mask_holds() -> None:
    # 70 queries spill into a second Int64 mask column; the last ones must still be reported.
    matcher = BrandMatcher({"Many": [f"word{i}" for i in range(70)], "Late": ["word69"]})
    out = matcher.match_frame(frame(row("word1 word69"), row("word65")))
    assert out["matched"].to_list() == [
        ["Many: word1", "Many: word69", "Late: word69"],
        ["Many: word65"],
    ]
    assert out["brand"].to_list() == ["Many", "Many"]


def test_match_one_is_match_frame_for_one_post() -> None:
    matcher = BrandMatcher(BRANDS)
    assert matcher.match_one("ACME volta", lang="PL") == [
        'Acme: acme OR "acme shop"', "Volta: volta", "Volta: acme volta lang:pl"
    ]
    assert matcher.match_one("ACME volta") == ['Acme: acme OR "acme shop"', "Volta: volta"]
    assert matcher.match_one("nic") == []


def test_brand_query_errors_name_brand_and_index() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        BrandMatcher({"Acme": ["acme"], "Volta": ["volta", "(volta OR"]})
    message = str(caught.value)
    assert "'Volta'" in message and "queries[1]" in message and "'(volta OR'" in message
    assert caught.value.position == 9


# --- properties ---------------------------------------------------------------------------

QUERY_PIECES = ["(", ")", '"', "„", "”", "-", "*", "AND", "OR", "NOT", "lang:", "author:", "@", ":",
                "acme", "dział", "ΟΔΟΣ", "\u0301", "´", " ", " ", "  "]


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(QUERY_PIECES), max_size=25).map("".join)))
def test_parse_raises_only_query_syntax_errors_with_a_position_inside_the_text(text: str) -> None:
    try:
        parse(text)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(text)


VOCABULARY = ["acme", "acmeapp", "działa", "nie", "dziala", "λειτουργεί", "οδός", "straße",
              "funcționează", "doesn't", "c'est", "volta", "spam", "e-mail", "x_y", "2024"]
SPELLINGS = st.sampled_from(VOCABULARY).flatmap(
    lambda word: st.sampled_from([word, word.upper(), word.title(), word.replace("'", "’"),
                                  word.replace("ł", "l").replace("ß", "ss").replace("ț", "ţ")])
)
SEPARATORS = st.sampled_from([" ", "  ", ", ", "\n", "-", "!", "@", "#", "’", "", ".", " (", "🔥"])


def _term(word: str, prefix: str, star: bool) -> str:
    return prefix + word + ("*" if star else "")


leaf = st.one_of(
    st.builds(_term, SPELLINGS, st.sampled_from(["", "", "@", "#"]), st.booleans()),
    st.lists(SPELLINGS, min_size=1, max_size=3).map(lambda words: '"' + " ".join(words) + '"'),
    st.sampled_from(["lang:pl", "lang:EN", "source:reddit", "author:@AcmeSupport", "author:volta"]),
)
query_text = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(" ".join),
        st.tuples(inner, inner).map(" AND ".join),
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]} OR {pair[1]})"),
        inner.map(lambda q: f"-({q})"),
        inner.map(lambda q: f"NOT {q}"),
    ),
    max_leaves=6,
)
# Characters on which `\w` differs between Python `re` and Rust `regex` (zero-width joiner, a spacing
# mark, a connector, a Tibetan half-number) or that folding removes (a combining acute).
TRICKY = st.sampled_from(["\u200d", "\u093e", "\u203f", "\u0f2a", "\u0301"])
post_text = st.one_of(
    st.lists(st.tuples(st.one_of(SEPARATORS, TRICKY), SPELLINGS), max_size=8).map(
        lambda parts: "".join(a + b for a, b in parts)
    ),
    st.text(max_size=30),
)
post_row = st.builds(
    row,
    post_text,
    st.sampled_from([None, "pl", "PL", "en"]),
    st.sampled_from([None, "reddit", "Reddit", "x"]),
    st.sampled_from([None, "acmesupport", "@AcmeSupport", "volta", "σ"]),
)


def _valid(text: str) -> Query:
    """Generated queries are well formed; a wholly negative one gets a positive term in front."""
    try:
        return parse(text)
    except QuerySyntaxError as error:
        assert "positive term" in str(error), (text, error)
        return parse(f"acme ({text})")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query_text, st.lists(post_row, min_size=1, max_size=6))
def test_python_and_polars_match_the_same_posts(text: str, rows: list[dict]) -> None:
    query = _valid(text)
    in_python = [
        query.matches(r["text"], lang=r["lang"], source=r["source"], author=r["author_handle"])
        for r in rows
    ]
    assert polars_matches(query, rows) == in_python


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(query_text, min_size=1, max_size=4), st.lists(post_row, min_size=1, max_size=6))
def test_match_frame_agrees_with_match_one(texts: list[str], rows: list[dict]) -> None:
    brands = {f"B{i % 2}": [] for i in range(len(texts))}
    for i, text in enumerate(texts):
        brands[f"B{i % 2}"].append(_valid(text).text)
    matcher = BrandMatcher(brands)
    out = matcher.match_frame(pl.DataFrame(rows, schema=FRAME_SCHEMA))
    expected = [matcher.match_one(r["text"], r["lang"], r["source"], r["author_handle"]) for r in rows]
    assert out["matched"].to_list() == expected
    assert out["brand"].to_list() == [labels[0].split(":")[0] if labels else None for labels in expected]
    # ingest's list form says the same, row for row
    assert matcher.match_lists(pl.DataFrame(rows, schema=FRAME_SCHEMA)) == (out["brand"].to_list(), expected)


@settings(max_examples=300, deadline=None)
@given(SPELLINGS, SEPARATORS, SEPARATORS)
def test_a_word_is_found_wherever_it_stands_alone(word: str, before: str, after: str) -> None:
    # Separators here are never word characters, so the word stands alone unless glued to the
    # neighbouring filler letters by an empty separator.
    text = f"xx{before}{word}{after}yy"
    expected = before != "" and after != ""
    assert parse(word).matches(text) is expected


TERM_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters='()"„“*:-').filter(
    lambda char: not char.isspace()
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(TERM_CHARS, min_size=1, max_size=6), st.text(TERM_CHARS, max_size=3))
def test_any_term_is_matched_literally_by_both_engines(term: str, noise: str) -> None:
    # Regex metacharacters of either dialect ("{", "&", "~", "\\" ...) must be escaped, and
    # escaped the same way for Python `re` and Rust `regex`.
    assume(term not in ("AND", "OR", "NOT"))
    try:
        query = parse(term)
    except QuerySyntaxError as error:
        assume("no letters" not in str(error))
        raise
    texts = [f"x {term} y", f"{noise}{term}{noise}", noise, f"x {term}{term} y"]
    in_python = [query.matches(text) for text in texts]
    assert in_python[0], "a term standing between spaces is always found"
    assert polars_matches(query, [row(text) for text in texts]) == in_python
