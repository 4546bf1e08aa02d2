"""The database schema, as SQLModel row classes (`MentionRow`, ...; the values collectors make are in
`monitor.mention`). Only `monitor/` code imports this module.

Every time is stored as UTC. SQLite keeps no zone, so `UTCDateTime` writes naive UTC and hands
back aware UTC values on both SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import JSON, Column, Field, SQLModel


class UTCDateTime(TypeDecorator):
    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store UTC-aware values")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _time(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class ConversationRow(SQLModel, table=True):
    """A thread, keyed by the network's id of its root post."""
    __tablename__ = "conversation"

    __table_args__ = (sa.UniqueConstraint("source", "root_key", name="uq_conversation_root"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    root_key: str = Field(max_length=255)
    brand: str | None = Field(default=None, max_length=200, index=True)
    started_at: datetime = _time()
    status: str = Field(default="open", max_length=10, index=True)
    assignee: str | None = Field(default=None, max_length=200)


class MentionRow(SQLModel, table=True):
    __tablename__ = "mention"
    __table_args__ = (
        sa.UniqueConstraint("source", "external_id", name="uq_mention_source_external"),
        sa.Index("ix_mention_author", "source", "author_handle"),
    )
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    source_name: str | None = Field(default=None, max_length=100)
    external_id: str = Field(max_length=255)
    url: str | None = None
    author_handle: str = Field(max_length=255)
    author_name: str | None = None
    author_followers: int | None = None
    text: str
    lang: str | None = Field(default=None, max_length=8)
    created_at: datetime = _time(index=True)
    collected_at: datetime = _time()
    brand: str | None = Field(default=None, max_length=200)
    matched: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    in_reply_to: str | None = Field(default=None, max_length=255)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True)
    sentiment: str | None = Field(default=None, max_length=10)
    sentiment_score: float | None = None
    priority: float | None = None
    status: str = Field(default="open", max_length=10)
    assignee: str | None = Field(default=None, max_length=200)
    # Moderation and changes on the network (issue 8): a hidden comment stays here and in its
    # conversation, marked; an edited one keeps its row with the new text; a deleted one is marked.
    hidden: bool = Field(default=False, sa_column=Column(sa.Boolean, nullable=False, default=False,
                                                         server_default=sa.false()))
    edited_at: datetime | None = _time(nullable=True)
    deleted_at: datetime | None = _time(nullable=True)


class ReplyRow(SQLModel, table=True):
    """A brand's post: imported from history, or written in the dashboard and sent via the outbox."""
    __tablename__ = "reply"

    __table_args__ = (sa.UniqueConstraint("source", "external_id", name="uq_reply_source_external"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    external_id: str | None = Field(default=None, max_length=255)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True)
    mention_id: int | None = Field(default=None, foreign_key="mention.id", index=True)
    in_reply_to: str | None = Field(default=None, max_length=255)
    agent: str = Field(max_length=200)
    text: str
    created_at: datetime = _time(index=True)
    state: str = Field(default="queued", max_length=10, index=True)
    error: str | None = None
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)
    url: str | None = None


class NoteRow(SQLModel, table=True):
    """An internal note; `idempotency_key` is the form submission's token, so a double click
    stores one note (migration 0009)."""
    __tablename__ = "note"
    __table_args__ = (sa.Index("uq_note_idempotency_key", "idempotency_key", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    agent: str = Field(max_length=200)
    text: str
    created_at: datetime = _time()
    idempotency_key: str | None = Field(default=None, max_length=64)


class TagRow(SQLModel, table=True):
    __tablename__ = "tag"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)


class MentionTagRow(SQLModel, table=True):
    __tablename__ = "mentiontag"
    mention_id: int = Field(foreign_key="mention.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True)


class AgentRow(SQLModel, table=True):
    __tablename__ = "agent"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    role: str = Field(default="agent", max_length=10)


class SourceStateRow(SQLModel, table=True):
    """Per-source cursor and health; the cursor moves only after its batch is committed."""
    __tablename__ = "sourcestate"

    name: str = Field(primary_key=True, max_length=100)
    type: str = Field(max_length=40)
    cursor: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_run: datetime | None = _time(nullable=True)
    last_success: datetime | None = _time(nullable=True)
    last_error: str | None = None
    last_error_at: datetime | None = _time(nullable=True)
    paused_until: datetime | None = _time(nullable=True)
    needs_credentials: bool = False
    next_run: datetime | None = _time(nullable=True)


class AuditEntryRow(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _time(index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=60)
    target: str | None = Field(default=None, max_length=255)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --- inbox and outbox (issue 6) -------------------------------------------------------------

def _cascade(target: str, primary_key: bool = False, index: bool = False) -> Any:
    """A foreign key that goes with its row: erasing an author deletes replies and conversations."""
    return Field(sa_column=Column(sa.Integer, sa.ForeignKey(target, ondelete="CASCADE"),
                                  primary_key=primary_key, nullable=False, index=index))


class MentionVectorRow(SQLModel, table=True):
    """A negative mention's sentence vector (float16), stored when it is scored so the Complaint
    themes page clusters without loading the model (`monitor.store.vectors`)."""

    __tablename__ = "mention_vector"
    mention_id: int = _cascade("mention.id", primary_key=True)
    model: str = Field(max_length=200)
    vector: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))


class ReplyDeliveryRow(SQLModel, table=True):
    """Outbox bookkeeping for a reply written here (imported history has none).

    `lost_response` marks a try whose answer never came: the post may exist, so the next try
    uses the network's idempotency or looks for the reply on the network first.
    """

    __tablename__ = "reply_delivery"
    reply_id: int = _cascade("reply.id", primary_key=True)
    queued_at: datetime = _time()
    attempts: int = 0
    lost_response: bool = False
    first_try_at: datetime | None = _time(nullable=True)
    next_attempt_at: datetime | None = _time(nullable=True, index=True)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = _time(nullable=True)
    error_kind: str | None = Field(default=None, max_length=20)


class SavedReplyRow(SQLModel, table=True):
    """A reply template for a brand and language (None: any), with {author} {agent} {brand}."""

    __tablename__ = "saved_reply"
    id: int | None = Field(default=None, primary_key=True)
    brand: str | None = Field(default=None, max_length=200, index=True)
    lang: str | None = Field(default=None, max_length=8)
    title: str = Field(max_length=200)
    text: str
    created_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = _time()


class PresenceRow(SQLModel, table=True):
    """Who has a conversation open, or a reply drafted, as of their last heartbeat."""
    __tablename__ = "presence"

    conversation_id: int = _cascade("conversation.id", primary_key=True)
    agent: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = _time(index=True)
    drafting: bool = False


class MentionRollupRow(SQLModel, table=True):
    """Mentions counted per UTC hour × brand × source × language × sentiment, kept current at ingest
    and on rescoring (`monitor.store.rollups`), so dashboard pages never read a million rows.

    `hour` is whole hours since 1970-01-01 UTC; an unknown brand, language or a sentiment not scored
    yet is stored as "" because a NULL cannot be part of a primary key.
    """

    __tablename__ = "mention_rollup"
    __table_args__ = {"sqlite_with_rowid": False}
    hour: int = Field(primary_key=True)
    brand: str = Field(primary_key=True, max_length=200)
    source: str = Field(primary_key=True, max_length=40)
    lang: str = Field(primary_key=True, max_length=8)
    sentiment: str = Field(primary_key=True, max_length=10)
    mentions: int = 0


class AlertSentRow(SQLModel, table=True):
    """One spike alert per brand and hour, so a spike is announced once and a failed send is retried."""

    __tablename__ = "alert_sent"
    brand: str = Field(primary_key=True, max_length=200)
    hour: int = Field(primary_key=True)
    mentions: int
    usual: float
    sent_at: datetime = _time()
    delivered: bool = False
    error: str | None = None


class BrandRollupRow(SQLModel, table=True):
    """`mention_rollup` without source and language: the same counts in ~15 times fewer cells, for
    the views that neither split nor filter by source or language (time lines, heat maps, spikes)."""

    __tablename__ = "mention_rollup_brand"
    __table_args__ = {"sqlite_with_rowid": False}
    hour: int = Field(primary_key=True)
    brand: str = Field(primary_key=True, max_length=200)
    sentiment: str = Field(primary_key=True, max_length=10)
    mentions: int = 0


def _coarser_rollup(name: str, unit: str) -> sa.Table:
    """`mention_rollup`'s counts summed over a coarser time unit (see the two tables below)."""
    return sa.Table(
        name, SQLModel.metadata,
        sa.Column(unit, sa.Integer, primary_key=True),
        *(sa.Column(column, sa.String(length), primary_key=True)
          for column, length in (("brand", 200), ("source", 40), ("lang", 8), ("sentiment", 10))),
        sa.Column("mentions", sa.Integer, nullable=False, default=0),
        sqlite_with_rowid=False,
    )


# Per UTC day (`day` = hour // 24) and per 168-hour week since the epoch (`week` = hour // 168;
# these weeks start on Thursday 00:00 UTC: a storage unit, never shown). A long period is counted
# from whole weeks, then whole days, then the hours at its edges (`monitor.store.rollups.pieces`): an
# all-time breakdown reads ~40,000 week cells instead of ~800,000 hour cells.
DAY_ROLLUP = _coarser_rollup("mention_rollup_day", "day")
WEEK_ROLLUP = _coarser_rollup("mention_rollup_week", "week")


# "Most-reached authors" walks this index from the top instead of sorting the period's mentions.
sa.Index("ix_mention_followers", MentionRow.__table__.c.author_followers)


# --- trust: dashboard users (issue 7) ---------------------------------------------------------

class AppUserRow(SQLModel, table=True):
    """Someone who may sign in to the dashboard, and what they may do there.

    `password_hash` is an argon2id hash (never the password); it is empty for a user who only
    signs in through the identity provider (`email` is then how they are recognised). Config
    `agents:` are copied here at start (`managed_by = "config"`), so every role check below the
    UI reads one table.
    """

    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    role: str = Field(default="viewer", max_length=10)
    password_hash: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255, unique=True)
    managed_by: str = Field(default="database", max_length=10)
    disabled: bool = Field(default=False, sa_column=Column(sa.Boolean, nullable=False, default=False,
                                                           server_default=sa.false()))
    created_at: datetime = _time()


# Scoring walks unscored mentions newest first; a partial index holds only those rows, so it
# stays tiny. (Single-column indexes on brand, language and sentiment were dropped in 0006: the
# dashboard reads rollups, and each index cost ingest throughput for no query that used it.)
sa.Index("ix_mention_unscored", MentionRow.__table__.c.created_at,
         sqlite_where=MentionRow.__table__.c.sentiment.is_(None), postgresql_where=MentionRow.__table__.c.sentiment.is_(None))


# --- sentiment: agents' label corrections (issue 4) ---------------------------------------------

class LabelCorrectionRow(SQLModel, table=True):
    """An agent said the model's label was wrong; `nasluch model train` learns from these.

    The text is kept with the correction so retraining does not depend on the mention surviving
    (erasure of its author removes the correction too, see monitor/privacy.py)."""

    __tablename__ = "label_correction"
    id: int | None = Field(default=None, primary_key=True)
    mention_id: int | None = Field(default=None, foreign_key="mention.id", index=True)
    text: str
    lang: str | None = Field(default=None, max_length=8)
    label: str = Field(max_length=10)
    previous: str | None = Field(default=None, max_length=10)
    agent: str = Field(max_length=200)
    at: datetime = _time()
