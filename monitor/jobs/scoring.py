"""Score stored mentions with the sentiment model: label, score, language and priority.

Scoring is resumable: it takes unscored mentions newest first (the inbox and this week's charts
fill first), writes each batch in its own transaction, and a rerun continues where it stopped.
The rollups move in the same transaction, so the dashboard's counts stay exact.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa
from sqlalchemy import Engine

from monitor.query.fold import fold_expr
from monitor.query.parser import parse
from monitor.store import rollups, schema, vectors
from sentiment.priority import priority  # light (math): the model itself loads in load_scorer_for

log = logging.getLogger(__name__)
MENTION = schema.MentionRow.__table__
CONVERSATION = schema.ConversationRow.__table__
CORRECTION = schema.LabelCorrectionRow.__table__
# Mentions per scoring transaction. The model sorts each batch's texts by length, so a larger batch
# pads less and commits less often: the demo's newest 3,000 mentions took 39.4 s in batches of 64,
# 32.3 s in 256, 28.5 s in 512 and 29.5 s in 1,024 (two idle cores). A stop (SIGTERM) waits for
# the batch in hand: about 5 s.
BATCH = 512
BACKFILL = 2_000   # negative mentions given a vector after a `score` run (the themes sample is 400)
UNSCORED = MENTION.c.sentiment.is_(None)
# scored, in a conversation not yet closed, and never relabelled by an agent
RESCORABLE = sa.and_(
    MENTION.c.sentiment.is_not(None),
    MENTION.c.conversation_id.in_(sa.select(CONVERSATION.c.id).where(CONVERSATION.c.status != "closed")),
    MENTION.c.id.not_in(sa.select(CORRECTION.c.mention_id).where(CORRECTION.c.mention_id.is_not(None))))

# Phrases that mark a complaint in the eight languages the team reads; a brand's own
# `complaints:` queries in config.yaml are added to these.
DEFAULT_COMPLAINTS = (
    '"nie działa" OR "nie dziala" OR reklamacj* OR "nikt nie odpowiada" OR "czekam" OR zwrot* OR uszkodzon* OR '
    '"doesn\'t work" OR "not working" OR "still waiting" OR refund* OR broken OR "no answer" OR '
    '"non funziona" OR rimborso OR "nessuna risposta" OR '
    '"nu funcționează" OR "nu merge" OR rambursare OR '
    '"δεν λειτουργεί" OR "δεν δουλεύει" OR επιστροφή OR '
    '"funktioniert nicht" OR erstattung OR "keine antwort" OR '
    '"no funciona" OR reembolso OR "sin respuesta" OR '
    '"ne fonctionne pas" OR "ne marche pas" OR remboursement OR "aucune réponse"'
)


@dataclass
class ScoreResult:
    scored: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"scored": self.scored, "seconds": round(self.seconds, 2)}


def complaint_expr(extra_queries: list[str]) -> pl.Expr:
    """True where the folded text holds a complaint phrase (defaults plus the brands' own)."""
    expr = parse(DEFAULT_COMPLAINTS).expr()
    for text in extra_queries:
        expr = expr | parse(text).expr()
    return expr


COLUMNS = ("id", "text", "lang", "source", "author_handle", "author_followers")


def _unscored(engine: Engine, limit: int) -> pl.DataFrame:
    query = (sa.select(*(MENTION.c[name] for name in COLUMNS)).where(UNSCORED)
             .order_by(MENTION.c.created_at.desc(), MENTION.c.id.desc()).limit(limit))
    return _frame(engine, query)


def _frame(engine: Engine, query: sa.Select) -> pl.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pl.DataFrame(rows, schema={"id": pl.Int64, "text": pl.Utf8, "lang": pl.Utf8, "source": pl.Utf8,
                                      "author_handle": pl.Utf8, "author_followers": pl.Int64}, orient="row")


def score_batch(engine: Engine, scorer: Any, frame: pl.DataFrame, complaints: pl.Expr,
                weights: Any, still: sa.ColumnElement[bool] = UNSCORED, vectors_too: bool = True) -> int:
    """Score `frame`'s mentions and write the rows that are `still` to be scored (another worker
    may have taken some meanwhile)."""
    # a language the network gave is kept, so only the others are detected (lingua: ~1.3 ms a text)
    results = scorer.classify(frame["text"].to_list(), frame["lang"].to_list())
    complaining = _complaining(frame, complaints)
    updates = []
    for row, result, complaint in zip(frame.iter_rows(named=True), results, complaining):
        updates.append({
            "_id": row["id"], "sentiment": result.label, "sentiment_score": round(float(result.score), 4),
            "lang": row["lang"] or result.lang,
            "priority": priority(float(result.probs["negative"]), followers=row["author_followers"],
                                 complaint_match=bool(complaint), network=row["source"], weights=weights),
        })
    statement = (MENTION.update().where(MENTION.c.id == sa.bindparam("_id"))
                 .values(sentiment=sa.bindparam("sentiment"), sentiment_score=sa.bindparam("sentiment_score"),
                         lang=sa.bindparam("lang"), priority=sa.bindparam("priority")))
    negative_ids, negative_vectors = (_negative_vectors(scorer, frame, results) if vectors_too
                                      else ([], np.zeros((0, 0), dtype=np.float32)))
    with engine.begin() as connection:
        claimed = _claim(connection, [u["_id"] for u in updates], still)
        updates = [u for u in updates if u["_id"] in claimed]
        if updates:
            with rollups.changing(connection, sorted(claimed)):
                connection.execute(statement, updates)
            kept = [n for n, i in enumerate(negative_ids) if i in claimed]
            vectors.save(connection, [negative_ids[n] for n in kept], _model_name(scorer), negative_vectors[kept])
    return len(updates)


def _negative_vectors(scorer: Any, frame: pl.DataFrame, results: list[Any]) -> tuple[list[int], np.ndarray]:
    """Sentence vectors of the mentions labelled negative, for complaint themes (a scorer without
    `embed`, as in tests, stores none). Computed here, once per mention, so the Complaint themes
    page never has to run the model."""
    rows = [(i, text) for i, text, result in zip(frame["id"], frame["text"], results) if result.label == "negative"]
    if not rows or not hasattr(scorer, "embed"):
        return [], np.zeros((0, 0), dtype=np.float32)
    return [i for i, _ in rows], np.asarray(scorer.embed([text for _, text in rows]), dtype=np.float32)


def _model_name(scorer: Any) -> str:
    return str(getattr(scorer, "name", "unknown"))


def embed_missing(engine: Engine, scorer: Any, limit: int = 2_000, batch: int = BATCH) -> int:
    """Store vectors for negative mentions scored before vectors were kept (newest first, up to
    `limit`): what the Complaint themes page samples."""
    done = 0
    while done < limit and hasattr(scorer, "embed"):
        with engine.connect() as connection:
            rows = vectors.missing_negative(connection, min(batch, limit - done))
        if not rows:
            break
        found = np.asarray(scorer.embed([text for _, text in rows]), dtype=np.float32)
        with engine.begin() as connection:
            vectors.save(connection, [i for i, _ in rows], _model_name(scorer), found)
        done += len(rows)
    return done


def _complaining(frame: pl.DataFrame, complaints: pl.Expr) -> list[bool]:
    """Per row of `frame` (a `text` column): does a complaint phrase match?"""
    return frame.with_columns(fold_expr(pl.col("text")).alias("_folded")).select(complaints)[:, 0].to_list()


def _claim(connection: sa.Connection, ids: list[int], still: sa.ColumnElement[bool]) -> set[int]:
    """Lock the rows `still` to be scored; another worker that scored them first keeps them.

    The no-op UPDATE takes the write lock (SQLite) or the row locks (PostgreSQL) before the
    rollup reads the rows' cells, so two `nasluch run` workers never move the same counts twice.
    """
    claim = (MENTION.update().where(MENTION.c.id.in_(ids), still)
             .values(sentiment=MENTION.c.sentiment).returning(MENTION.c.id))
    return set(connection.execute(claim).scalars())


def score_pending(engine: Engine, scorer: Any, *, weights: Any = None, complaint_queries: list[str] = (),
                  batch: int = BATCH, limit: int | None = None,
                  progress: Callable[[int], None] | None = None, vectors_too: bool = True,
                  stop: Callable[[], bool] | None = None) -> ScoreResult:
    """Score every unscored mention (or `limit` of them), newest first, batch by batch; with
    `vectors_too`, store the negative ones' theme vectors in the same step. `stop` is asked
    between batches: a worker told to stop (SIGTERM) ends after the batch in hand, its work saved."""
    started, result = time.perf_counter(), ScoreResult()
    complaints = complaint_expr(list(complaint_queries))
    while (limit is None or result.scored < limit) and not (stop and stop()):
        size = batch if limit is None else min(batch, limit - result.scored)
        frame = _unscored(engine, size)
        if frame.is_empty():
            break
        result.scored += score_batch(engine, scorer, frame, complaints, weights, vectors_too=vectors_too)
        if progress:
            progress(frame.height)
    result.seconds = time.perf_counter() - started
    return result


def rescore_open(engine: Engine, scorer: Any, *, weights: Any = None, complaint_queries: list[str] = (),
                 batch: int = BATCH, progress: Callable[[int], None] | None = None) -> ScoreResult:
    """Score again, with the model now in use, every mention of a conversation not yet closed.

    After `nasluch model train` replaces the model the open inbox is ordered by the new scores at
    once. Closed conversations keep the labels they were handled with (the charts do not shift
    under a finished week), and a label an agent corrected is never overwritten. Batches go in id
    order, each in its own transaction, so an interrupted run leaves every row either old or new.
    """
    started, result = time.perf_counter(), ScoreResult()
    complaints = complaint_expr(list(complaint_queries))
    after = 0
    while True:
        query = (sa.select(*(MENTION.c[name] for name in COLUMNS)).where(RESCORABLE, MENTION.c.id > after)
                 .order_by(MENTION.c.id).limit(batch))
        frame = _frame(engine, query)
        if frame.is_empty():
            break
        after = int(frame["id"].max())
        result.scored += score_batch(engine, scorer, frame, complaints, weights, still=RESCORABLE)
        if progress:
            progress(frame.height)
    result.seconds = time.perf_counter() - started
    return result


def rescorable_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(MENTION).where(RESCORABLE)).scalar_one()


