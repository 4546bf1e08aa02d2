"""Complaint themes on embeddings built here: three problems, two languages each."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import polars as pl

from monitor.reports.themes import cluster, common_words, distinctive_words, examples, themes

END = datetime(2026, 5, 20, tzinfo=timezone.utc)
PROBLEMS = {
    "delivery": [("pl", "nie dostałem paczki, kurier nie przyjechał"), ("en", "the courier never brought my parcel")],
    "login": [("pl", "nie mogę się zalogować, hasło odrzucone"), ("en", "the login fails, my password is rejected")],
    "billing": [("pl", "nie rozumiem faktury, podwójna opłata"), ("en", "the invoice shows a double charge")],
}


def sample_and_embed(per_problem: int = 30, seed: int = 1):
    rng = np.random.default_rng(seed)
    centres = {name: rng.normal(size=32) for name in PROBLEMS}
    rows, vectors = [], {}
    for p_index, (name, phrasings) in enumerate(PROBLEMS.items()):
        for i in range(per_problem):
            lang, text = phrasings[i % 2]
            text = f"@acme {text} #{i}"
            created = END - timedelta(days=(i % 14), hours=p_index)
            if name == "billing" and i % 14 >= 7:
                created = END - timedelta(days=1)  # billing grew this week
            rows.append((len(rows), created, "x", "Acme", lang, f"user{i}", text, None, name))
            vector = centres[name] + rng.normal(scale=0.3, size=32)
            vectors[text] = vector / np.linalg.norm(vector)
    frame = pl.DataFrame(rows, orient="row", schema={
        "id": pl.Int64, "created_at": pl.Datetime("us", "UTC"), "source": pl.Utf8, "brand": pl.Utf8, "lang": pl.Utf8,
        "author_handle": pl.Utf8, "text": pl.Utf8, "url": pl.Utf8, "truth": pl.Utf8})
    return frame, lambda texts: np.stack([vectors[t] for t in texts])


def test_clusters_recover_the_problems() -> None:
    frame, embed = sample_and_embed()
    labels = cluster(embed(frame["text"].to_list()))
    assert len(set(labels.tolist())) == 3
    pairs = set(zip(frame["truth"].to_list(), labels.tolist()))
    assert len(pairs) == 3  # each problem is exactly one theme


def test_themes_are_named_in_the_customers_words_and_languages() -> None:
    frame, embed = sample_and_embed()
    result = themes(frame.drop("truth"), embed)
    assert result.themes.height == 3
    names = " ".join(result.themes["name"].to_list())
    words = " ".join(result.themes["words_by_lang"].to_list())
    for expected in ("paczki", "courier", "hasło", "password", "faktury", "invoice"):
        assert expected in words
    assert "acme" not in names and "nie" not in names.split(" · ")  # brand and everyday words say nothing
    assert "pl:" in words and "en:" in words


def test_share_this_week_against_last_week() -> None:
    frame, embed = sample_and_embed()
    result = themes(frame.drop("truth"), embed)
    billing = result.themes.filter(pl.col("words_by_lang").str.contains("invoice"))
    assert billing["this_week"][0] > billing["last_week"][0]
    assert abs(result.themes["this_week"].sum() - 1) < 1e-9
    weekly = result.weekly.group_by("theme").agg(pl.col("mentions").sum()).sort("theme")
    assert weekly["mentions"].to_list() == result.themes.sort("theme")["mentions"].to_list()


def test_examples_are_closest_to_the_theme_centre() -> None:
    frame, embed = sample_and_embed()
    result = themes(frame.drop("truth"), embed)
    shown = examples(result, 0, count=3)
    assert shown.height == 3
    distances = result.mentions.filter(pl.col("theme") == 0)["distance"]
    assert sorted(distances.to_list())[:3] == sorted(
        result.mentions.filter(pl.col("text").is_in(shown["text"].implode()))["distance"].to_list())


def test_common_words_and_distinctive_words() -> None:
    texts = ["the parcel is late", "the app crashes", "the invoice is wrong", "the parcel never came"] * 4
    labels = [0, 1, 2, 0] * 4
    common = common_words(texts, labels)
    assert "the" in common and "invoice" not in common and "parcel" not in common
    single = common_words(texts, [0] * len(texts))  # one theme: only what many of its mentions say
    assert "the" in single and "invoice" not in single
    words = distinctive_words(texts, labels, common)
    assert words[0][0] == "parcel" and "crashes" in words[1]


def test_negative_sample_finds_a_rare_query_beyond_the_newest_rows(sqlite_engine) -> None:
    """With a text query the sample is the newest negative mentions *that match*: three old
    complaints about a rare word are found behind 120 newer ones (the scan alone reads 50)."""
    import sqlalchemy as sa

    from monitor.mention import Author, Mention
    from monitor.reports.counts import Filters
    from monitor.reports.themes import negative_sample
    from monitor.store import rollups, schema
    from monitor.store.ingest import ingest

    posts = [Mention(source="x", external_id=f"n{i}", author=Author(f"u{i}"), created_at=END - timedelta(minutes=i),
                     text=f"kurier znowu się spóźnia #{i}", lang="pl", brand="Acme") for i in range(120)]
    posts += [Mention(source="x", external_id=f"r{i}", author=Author(f"r{i}"), created_at=END - timedelta(days=3, minutes=i),
                      text=f"Terminal płatniczy nie działa ({i})", lang="pl", brand="Acme") for i in range(3)]
    ids = ingest(sqlite_engine, posts).inserted_ids
    with sqlite_engine.begin() as connection:
        rollups.rescored(connection, dict.fromkeys(ids, "negative"))
        assert connection.execute(sa.select(sa.func.count()).select_from(schema.MentionRow.__table__)).scalar() == 123
    found = negative_sample(sqlite_engine, Filters(query='"terminal platniczy"'), limit=5)
    assert sorted(found["text"].to_list()) == [f"Terminal płatniczy nie działa ({i})" for i in range(3)]


def test_theme_names_skip_each_languages_everyday_words() -> None:
    """"już" and "raz" (Polish), "ήταν" (Greek, written with or without its accent) are in one
    theme's every mention, yet the name says what the problem is."""
    from monitor.reports.themes import _names

    rows = [(0, "pl", f"Już drugi raz paczka uszkodzona, zwrot {i}") for i in range(6)]
    rows += [(0, "el", f"Ήταν πάλι σπασμένο το δέμα {i}") for i in range(3)] + [(0, "el", "Ηταν σπασμένο δέμα")]
    rows += [(1, "pl", f"Faktura ma złą kwotę {i}") for i in range(6)]
    sample = pl.DataFrame(rows, schema={"theme": pl.Int64, "lang": pl.Utf8, "text": pl.Utf8}, orient="row")
    sample = sample.with_columns(pl.lit("Acme").alias("brand"))
    named = {row["theme"]: row for row in _names(sample, frozenset()).iter_rows(named=True)}
    words = named[0]["words_by_lang"]
    assert "paczka" in named[0]["name"] and "δέμα" in words
    assert not {"już", "raz", "ήταν", "ηταν"} & set(words.replace(";", ",").replace(":", ",").replace(" ", "").split(","))


