"""The matching form of a text, computed identically in Python and in polars.

Queries must match `nie dziala` against "Nie DZIAŁA" and `doesn't` against "doesn’t", so both the
query and the post are *folded* before they are compared. Folding one character means: Unicode
NFKD, drop the combining marks (category Mn), lower-case, then map the letters that do not
decompose (ł đ ø ß æ œ ı, Greek final ς → σ) and every apostrophe style to ASCII "'".

One post is folded in Python (`fold`); a batch of 50,000 at ingest is folded in Rust by polars
(`fold_expr`). The two must never disagree, or a mention would match in the dashboard and not at
ingest. So the fold of every character is computed once, from Python's Unicode database, into one
table that both engines apply: `str.translate` in Python, a single `str.replace_many` in polars.
Besides agreeing exactly (whatever Unicode version polars was built with), that is about four times
faster than chaining polars' `normalize("NFKD")`, mark removal, `to_lowercase` and a final map.

Folding character by character equals folding the whole string with that chain except: NFKD
reorders adjacent combining marks by class, and once the Mn marks are dropped only 25 rare spacing
marks (Mc with a non-zero class: Balinese, Javanese, musical symbols...) can show it; Hangul
syllables are kept whole (see `_HANGUL_SYLLABLES`). The chain's context rule for Greek capital
sigma is moot, since "ς" becomes "σ" anyway.

The same database gives the word-character class the query matcher uses in both regex engines
(`word_class`), because `\\w` means different things in Python `re` and Rust `regex`.
"""
from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

import polars as pl

#: Every apostrophe style people type, as `fold` maps them all to ASCII "'".
APOSTROPHES = "’‘ʼ`´′＇"

#: Letters that NFKD leaves alone but that readers treat as plain letters.
LETTERS = {"ł": "l", "đ": "d", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "ς": "σ"}

# Applied after lower-casing; applied *instead of* NFKD to these characters, because NFKD turns
# the acute accent "´" into a space and a combining acute, which would fold "doesn´t" to "doesn t".
_BY_HAND = {**LETTERS, **dict.fromkeys(APOSTROPHES, "'")}
_BY_HAND_TABLE = str.maketrans(_BY_HAND)

# Planes 4-13 have never had a character assigned, and 15-16 are private use; leaving them out of
# the scans makes building the tables 3x faster. Both engines still agree on them: unchanged.
_SCANNED = (range(0x0000, 0x40000), range(0xE0000, 0xF0000))
_UNASSIGNED = ("Cn", "Co", "Cs")
# Precomposed Hangul syllables stay whole. NFKD would split each into jamo, which changes nothing
# when query and post both use syllables (as typed text does), but those 11,172 entries would make
# the table 2.3 times larger, and polars rebuilds its automaton from the table on every batch.
_HANGUL_SYLLABLES = range(0xAC00, 0xD7A4)


def fold(text: str) -> str:
    """Return the form in which `text` is compared to queries (see the module docstring)."""
    return text.translate(_FOLDED)