def pending_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(MENTION).where(UNSCORED)).scalar_one()


def correct_label(engine: Engine, mention_id: int, label: str, agent: str, *, weights: Any = None,
                  complaint_queries: list[str] = ()) -> None:
    """An agent's correction: the mention takes the label now, and `model train` learns from it.

    The agent is sure, so the label's score becomes 1 and the priority is computed again with
    P(negative) 1 or 0 (same reach, network and complaint phrases: `weights` and the brands'
    `complaint_queries`), so a complaint the model missed moves up the inbox at once."""
    from monitor.trust import auth
    from sentiment.priority import priority

    if label not in ("negative", "neutral", "positive"):
        raise ValueError(f"label {label!r}: expected negative, neutral or positive")
    auth.require(engine, agent, "agent")  # a viewer cannot relabel, whatever the UI shows
    audit = schema.AuditEntryRow.__table__
    now = datetime.now(timezone.utc)
    with engine.begin() as connection:
        row = connection.execute(sa.select(MENTION.c.text, MENTION.c.lang, MENTION.c.sentiment, MENTION.c.source,
                                           MENTION.c.author_followers).where(MENTION.c.id == mention_id)).first()
        if row is None:
            raise KeyError(mention_id)
        complaint = _complaining(pl.DataFrame({"text": [row.text]}), complaint_expr(list(complaint_queries)))[0]
        connection.execute(CORRECTION.insert().values(mention_id=mention_id, text=row.text, lang=row.lang,
                                                      label=label, previous=row.sentiment, agent=agent, at=now))
        rollups.rescored(connection, {mention_id: label})
        connection.execute(MENTION.update().where(MENTION.c.id == mention_id).values(
            sentiment_score=1.0,
            priority=priority(float(label == "negative"), followers=row.author_followers,
                              complaint_match=bool(complaint), network=row.source, weights=weights)))
        connection.execute(audit.insert().values(at=now, actor=agent, action="sentiment.corrected",
                                                 target=f"mention:{mention_id}",
                                                 detail={"from": row.sentiment, "to": label}))