def test_negative_sample_takes_this_week_and_last_week_alike(sqlite_engine) -> None:
    """Half the sample from each of the two weeks ending at the newest complaint, the rest from
    the other week when one is short; older and positive mentions are not sampled."""
    from monitor.mention import Author, Mention
    from monitor.reports.counts import Filters
    from monitor.reports.themes import negative_sample
    from monitor.store import rollups
    from monitor.store.ingest import ingest

    def post(key: str, age: timedelta) -> Mention:
        return Mention(source="x", external_id=key, author=Author(key), created_at=END - age,
                       text=f"paczka nie doszła {key}", lang="pl", brand="Acme")

    posts = [post(f"this{i}", timedelta(hours=i)) for i in range(30)]
    posts += [post(f"last{i}", timedelta(days=8, hours=i)) for i in range(3)]
    posts += [post(f"old{i}", timedelta(days=20, hours=i)) for i in range(5)]
    ids = ingest(sqlite_engine, posts + [post("happy", timedelta(hours=1, minutes=5))]).inserted_ids
    with sqlite_engine.begin() as connection:
        rollups.rescored(connection, {i: "negative" for i in ids[:-1]} | {ids[-1]: "positive"})
    sample = negative_sample(sqlite_engine, Filters(), limit=10)
    keys = [text.split()[-1] for text in sample["text"].to_list()]
    assert keys == [f"this{i}" for i in range(7)] + ["last0", "last1", "last2"]  # 3 last week: 7 this
    sample = negative_sample(sqlite_engine, Filters(), limit=4)
    assert [text.split()[-1] for text in sample["text"].to_list()] == ["this0", "this1", "last0", "last1"]


def test_themes_come_from_the_vectors_stored_at_scoring_time(tmp_path) -> None:
    """Scoring stores each negative mention's vector; the themes report then needs no model, and
    says how many sampled mentions it had to leave out."""
    from datetime import datetime, timedelta, timezone

    import numpy as np

    from monitor.jobs.scoring import embed_missing, score_pending
    from monitor.mention import Author, Mention
    from monitor.reports.counts import Filters
    from monitor.reports.themes import stored_themes
    from monitor.store.engine import make_engine, upgrade
    from monitor.store.ingest import ingest

    class Result:
        def __init__(self, label: str) -> None:
            self.label, self.score, self.lang = label, 0.9, "en"
            self.probs = {"negative": 0.9 if label == "negative" else 0.1}

    class Scorer:
        name = "fake"
        embedded = 0

        def classify(self, texts, langs=None):
            return [Result("negative" if "broken" in t or "late" in t else "positive") for t in texts]

        def embed(self, texts):
            self.embedded += len(texts)
            return np.array([[1.0, 0.0] if "broken" in t else [0.0, 1.0] for t in texts], dtype=np.float32)

    engine = make_engine(f"sqlite:///{tmp_path / 'themes.db'}")
    upgrade(engine)
    now = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    texts = [f"app broken again {n}" for n in range(20)] + [f"parcel late again {n}" for n in range(20)] + ["love it"]
    ingest(engine, [Mention("x", str(n), text, now - timedelta(hours=n), Author(f"a{n}"), lang="en", brand="Acme")
                    for n, text in enumerate(texts)])
    scorer = Scorer()
    score_pending(engine, scorer)
    assert scorer.embedded == 40  # the negative ones, once, when scored
    result = stored_themes(engine, Filters(), 100)  # no embedding function: stored vectors only
    assert result.unembedded == 0 and result.mentions.height == 40
    assert sorted(result.themes["mentions"].to_list()) == [20, 20]
    assert embed_missing(engine, scorer) == 0  # nothing left to backfill
