"""The parsed form of a query and how it matches, once in Python and once as a polars expression.

Every node answers the same question twice: `matches(post)` for one post (a reply box, a test,
`match_one`) and `expr()` for a batch at ingest. Both read the *folded* text (`textnorm.fold`) and
use the very same regex pattern string, so the two engines (Python `re`, Rust `regex`) agree.

Word boundaries are written as `(?:^|[^W])` and `(?:[^W]|$)`, with `W` the explicit word class
from `textnorm.word_class`, because Rust `regex` has no lookarounds and `\\b`/`\\w` mean slightly
different things in the two engines. `$` is safe in Python too: where it would match before a final
newline, the newline itself already satisfies `[^W]`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import polars as pl

from monitor.query.fold import fold, lower, lower_expr, word_class

#: The column `Query.expr()` reads the folded text from: `fold_expr(pl.col("text"))`, computed
#: once per batch rather than once per query.
FOLDED = "_folded"

#: Field filter name in a query -> the column of a mention frame it compares with.
FIELD_COLUMNS = {"lang": "lang", "source": "source", "author": "author_handle"}

# Characters with a meaning in either regex dialect; Rust also gives one to "#", "&", "-" and "~".
_REGEX_META = frozenset("\\.^$|?*+()[]{}#&-~")


@dataclass(frozen=True, slots=True)
class Post:
    """One post in matching form: folded text, and field values as `field_form` gives them."""

    text: str
    lang: str | None = None
    source: str | None = None
    author: str | None = None

    @classmethod
    def of(
        cls, text: str, lang: str | None = None, source: str | None = None, author: str | None = None
    ) -> Post:
        """Fold the text once, so that every query of every brand can be tried on it."""
        return cls(
            fold(text),
            None if lang is None else field_form("lang", lang),
            None if source is None else field_form("source", source),
            None if author is None else field_form("author", author),
        )


def field_form(name: str, value: str) -> str:
    """How a field value is compared: lower-cased, and a handle without its leading "@".

    Lower-casing rather than folding: these are codes and handles, and folding a column costs
    polars an automaton of 9,000 entries per batch, lower-casing one of 1,400.
    """
    lowered = lower(value)
    return lowered.removeprefix("@") if name == "author" else lowered


def field_form_expr(name: str) -> pl.Expr:
    """`field_form` over the mention frame's column for field `name`."""
    lowered = lower_expr(pl.col(FIELD_COLUMNS[name]))
    return lowered.str.strip_prefix("@") if name == "author" else lowered


@dataclass(frozen=True, slots=True)
class Text:
    """A term or a phrase: `shown` is how the user wrote it (for remote searches), `pattern` the
    regex over folded text that both engines run. `words` and `wildcard` are what the pattern was
    built from, kept for the full-text index (`monitor.store.fulltext`), which cannot read a regex."""

    shown: str
    pattern: str
    position: int
    needle: str  # the longest folded word: a plain substring test rules most posts out quickly
    words: tuple[str, ...] = ()
    wildcard: bool = False

    @classmethod
    def of(cls, shown: str, words: list[str], position: int, wildcard: bool = False) -> Text:
        """The node for folded `words` (one for a term, several for a phrase)."""
        return cls(shown, text_pattern(words, wildcard), position, max(words, key=len), tuple(words), wildcard)

    def matches(self, post: Post) -> bool:
        if self.needle not in post.text:
            return False
        return _compiled(self.pattern).search(post.text) is not None

    def expr(self) -> pl.Expr:
        return pl.col(FOLDED).str.contains(self.pattern).fill_null(False)


@dataclass(frozen=True, slots=True)
class Field:
    """`lang:pl`, `source:reddit`, `author:handle`; an unknown (null) value never matches."""

    name: str
    value: str
    position: int

    def matches(self, post: Post) -> bool:
        return getattr(post, self.name) == self.value

    def expr(self) -> pl.Expr:
        return (field_form_expr(self.name) == self.value).fill_null(False)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    position: int

    def matches(self, post: Post) -> bool:
        return not self.child.matches(post)

    def expr(self) -> pl.Expr:
        return ~self.child.expr()


@dataclass(frozen=True, slots=True)
class AllOf:
    """Terms joined by AND (written or implicit); n-ary so long queries stay shallow."""

    children: tuple[Node, ...]
    position: int

    def matches(self, post: Post) -> bool:
        return all(child.matches(post) for child in self.children)

    def expr(self) -> pl.Expr:
        return pl.all_horizontal([child.expr() for child in self.children])


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Alternatives joined by OR."""

    children: tuple[Node, ...]
    position: int

    def matches(self, post: Post) -> bool:
        return any(child.matches(post) for child in self.children)

    def expr(self) -> pl.Expr:
        return pl.any_horizontal([child.expr() for child in self.children])


Node = Text | Field | Not | AllOf | AnyOf


def positive_texts(node: Node, negated: bool = False) -> Iterator[Text]:
    """The terms and phrases a matching post must (or may) contain, i.e. not under a NOT."""
    if isinstance(node, Text) and not negated:
        yield node
    elif isinstance(node, Not):
        yield from positive_texts(node.child, not negated)
    elif isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from positive_texts(child, negated)


def text_pattern(words: list[str], wildcard: bool = False) -> str:
    """The regex for folded `words` standing as whole words, in order, in a folded text.

    Between two words any run of spaces or punctuation is accepted ("nie   działa."); where a
    word itself ends or starts with punctuation ("acme," "shop") the run may also be empty.
    A wildcard drops the closing boundary, so `dział*` also finds "działają".
    """
    non_word = "[^" + word_class()[1:]
    body = _escape(words[0])
    for before, after in zip(words, words[1:]):
        joined = _is_word_char(before[-1]) and _is_word_char(after[0])
        body += non_word + ("+" if joined else "*") + _escape(after)
    closing = "" if wildcard else f"(?:{non_word}|$)"
    return f"(?:^|{non_word}){body}{closing}"


def _escape(literal: str) -> str:
    return "".join("\\" + char if char in _REGEX_META else char for char in literal)


def _is_word_char(char: str) -> bool:
    return _word_char_pattern().fullmatch(char) is not None


@cache
def _word_char_pattern() -> re.Pattern[str]:
    return re.compile(word_class())


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
