"""Brand queries: `acme OR "acme shop"`, `"nie działa" (acme OR acmeapp)`, `dział* -spam lang:pl`.

Grammar, loosest binding first (so NOT binds tighter than AND, AND tighter than OR):

    query    := any_of END
    any_of   := all_of ("OR" all_of)*
    all_of   := unary (["AND"] unary)*          adjacent items are ANDed
    unary    := ("NOT" | "-") unary | primary
    primary  := term | "phrase" | field:value | "(" any_of ")"

Keywords are upper-case only, so `or` and `and` stay searchable words. A query is parsed once, at
start, and a mistake is reported with its character position, because a query that silently
matches nothing (or everything) is worse than one that refuses to load.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl

from monitor.query.fold import fold, fold_expr
from monitor.query.nodes import (
    FIELD_COLUMNS,
    FOLDED,
    AllOf,
    AnyOf,
    Field,
    Node,
    Not,
    Post,
    Text,
    field_form,
    positive_texts,
)

#: Opening quote -> the quotes that close it. Polish and German configs are written with „…”/„…“.
_QUOTES = {'"': '"', "„": "”“", "“": "”"}
_KEYWORDS = frozenset({"AND", "OR", "NOT"})
_OPERAND_STARTS = frozenset({"TEXT", "FIELD", "(", "NOT", "-"})
# Query hits are packed into Int64 bit masks (see BrandMatcher.match_frame), 62 per column.
_MASK_BITS = 62
# Deeper nesting than this is a typo or an attack; it would otherwise exhaust Python's stack.
_MAX_DEPTH = 64


class QuerySyntaxError(ValueError):
    """A query that cannot be used; `position` is the 0-based character offset of the mistake."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "-", "TEXT", "FIELD" or "END"
    position: int
    node: Node | None = None


def _tokens(text: str) -> Iterator[_Token]:
    """Split a query into tokens. A "-" is an operator only where a token starts, so `e-mail`
    stays one term; terms end at spaces, parentheses and opening quotes."""
    at = 0
    while at < len(text):
        char = text[at]
        if char.isspace():
            at += 1
        elif char in "()":
            yield _Token(char, at)
            at += 1
        elif char in _QUOTES:
            node, at = _phrase(text, at)
            yield _Token("TEXT", node.position, node)
        elif char == "-":
            if at + 1 == len(text) or text[at + 1].isspace() or text[at + 1] == ")":
                raise QuerySyntaxError(f'nothing to exclude after "-" at position {at}', at)
            yield _Token("-", at)
            at += 1
        else:
            end = at
            while end < len(text) and not _ends_word(text[end]):
                end += 1
            yield _word(text[at:end], at)
            at = end
    yield _Token("END", len(text))


def _ends_word(char: str) -> bool:
    return char.isspace() or char in "()" or char in _QUOTES


def _word(word: str, at: int) -> _Token:
    """A keyword, a field filter or a term (possibly with a trailing wildcard)."""
    if word in _KEYWORDS:
        return _Token(word, at)
    name, colon, value = word.partition(":")
    if colon and name.lower() in FIELD_COLUMNS:
        return _Token("FIELD", at, _field(name.lower(), value, at + len(name) + 1))
    star = word.find("*")
    if word == "*":
        raise QuerySyntaxError(f'a wildcard "*" needs a word before it at position {at}', at)
    if star != -1 and star != len(word) - 1:
        where = at + star
        raise QuerySyntaxError(f'"*" is only allowed at the end of a term at position {where}', where)
    wildcard = star != -1
    stem = fold(word[:-1] if wildcard else word)
    if not stem.strip():
        raise QuerySyntaxError(f"term {word!r} has no letters to match at position {at}", at)
    return _Token("TEXT", at, Text.of(word, [stem], at, wildcard))


def _field(name: str, value: str, value_at: int) -> Field:
    form = field_form(name, value)
    if not form.strip():
        raise QuerySyntaxError(f'missing value after "{name}:" at position {value_at}', value_at)
    return Field(name, form, value_at - len(name) - 1)


def _phrase(text: str, start: int) -> tuple[Text, int]:
    """The quoted phrase opening at `start`, and the offset just past its closing quote."""
    closers = _QUOTES[text[start]]
    end = start + 1
    while end < len(text) and text[end] not in closers:
        end += 1
    if end == len(text):
        raise QuerySyntaxError(f"unclosed quote starting at position {start}", start)
    inside = text[start + 1 : end]
    words = fold(inside).split()
    if not words:
        raise QuerySyntaxError(f"empty phrase at position {start}", start)
    return Text.of(f'"{inside}"', words, start), end + 1