class _FoldedChars(dict):
    """`_fold_table()` filled one character at a time, as `str.translate` asks for them.

    Building the whole table scans the Unicode database (about 0.4 s), which every command paid
    when the config's queries were parsed. Each entry here is the table's entry for that code, or
    the character itself where the table has none, so `fold` gives the same result either way.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        keep = (code in _HANGUL_SYLLABLES or not any(code in plane for plane in _SCANNED)
                or unicodedata.category(char) in _UNASSIGNED)
        self[code] = folded = char if keep else fold_char(char)
        return folded


_FOLDED = _FoldedChars()


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """`fold` as a polars expression: one Aho-Corasick pass over each string, in Rust."""
    sources, targets = _fold_series()
    return expr.str.replace_many(pl.lit(sources).implode(), pl.lit(targets).implode())


def fold_char(char: str) -> str:
    """The fold of one character, spelled out step by step; `fold` is a table of these."""
    if char in _BY_HAND:
        return _BY_HAND[char]
    decomposed = unicodedata.normalize("NFKD", char)
    bare = "".join(part for part in decomposed if unicodedata.category(part) != "Mn")
    return bare.lower().translate(_BY_HAND_TABLE)


@cache
def _fold_table() -> dict[int, str]:
    """Every assigned character whose fold differs from itself, for `str.translate`.

    Building it scans the Unicode database (0.4 s, paid by every `nasluch search`), so a copy is
    kept in the user's cache, named after the Unicode version and this module's source: a newer
    Python or a change to the folding rules builds it again. No cache, no harm: it is rebuilt.
    """
    path = _cached_table_path()
    try:
        return {int(code): folded for code, folded in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        pass
    table = _build_fold_table()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)  # atomic: a reader never sees half a table
    except OSError:
        pass
    return table


def _cached_table_path() -> Path:
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    root = os.environ.get("NASLUCH_CACHE")
    folder = Path(root).expanduser() if root else Path.home() / ".cache" / "nasluch"
    return folder / "fold" / f"unicode-{unicodedata.unidata_version}-{source}.json"


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for first, last, category in _category_runs():
        if category in _UNASSIGNED:
            continue
        for code in range(first, last + 1):
            if code in _HANGUL_SYLLABLES:
                continue
            folded = fold_char(chr(code))
            if folded != chr(code):
                table[code] = folded
    return table


@cache
def _fold_series() -> tuple[pl.Series, pl.Series]:
    """The fold table as two string Series, built once rather than on every batch."""
    return _as_series(_fold_table())


def _as_series(table: dict[int, str]) -> tuple[pl.Series, pl.Series]:
    return (
        pl.Series("from", [chr(code) for code in table], pl.String),
        pl.Series("to", list(table.values()), pl.String),
    )


def lower(text: str) -> str:
    """Lower-case `text` one character at a time, exactly as `lower_expr` does in polars.

    For field values (language codes, source names, handles): cheaper than `fold`, and unlike
    `str.lower` against polars' `to_lowercase` it cannot drift with the Unicode version.
    """
    return text.translate(_lower_table())


def lower_expr(expr: pl.Expr) -> pl.Expr:
    """`lower` as a polars expression."""
    sources, targets = _lower_series()
    return expr.str.replace_many(pl.lit(sources).implode(), pl.lit(targets).implode())


@cache
def _lower_series() -> tuple[pl.Series, pl.Series]:
    return _as_series(_lower_table())


@cache
def _lower_table() -> dict[int, str]:
    """Every assigned character that has a lower-case form other than itself."""
    return {
        code: chr(code).lower()
        for first, last, category in _category_runs()
        if category not in _UNASSIGNED
        for code in range(first, last + 1)
        if chr(code).lower() != chr(code)
    }


@cache
def word_class() -> str:
    """A regex class of word characters: letters, marks, numbers and connectors such as "_".

    It is the same set in Python `re` and Rust `regex`, which `\\w` is not (Rust counts marks and
    zero-width joiners, Python counts "½"), so word boundaries agree in both engines.
    """
    return unicode_class(lambda category: category[0] in "LMN" or category == "Pc")


def unicode_class(wanted: Callable[[str], bool]) -> str:
    """A `[...]` class of every code point whose general category satisfies `wanted`.

    Ranges are written as literal characters, which both regex dialects read the same way (their
    escape syntaxes for astral code points differ). Callers must only select letters, marks,
    numbers or connectors: no ASCII metacharacter of a class is among those.
    """
    merged: list[list[int]] = []
    for first, last, category in _category_runs():
        if not wanted(category):
            continue
        if merged and merged[-1][1] == first - 1:
            merged[-1][1] = last
        else:
            merged.append([first, last])
    parts = (chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in merged)
    return "[" + "".join(parts) + "]"


@cache
def _category_runs() -> tuple[tuple[int, int, str], ...]:
    """Runs of consecutive code points sharing a general category: one scan of the database."""
    runs: list[tuple[int, int, str]] = []
    category = unicodedata.category
    for plane in _SCANNED:
        start, current = plane.start, category(chr(plane.start))
        for code in plane:
            this = category(chr(code))
            if this != current:
                runs.append((start, code - 1, current))
                start, current = code, this
        runs.append((start, plane.stop - 1, current))
    return tuple(runs)
