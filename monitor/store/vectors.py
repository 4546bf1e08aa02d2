"""Sentence vectors of negative mentions, stored when they are scored (`monitor.jobs.scoring`)
and read by the Complaint themes report, so a page view never runs the model.

Vectors are L2-normalised and kept as float16 (384 dimensions: 768 bytes a mention); clustering
does not notice the lost precision. The model's name is kept beside each vector: vectors of
different models do not mix.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa

from monitor.store import schema

VECTOR = schema.MentionVectorRow.__table__


def save(connection: sa.Connection, ids: Sequence[int], model: str, vectors: np.ndarray) -> None:
    """Store (or replace) the vectors of `ids`, in the caller's transaction."""
    if not len(ids):
        return
    connection.execute(VECTOR.delete().where(VECTOR.c.mention_id.in_(list(ids))))
    rows = [{"mention_id": int(i), "model": model, "vector": np.asarray(v, dtype=np.float16).tobytes()}
            for i, v in zip(ids, vectors)]
    connection.execute(VECTOR.insert(), rows)


def load(connection: sa.Connection, ids: Sequence[int], model: str | None = None) -> dict[int, np.ndarray]:
    """The stored vectors of `ids` (of `model`, or of the model most of them have), as float32."""
    found: dict[int, tuple[str, bytes]] = {}
    for start in range(0, len(ids), 900):  # SQLite's parameter limit
        chunk = [int(i) for i in ids[start:start + 900]]
        statement = sa.select(VECTOR.c.mention_id, VECTOR.c.model, VECTOR.c.vector).where(VECTOR.c.mention_id.in_(chunk))
        found.update({row[0]: (row[1], row[2]) for row in connection.execute(statement)})
    if model is None and found:
        names = [name for name, _ in found.values()]
        model = max(set(names), key=names.count)
    return {i: np.frombuffer(blob, dtype=np.float16).astype(np.float32)
            for i, (name, blob) in found.items() if name == model}


def missing_negative(connection: sa.Connection, limit: int) -> list[tuple[int, str]]:
    """The newest negative mentions without a vector: (id, text), for a backfill."""
    mention = schema.MentionRow.__table__
    statement = (sa.select(mention.c.id, mention.c.text)
                 .outerjoin(VECTOR, VECTOR.c.mention_id == mention.c.id)
                 .where(mention.c.sentiment == "negative", VECTOR.c.mention_id.is_(None))
                 .order_by(mention.c.created_at.desc(), mention.c.id.desc()).limit(limit))
    return [(int(i), text) for i, text in connection.execute(statement)]