class _Parser:
    """Recursive descent over the token list; one method per grammar rule (module docstring)."""

    def __init__(self, text: str) -> None:
        # Tokens are read lazily so that the leftmost mistake is the one reported.
        self.stream = _tokens(text)
        self.token = next(self.stream)
        self.depth = 0

    def parse(self) -> Node:
        if self.token.kind == "END":
            raise QuerySyntaxError("empty query", 0)
        node = self.any_of()
        self._expect_end()
        return node

    def any_of(self) -> Node:
        parts = [self.all_of()]
        while self.token.kind == "OR":
            self._advance()
            parts.append(self.all_of())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts), parts[0].position)

    def all_of(self) -> Node:
        parts = [self.unary()]
        while True:
            kind = self.token.kind
            if kind == "AND":
                self._advance()
            elif kind not in _OPERAND_STARTS:
                break
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts), parts[0].position)

    def unary(self) -> Node:
        token = self.token
        if token.kind not in ("NOT", "-"):
            return self.primary()
        self._advance()
        with self._nested(token):
            return Not(self.unary(), token.position)

    def primary(self) -> Node:
        token = self.token
        if token.kind == "(":
            self._advance()
            with self._nested(token):
                node = self.any_of()
            if self.token.kind != ")":
                raise QuerySyntaxError(
                    f"unclosed parenthesis starting at position {token.position}", token.position
                )
            self._advance()
            return node
        if token.node is None:
            raise _unexpected(token)
        self._advance()
        return token.node

    def _advance(self) -> None:
        self.token = next(self.stream)

    def _expect_end(self) -> None:
        if self.token.kind != "END":
            raise _unexpected(self.token)

    @contextmanager
    def _nested(self, token: _Token) -> Iterator[None]:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise QuerySyntaxError(
                f"query nested more than {_MAX_DEPTH} deep at position {token.position}",
                token.position,
            )
        yield
        self.depth -= 1


def _unexpected(token: _Token) -> QuerySyntaxError:
    if token.kind == "END":
        return QuerySyntaxError(
            f"expected a term at the end of the query (position {token.position})", token.position
        )
    return QuerySyntaxError(f'unexpected "{token.kind}" at position {token.position}', token.position)


def _unanchored(node: Node) -> Node | None:
    """The part of `node` that could match a post containing none of the query's positive terms.

    A negation alone matches nearly everything, and so does `acme OR -spam`: every OR branch needs
    a positive term (or field filter), while one is enough in an AND.
    """
    if isinstance(node, Text | Field):
        return None
    if isinstance(node, Not):
        return _unanchored(node.child.child) if isinstance(node.child, Not) else node
    if isinstance(node, AllOf):
        return None if any(_unanchored(child) is None for child in node.children) else node
    return next((part for part in map(_unanchored, node.children) if part is not None), None)