def corrections(engine: Engine) -> list[dict[str, Any]]:
    """Every stored correction as a training example (the newest wins for a repeated text)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(CORRECTION.c.text, CORRECTION.c.label, CORRECTION.c.lang)
                                  .order_by(CORRECTION.c.at)).all()
    latest = {row.text: {"text": row.text, "label": row.label, "lang": row.lang} for row in rows}
    return list(latest.values())


def correction_log(engine: Engine, limit: int = 500) -> pl.DataFrame:
    """The newest corrections first: when, who, the language, the label before and after, the text."""
    query = (sa.select(CORRECTION.c.at, CORRECTION.c.agent, CORRECTION.c.lang, CORRECTION.c.previous,
                       CORRECTION.c.label, CORRECTION.c.text)
             .order_by(CORRECTION.c.at.desc(), CORRECTION.c.id.desc()).limit(limit))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pl.DataFrame(rows, schema={"at": pl.Datetime("us", "UTC"), "agent": pl.Utf8, "lang": pl.Utf8,
                                      "previous": pl.Utf8, "label": pl.Utf8, "text": pl.Utf8}, orient="row")


def load_scorer_for(settings: Any) -> Any:
    """The scorer the config asks for (`settings` is the validated config's `settings`)."""
    # the model's room (numpy, onnxruntime, lingua, and torch for a fine-tuned encoder) loads here,
    # not when this module is imported: `nasluch search` and friends never score
    from sentiment.model import load_scorer

    return load_scorer(settings.sentiment)


def score_all(engine: Engine, settings: Any, limit: int | None = None,
              progress: Callable[[int], None] | None = None) -> ScoreResult:
    """`nasluch score`: every unscored mention, newest first, in batches of `BATCH` (or the configured
    batch size, if larger); then vectors for the newest negative mentions scored before vectors were
    stored (themes)."""
    scorer = load_scorer_for(settings)
    result = score_pending(engine, scorer, batch=max(settings.sentiment.batch_size, BATCH),
                           limit=limit, progress=progress, **settings.priority_inputs())
    embed_missing(engine, scorer, limit=BACKFILL)
    return result


def rescore_all_open(engine: Engine, settings: Any, progress: Callable[[int], None] | None = None) -> ScoreResult:
    """Score every mention of a conversation not yet closed again, with the model in use."""
    return rescore_open(engine, load_scorer_for(settings), batch=max(settings.sentiment.batch_size, BATCH),
                        progress=progress, **settings.priority_inputs())
