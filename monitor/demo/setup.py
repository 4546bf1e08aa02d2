"""`nasluch demo`: the generated demo data set, stored the same way an import is."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from monitor.demo.brands import DEMO_BRANDS
from monitor.demo.generator import generate
from monitor.query.parser import BrandMatcher
from monitor.store import schema
from monitor.store.ingest import ingest, ingest_replies

log = logging.getLogger(__name__)


def load_demo(app: Any, seed: int = 7, mentions: int = 20_000) -> dict[str, int]:
    """Generate and store the demo set once; a database that already has mentions is left alone."""
    engine = app.engine
    with engine.connect() as connection:
        existing = connection.execute(sa.select(sa.func.count()).select_from(schema.MentionRow.__table__)).scalar()
    if existing:
        log.info("the database already holds %d mentions; not adding demo data", existing)
        return {"mentions": 0, "replies": 0}
    batch = generate(seed=seed, mentions=mentions)
    matcher = app.matcher() or BrandMatcher(DEMO_BRANDS)
    stored = ingest(engine, batch.mentions, matcher)
    replies = ingest_replies(engine, batch.replies)
    closed = close_answered_history(engine)
    return {"mentions": stored.inserted, "replies": replies.replies_inserted, "closed": closed}


def close_answered_history(engine, keep_open: timedelta = timedelta(days=2),
                           give_up: timedelta = timedelta(days=7)) -> int:
    """A team works its inbox: answered conversations older than two days, and any older than a
    week, are closed, so the demo inbox holds what a shift would really face."""
    conversation, reply = schema.ConversationRow.__table__, schema.ReplyRow.__table__
    mention = schema.MentionRow.__table__
    cutoff = datetime.now(timezone.utc) - keep_open
    answered = sa.select(reply.c.conversation_id).where(reply.c.state == "sent")
    with engine.begin() as connection:
        old = datetime.now(timezone.utc) - give_up
        closed = connection.execute(conversation.update().where(sa.or_(
            sa.and_(conversation.c.id.in_(answered), conversation.c.started_at < cutoff),
            conversation.c.started_at < old)).values(status="closed")).rowcount
        connection.execute(mention.update().where(mention.c.conversation_id.in_(
            sa.select(conversation.c.id).where(conversation.c.status == "closed"))).values(status="closed"))
    return closed