def parse(text: str) -> Query:
    """Parse one query line; raises `QuerySyntaxError` naming the first mistake's position."""
    root = _Parser(text).parse()
    loose = _unanchored(root)
    if loose is not None:
        where = loose.position
        raise QuerySyntaxError(
            f"a query needs at least one positive term (the part at position {where} would "
            "match almost every post)",
            where,
        )
    return Query(text, root)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: match one post in Python, or a whole frame with `expr()` in polars."""

    text: str
    root: Node

    def matches(
        self,
        text: str,
        *,
        lang: str | None = None,
        source: str | None = None,
        author: str | None = None,
    ) -> bool:
        """Whether one post matches; for a single mention, where building a frame would cost more."""
        return self.root.matches(Post.of(text, lang, source, author))

    def expr(self) -> pl.Expr:
        """A boolean expression over `_folded` (= `fold_expr(pl.col("text"))`), `lang`, `source`
        and `author_handle`; never null."""
        return self.root.expr()

    def search_terms(self) -> list[str]:
        """The positive words and phrases as written, for collectors that build a remote search."""
        return list(dict.fromkeys(text.shown for text in positive_texts(self.root)))


@dataclass(frozen=True, slots=True)
class _BrandQuery:
    brand: str
    label: str  # "<brand>: <query text>", what `matched` lists
    query: Query


class BrandMatcher:
    """Every brand's queries, compiled once at start and tried on each batch of new mentions."""

    def __init__(self, brands: Mapping[str, Sequence[str]]) -> None:
        self._queries = [
            _BrandQuery(brand, f"{brand}: {text}", _parse_for(brand, index, text))
            for brand, texts in brands.items()
            for index, text in enumerate(texts)
        ]

    def match_one(
        self,
        text: str,
        lang: str | None = None,
        source: str | None = None,
        author: str | None = None,
    ) -> list[str]:
        """`"<brand>: <query>"` for every query the post matches, in config order."""
        post = Post.of(text, lang, source, author)
        return [each.label for each in self._queries if each.query.root.matches(post)]

    def match_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` (text, lang, source, author_handle) with `brand` and `matched` set.

        The text is folded once for the batch and every query runs in the same polars plan. Which
        queries matched is packed into integer bit masks; the few distinct masks of a batch are
        turned into brand and labels in Python and joined back, which is 30 times cheaper than
        building each row's label list in the frame.
        """
        if not self._queries:
            return frame.with_columns(
                brand=pl.lit(None, pl.String), matched=pl.lit([], pl.List(pl.String))
            )
        marked, keys = self._marked(frame)
        lookup = self._lookup(marked.select(keys).unique())
        return marked.join(lookup, on=keys, how="left", maintain_order="left").drop(keys)

    def match_lists(self, frame: pl.DataFrame) -> tuple[list[str | None], list[list[str]]]:
        """`match_frame`'s brand and matched columns as Python lists, for ingest: each distinct
        combination's list is built once and shared by its rows (converting a list column row by
        row cost a third of the matching time)."""
        if not self._queries:
            return [None] * frame.height, [[] for _ in range(frame.height)]
        marked, keys = self._marked(frame)
        combinations = marked.select(keys).unique(maintain_order=True)
        lookup = self._lookup(combinations)
        brands, labels = lookup["brand"].to_list(), lookup["matched"].to_list()
        codes = (marked.select(keys).join(combinations.with_row_index("_combo"), on=keys, how="left",
                                          maintain_order="left")["_combo"].to_list())
        return [brands[code] for code in codes], [labels[code] for code in codes]

    def _marked(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
        """The frame with one bit-mask column per 62 queries (names returned) for matched queries."""
        hits = {f"_hit{index}": each.query.expr() for index, each in enumerate(self._queries)}
        masks = _bit_masks(list(hits))
        marked = (
            frame.lazy()
            .drop("brand", "matched", strict=False)
            .with_columns(fold_expr(pl.col("text")).alias(FOLDED))
            .with_columns(**hits)  # one expression per query: polars runs them in parallel
            .with_columns(**masks)
            .drop(FOLDED, *hits)
            .collect()
        )
        return marked, list(masks)

    def _lookup(self, combinations: pl.DataFrame) -> pl.DataFrame:
        """Brand and labels for each distinct combination of masks found in a batch."""
        rows = []
        for masks in combinations.iter_rows():
            hits = [
                each
                for index, each in enumerate(self._queries)
                if masks[index // _MASK_BITS] >> (index % _MASK_BITS) & 1
            ]
            rows.append((*masks, hits[0].brand if hits else None, [each.label for each in hits]))
        schema = dict.fromkeys(combinations.columns, pl.Int64)
        schema |= {"brand": pl.String, "matched": pl.List(pl.String)}
        return pl.DataFrame(rows, schema=schema, orient="row")


def _bit_masks(hits: list[str]) -> dict[str, pl.Expr]:
    """One Int64 column per 62 boolean hit columns, bit i set when hit column i is true."""
    masks: dict[str, pl.Expr] = {}
    for start in range(0, len(hits), _MASK_BITS):
        chunk = hits[start : start + _MASK_BITS]
        bits = [pl.col(hit).cast(pl.Int64) * (1 << bit) for bit, hit in enumerate(chunk)]
        masks[f"_mask{start // _MASK_BITS}"] = pl.sum_horizontal(bits)
    return masks


def _parse_for(brand: str, index: int, text: str) -> Query:
    try:
        return parse(text)
    except QuerySyntaxError as error:
        raise QuerySyntaxError(
            f"brand {brand!r}, queries[{index}] ({text!r}): {error}", error.position
        ) from error
