"""Complaint themes: negative mentions grouped by meaning, each named by its own words.

One customer's complaint is rarely alone: grouping by meaning (the sentiment model's sentence
embeddings, which place "paczka nie doszła" next to "my parcel never arrived") shows how many
people hit the same problem. A theme is named with the words most typical of it compared with
the other themes (class-based TF-IDF, as BERTopic does), per language, so every name is in the
words customers used.

The vectors are stored when mentions are scored (`monitor.store.vectors`), so `stored_themes`
clusters without the model; for mentions scored before that, an embedding function can be handed
in (`embed(texts) -> (n, d)` L2-normalised array): the page passes the sentiment model's, tests
pass their own.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.mention import utc
from monitor.query.fold import fold
from monitor.reports.counts import MENTION, Filters, _mention_where
from monitor.store import fulltext
from monitor.store import vectors as stored_vectors
from monitor.store.frames import filter_query

Embed = Callable[[list[str]], np.ndarray]
WORD = re.compile(r"[^\W\d_][^\W_]{2,}", re.UNICODE)
SAMPLE_COLUMNS = ("id", "created_at", "source", "brand", "lang", "author_handle", "text", "url")


@dataclass(frozen=True)
class Themes:
    mentions: pl.DataFrame   # the sample: SAMPLE_COLUMNS + theme (int), distance (to its centre)
    themes: pl.DataFrame     # theme, name, words_by_lang, mentions, this_week, last_week (shares)
    weekly: pl.DataFrame     # week, theme, name, mentions
    unembedded: int = 0      # sampled mentions left out: no stored vector and no model to make one


SAMPLE_SCHEMA = {name: pl.Utf8 for name in SAMPLE_COLUMNS} | {"id": pl.Int64, "created_at": pl.Datetime("us", "UTC")}
WEEK = timedelta(days=7)
TICK = timedelta(microseconds=1)


def _newest_negative(connection: sa.Connection, negative: Filters, since, until, limit: int) -> pl.DataFrame:
    """The newest `limit` negative mentions in [since, until) that pass the filters (with a text
    query: the newest of the index's candidates, then matched exactly)."""
    statement = sa.select(*(MENTION.c[c] for c in SAMPLE_COLUMNS)).order_by(MENTION.c.created_at.desc())
    statement = _mention_where(statement, negative, since, until)
    statement = statement.limit(limit * 10 if negative.query else limit)
    _, rows = fulltext.fetch(connection, statement, negative.query, MENTION.c.id)
    frame = pl.DataFrame(rows, schema=SAMPLE_SCHEMA, orient="row") if rows else pl.DataFrame(schema=SAMPLE_SCHEMA)
    return (filter_query(frame, negative.query) if negative.query else frame).head(limit)


def negative_sample(engine: Engine, filters: Filters, limit: int = 600) -> pl.DataFrame:
    """Negative mentions of the period that pass the filters (the text query too): the newest of
    the last 7 days and of the 7 days before, half each (the rest from the other week when one
    has fewer), so "this week against last week" compares two real samples. The weeks end at
    the newest negative mention, as `themes` counts them."""
    negative = replace(filters, sentiments=("negative",))
    with engine.connect() as connection:
        newest = connection.execute(_mention_where(sa.select(sa.func.max(MENTION.c.created_at)), negative,
                                                   filters.since, filters.until)).scalar()
        if newest is None:
            return pl.DataFrame(schema=SAMPLE_SCHEMA)
        newest = utc(newest)
        bounds = [(newest - WEEK + TICK, newest + TICK), (newest - 2 * WEEK + TICK, newest - WEEK + TICK)]
        parts = [_newest_negative(connection, negative, max(low, filters.since) if filters.since else low,
                                  high, limit) for low, high in bounds]
    this_week = min(parts[0].height, max(limit // 2, limit - parts[1].height))
    return pl.concat([parts[0].head(this_week), parts[1].head(limit - this_week)])


def cluster(vectors: np.ndarray, max_themes: int = 10, seed: int = 0) -> np.ndarray:
    """Theme number per vector: k-means on the unit sphere, k chosen by the silhouette score."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # 400 points: BLAS threads only fight (on 2 cores: 17 s, not 0.3 s)
        return _cluster(vectors, max_themes, seed, KMeans, silhouette_score)


def _cluster(vectors: np.ndarray, max_themes: int, seed: int, KMeans: Any, silhouette_score: Any) -> np.ndarray:
    count = len(vectors)
    if count < 6:
        return np.zeros(count, dtype=np.int64)
    best_labels, best_score = np.zeros(count, dtype=np.int64), -1.0
    for k in range(2, min(max_themes, count // 3) + 1):
        labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(vectors)
        score = silhouette_score(vectors, labels, metric="cosine", sample_size=min(count, 1500), random_state=seed)
        if score > best_score + 1e-6:
            best_labels, best_score = labels, score
    return _by_size(best_labels)


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber themes so theme 0 is the largest."""
    order = [label for label, _ in Counter(labels.tolist()).most_common()]
    mapping = {label: rank for rank, label in enumerate(order)}
    return np.array([mapping[label] for label in labels.tolist()], dtype=np.int64)


def tokens(text: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """Lower-case words of three letters or more; handles, links and numbers left out. A word is
    a stop word if it or its folded form ("juz" for "już", "ηταν" for "ήταν") is in `stop`."""
    text = re.sub(r"https?://\S+|[@#]\w+", " ", text)
    return [word for word in (w.lower() for w in WORD.findall(text)) if word not in stop and fold(word) not in stop]


@cache
def language_stop_words(lang: str) -> frozenset[str]:
    """The everyday words of a language (stopwords-iso lists, for the 50-odd languages it has),
    folded as queries fold text; empty for a language it does not know."""
    import stopwordsiso

    if not lang or not stopwordsiso.has_lang(lang):
        return frozenset()
    return frozenset(fold(word) for word in stopwordsiso.stopwords(lang))


def distinctive_words(texts: Sequence[str], labels: Sequence[int], stop: frozenset[str] = frozenset(),
                      top: int = 4) -> dict[int, list[str]]:
    """Per theme, the words most typical of it against the other themes (c-TF-IDF), each word
    used by at least two of the theme's mentions."""
    counts: dict[int, Counter[str]] = {}
    documents: dict[int, Counter[str]] = {}
    for text, label in zip(texts, labels):
        words = tokens(text, stop)
        counts.setdefault(label, Counter()).update(words)
        documents.setdefault(label, Counter()).update(set(words))
    overall: Counter[str] = Counter()
    for counter in counts.values():
        overall.update(counter)
    average = sum(overall.values()) / max(len(counts), 1)
    names = {}
    for label, counter in counts.items():
        size = sum(counter.values()) or 1
        scored = {word: (n / size) * math.log(1 + average / overall[word])
                  for word, n in counter.items() if documents[label][word] >= 2}
        names[label] = [w for w, _ in sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:top]]
    return names


def _stop_words(sample: pl.DataFrame) -> frozenset[str]:
    """Brand names and source words say nothing about a theme."""
    words = {w.lower() for b in sample["brand"].drop_nulls().unique().to_list() for w in WORD.findall(b)}
    return frozenset(words | {w + "app" for w in words})


def common_words(texts: Sequence[str], labels: Sequence[int], share: float = 0.15) -> frozenset[str]:
    """Everyday words of a language ("nie", "the", "und"): used by at least `share` of the
    mentions of most themes (two thirds of those with three or more mentions, and at least two).
    A word typical of one theme only is kept, however frequent. With a single theme in the
    language, words in 40% of its mentions are taken as everyday words."""
    docs: dict[int, list[set[str]]] = {}
    for text, label in zip(texts, labels):
        docs.setdefault(label, []).append(set(tokens(text)))
    judged = {label: found for label, found in docs.items() if len(found) >= 3}
    if len(judged) < 2:  # one theme speaks this language: keep only what most of its mentions say
        everything = [words for found in docs.values() for words in found]
        seen = Counter(word for words in everything for word in words)
        return frozenset(w for w, n in seen.items() if len(everything) >= 12 and n >= 0.4 * len(everything))
    frequent: Counter[str] = Counter()
    for found in judged.values():
        seen = Counter(word for words in found for word in words)
        frequent.update(word for word, n in seen.items() if n >= share * len(found))
    return frozenset(word for word, n in frequent.items() if n >= max(2, 2 * len(judged) / 3))


def _names(sample: pl.DataFrame, stop: frozenset[str]) -> pl.DataFrame:
    """Per theme, its typical words in each language of its mentions; the name is the words of
    its two largest languages."""
    labels = sample["theme"].to_list()
    by_lang: dict[int, list[tuple[int, str, list[str]]]] = {}
    for lang in sample["lang"].fill_null("?").unique().sort().to_list():
        subset = sample.filter(pl.col("lang").fill_null("?") == lang)
        texts = subset["text"].to_list()
        themes_of = subset["theme"].to_list()
        everyday = common_words(texts, themes_of) | language_stop_words(lang)
        words = distinctive_words(texts, themes_of, stop | everyday, top=3)
        sizes = Counter(subset["theme"].to_list())
        for label, found in words.items():
            if found:
                by_lang.setdefault(label, []).append((sizes[label], lang, found))
    rows = []
    for label in sorted(set(labels)):
        parts = sorted(by_lang.get(label, []), key=lambda part: (-part[0], part[1]))
        name = " · ".join(word for _, _, found in parts[:2] for word in found[:2]) or "(no common words)"
        rows.append((label, name, "; ".join(f"{lang}: {', '.join(found)}" for _, lang, found in parts)))
    return pl.DataFrame(rows, orient="row", schema={"theme": pl.Int64, "name": pl.Utf8, "words_by_lang": pl.Utf8})


def sample_vectors(engine: Engine, sample: pl.DataFrame, embed: Embed | None = None) -> tuple[pl.DataFrame, np.ndarray]:
    """The sample's stored vectors; the missing ones made with `embed` (or, without it, those
    mentions left out of the returned sample)."""
    ids = sample["id"].to_list()
    with engine.connect() as connection:
        found = stored_vectors.load(connection, ids)
    missing = [n for n, i in enumerate(ids) if i not in found]
    if missing and embed is not None:
        made = np.asarray(embed([sample["text"][n] for n in missing]), dtype=np.float32)
        found.update({ids[n]: made[k] for k, n in enumerate(missing)})
    kept = [n for n, i in enumerate(ids) if i in found]
    rows = np.stack([found[ids[n]] for n in kept]) if kept else np.zeros((0, 1), dtype=np.float32)
    return sample[kept], rows


def stored_themes(engine: Engine, filters: Filters, limit: int = 400, embed: Embed | None = None) -> Themes:
    """Themes of the period's newest negative mentions from the vectors stored at scoring time."""
    sample = negative_sample(engine, filters, limit)
    kept, rows = sample_vectors(engine, sample, embed)
    if kept.is_empty():
        return Themes(kept.with_columns(pl.lit(0, pl.Int64).alias("theme"), pl.lit(0.0).alias("distance")),
                      pl.DataFrame(schema={"theme": pl.Int64, "name": pl.Utf8, "words_by_lang": pl.Utf8,
                                           "mentions": pl.UInt32, "this_week": pl.Float64, "last_week": pl.Float64}),
                      pl.DataFrame(schema={"week": SAMPLE_SCHEMA["created_at"], "theme": pl.Int64, "name": pl.Utf8,
                                           "mentions": pl.UInt32}), unembedded=sample.height)
    return replace(themes(kept, lambda _texts: rows), unembedded=sample.height - kept.height)


def themes(sample: pl.DataFrame, embed: Embed, max_themes: int = 10) -> Themes:
    """Cluster the sample, name the themes, count them per week and this week against last."""
    vectors = np.asarray(embed(sample["text"].to_list()), dtype=np.float32)
    labels = cluster(vectors, max_themes)
    centres = {label: vectors[labels == label].mean(axis=0) for label in set(labels.tolist())}
    distance = np.array([1 - float(v @ centres[label]) / (np.linalg.norm(centres[label]) or 1)
                         for v, label in zip(vectors, labels.tolist())])
    sample = sample.with_columns(pl.Series("theme", labels, dtype=pl.Int64), pl.Series("distance", distance))
    named = _names(sample, _stop_words(sample))
    return Themes(sample.sort("theme", "distance"), _summary(sample, named),
                  _weekly(sample).join(named.select("theme", "name"), on="theme"))


def _weekly(sample: pl.DataFrame) -> pl.DataFrame:
    return (sample.group_by(pl.col("created_at").dt.truncate("1w").alias("week"), "theme")
            .len("mentions").sort("week", "theme"))


def _summary(sample: pl.DataFrame, named: pl.DataFrame) -> pl.DataFrame:
    """Each theme's size and its share of the sample's complaints this week against last week."""
    end = sample["created_at"].max()
    this_week = sample.filter(pl.col("created_at") > end - timedelta(days=7))
    last_week = sample.filter((pl.col("created_at") <= end - timedelta(days=7))
                              & (pl.col("created_at") > end - timedelta(days=14)))
    shares = []
    for part, name in ((this_week, "this_week"), (last_week, "last_week")):
        counted = part.group_by("theme").len("n")
        shares.append(counted.select("theme", (pl.col("n") / max(part.height, 1)).alias(name)))
    sizes = sample.group_by("theme").len("mentions")
    return (named.join(sizes, on="theme", how="left")
            .join(shares[0], on="theme", how="left").join(shares[1], on="theme", how="left")
            .with_columns(pl.col("this_week").fill_null(0.0), pl.col("last_week").fill_null(0.0))
            .sort("theme"))


def examples(result: Themes, theme: int, count: int = 5) -> pl.DataFrame:
    """The mentions closest to a theme's centre: what the theme is, in customers' words."""
    return (result.mentions.filter(pl.col("theme") == theme).sort("distance").head(count)
            .select("created_at", "source", "lang", "author_handle", "text"))
