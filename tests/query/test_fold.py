"""Folding: what a query and a post are compared as, in every language we listen in, and the
promise that Python (one post) and polars (a batch) fold every text identically."""
from __future__ import annotations

import re
import unicodedata

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.query.fold import APOSTROPHES, LETTERS, fold, fold_expr, lower, lower_expr, word_class

FOLDS = [
    # Polish
    ("Nie DZIAŁA", "nie dziala"),
    ("Zażółć gęślą jaźń", "zazolc gesla jazn"),
    ("ŁÓDŹ", "lodz"),
    # Romanian: comma-below and the older cedilla forms fold alike
    ("Aplicația nu funcționează", "aplicatia nu functioneaza"),
    ("ȘȚșț ŞŢşţ", "stst stst"),
    # Greek: tonos, dialytika, final sigma
    ("Δεν ΛΕΙΤΟΥΡΓΕΊ", "δεν λειτουργει"),
    ("ΟΔΟΣ οδός", "οδοσ οδοσ"),
    ("ΐ Ϊ ΰ", "ι ι υ"),
    # German
    ("Straße GRÜSSE ẞ", "strasse grusse ss"),
    ("Ärger Öl Über", "arger ol uber"),
    # French, Spanish, Italian
    ("Ça ne marche pas, c’est nul", "ca ne marche pas, c'est nul"),
    ("Œuvre naïve élève", "oeuvre naive eleve"),
    ("¿Por qué no funciona la aplicación, Señor?", "¿por que no funciona la aplicacion, senor?"),
    ("perché non funziona più", "perche non funziona piu"),
    # letters that do not decompose
    ("Ærø Øst Đakovo KIRMIZI ılık", "aero ost dakovo kirmizi ilik"),
    # compatibility forms people paste from fancy-text generators
    ("ＡＣＭＥ 𝐀𝐜𝐦𝐞 ﬁx ①", "acme acme fix 1"),
    # left alone: emoji, controls, CJK, Hangul syllables, ASCII punctuation
    ("👍🏽 \x00\x07\t中文 한국 a_b-c.d", "👍🏽 \x00\x07\t中文 한국 a_b-c.d"),
]


@pytest.mark.parametrize(("text", "folded"), FOLDS)
def test_fold_in_every_language(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert polars_fold([text]) == [folded]


@pytest.mark.parametrize("apostrophe", list(APOSTROPHES))
def test_every_apostrophe_style_becomes_ascii(apostrophe: str) -> None:
    assert fold(f"DOESN{apostrophe}T") == "doesn't"
    assert polars_fold([f"doesn{apostrophe}t"]) == ["doesn't"]


def test_null_text_stays_null_in_polars() -> None:
    assert polars_fold(["Acme", None]) == ["acme", None]


@pytest.mark.parametrize(
    ("char", "is_word"),
    [("a", True), ("ł", True), ("σ", True), ("7", True), ("_", True), ("中", True),
     ("ा", True),  # Devanagari vowel sign (Mc): part of a word, as in Rust's \w
     ("'", False), ("-", False), ("@", False), ("#", False), (" ", False), ("\n", False),
     ("👍", False), ("\u200d", False)],  # zero-width joiner: \w in Rust, not in Python
)
def test_word_class_in_both_engines(char: str, is_word: bool) -> None:
    assert (re.fullmatch(word_class(), char) is not None) is is_word
    found = pl.select(pl.lit(char).str.contains(f"^{word_class()}$")).item()
    assert found is is_word


def polars_fold(texts: list[str | None]) -> list[str | None]:
    return pl.DataFrame({"text": texts}, schema={"text": pl.String}).select(
        fold_expr(pl.col("text"))
    ).to_series().to_list()


def spelled_out_fold(text: str) -> str:
    """The definition, applied to the whole string at once: ´ first, NFKD, no Mn, lower, map."""
    decomposed = unicodedata.normalize("NFKD", text.replace("´", "'"))
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return bare.lower().translate(str.maketrans({**LETTERS, **dict.fromkeys(APOSTROPHES, "'")}))


def _per_character_safe(char: str) -> bool:
    """Characters where folding one at a time provably equals the whole-string chain (module
    docstring of textnorm): no surviving reorderable mark, not a Hangul syllable."""
    if 0xAC00 <= ord(char) <= 0xD7A3:
        return False
    parts = unicodedata.normalize("NFKD", char)
    return all(unicodedata.combining(p) == 0 or unicodedata.category(p) == "Mn" for p in parts)


LISTENED = "".join(
    sorted({c for text, _ in FOLDS for c in text} | set(APOSTROPHES + "ΣσςΆάİıẞ"))
)
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
listened_text = st.text(st.sampled_from(LISTENED), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(any_text, listened_text), min_size=1, max_size=8))
def test_python_and_polars_fold_identically(texts: list[str]) -> None:
    assert polars_fold(texts) == [fold(text) for text in texts]


@settings(max_examples=400, deadline=None)
@given(st.one_of(any_text, listened_text).filter(lambda text: all(map(_per_character_safe, text))))
def test_fold_table_equals_the_spelled_out_chain(text: str) -> None:
    assert fold(text) == spelled_out_fold(text)


def test_python_fold_fills_in_exactly_the_table_polars_uses() -> None:
    # `fold` builds its mapping one character at a time (a command folding a few queries must
    # not scan all of Unicode first); over every code point it is the full table, entry by entry.
    from monitor.query.fold import _build_fold_table, _fold_table, _FoldedChars

    table, lazy = _build_fold_table(), _FoldedChars()
    assert _fold_table() == table  # the copy kept in the user's cache too
    assert [code for code in range(0x110000) if lazy[code] != table.get(code, chr(code))] == []


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_text, listened_text))
def test_fold_is_idempotent(text: str) -> None:
    # A query term is folded once at parse time and the text once at match time; a term someone
    # already wrote in folded form ("nie dziala") must stay as it is.
    assert fold(fold(text)) == fold(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(any_text, listened_text), min_size=1, max_size=8))
def test_python_and_polars_lower_field_values_identically(values: list[str]) -> None:
    # polars' own to_lowercase follows a newer Unicode than Python 3.11 (e.g. U+A7CB);
    # the shared table keeps field filters such as author: identical in both engines.
    lowered = pl.DataFrame({"v": values}).select(lower_expr(pl.col("v"))).to_series().to_list()
    assert lowered == [lower(value) for value in values]


@pytest.mark.parametrize(("value", "lowered"), [("PL", "pl"), ("@AcmeSupport", "@acmesupport"),
                                                 ("ŁUKASZ", "łukasz"), ("\ua7cb", "\ua7cb")])
def test_lower_keeps_diacritics_and_unknown_letters(value: str, lowered: str) -> None:
    assert lower(value) == lowered
