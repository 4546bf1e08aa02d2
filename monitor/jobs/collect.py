"""One collection round per source, and each source's health.

The order matters for "never skip, never duplicate": fetch, store the mentions (committed), and
only then save the source's new cursor. A crash in between re-reads a page next round, and the
unique `(source, external_id)` turns that page into duplicates that are not stored twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite

from collectors import REGISTRY
from monitor.config import Config
from monitor.query.parser import BrandMatcher, parse
from monitor.store import schema
from monitor.store.ingest import ingest
from monitor.store.refresh import refresh_mentions
from monitor.trust.redaction import redact_posts
from networks.errors import AuthFailed, CollectorError, NotConfigured, ParseError, RateLimited
from networks.http import SkipTally, counting_skips
from networks.secrets import mask

log = logging.getLogger(__name__)
USER_AGENT = "Nasluch/0.1 (self-hosted brand listening; +https://github.com/nasluch/nasluch)"
STATE = schema.SourceStateRow.__table__


@dataclass
class RoundResult:
    fetched: int = 0
    inserted: int = 0
    error: str | None = None
    skipped: int = 0  # malformed items left out of the round (each logged with the field it lacked)

    def as_json(self) -> dict[str, Any]:
        return {"fetched": self.fetched, "inserted": self.inserted, "skipped": self.skipped,
                "error": self.error}


def http_client() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True,
                        headers={"User-Agent": USER_AGENT})


@dataclass(frozen=True)
class Plan:
    """What every round needs from the config, worked out once: matcher, search terms, own handles."""

    matcher: BrandMatcher | None
    terms: list[str]
    own_handles: frozenset[str]
    redact: bool = False

    @classmethod
    def of(cls, config: Config) -> "Plan":
        brands = config.settings.brands
        return cls(BrandMatcher(config.settings.brand_queries()) if brands else None, search_terms(config),
                   frozenset(h.lower().lstrip("@") for brand in brands for h in brand.handles),
                   config.settings.privacy.redact_contacts)


def search_terms(config: Config) -> list[str]:
    """Every positive term of every brand query, once, for APIs that search remotely."""
    terms: list[str] = []
    for queries in config.settings.brand_queries().values():
        for text in queries:
            terms.extend(term for term in parse(text).search_terms() if term not in terms)
    return terms


def load_state(engine: Engine, name: str, kind: str) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(sa.select(STATE).where(STATE.c.name == name)).mappings().first()
    return dict(row) if row else {"name": name, "type": kind, "cursor": {}, "paused_until": None}


def save_state(engine: Engine, name: str, kind: str, **values: Any) -> None:
    """Upsert a source's state row in one statement: two workers saving a new source's first state
    at the same moment both succeed (the second updates) instead of one failing on the key."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(STATE).values(name=name, type=kind, **({"cursor": {}} | values))
    statement = (statement.on_conflict_do_update(index_elements=[STATE.c.name], set_=values) if values
                 else statement.on_conflict_do_nothing(index_elements=[STATE.c.name]))
    with engine.begin() as connection:
        connection.execute(statement)


def _record_failure(engine: Engine, settings: Any, error: CollectorError, now: datetime) -> None:
    values: dict[str, Any] = {"last_error": mask(error.message), "last_error_at": now, "last_run": now,
                              "next_run": now + settings.every}
    if isinstance(error, RateLimited):
        values["paused_until"] = error.reset_at
        values["next_run"] = max(error.reset_at, now + settings.every)
    if isinstance(error, (AuthFailed, NotConfigured)):
        values["needs_credentials"] = True
    save_state(engine, settings.name, settings.type, **values)


def collect_source(engine: Engine, settings: Any, plan: Plan, client: httpx.Client,
                   now: datetime | None = None) -> RoundResult:
    """One round for one source; every failure, expected or not, becomes this source's recorded,
    readable error and never reaches the other sources of the round."""
    now = now or datetime.now(timezone.utc)
    state = load_state(engine, settings.name, settings.type)
    paused = state.get("paused_until")
    if paused and paused > now:
        return RoundResult(error=f"rate limited by the network: paused until {paused:%Y-%m-%d %H:%M} UTC")
    with counting_skips() as skipped:
        try:
            return _fetch_and_store(engine, settings, plan, client, state, now, skipped)
        except CollectorError as error:
            log.warning("source %s: %s", settings.name, error.message)
            failure = error
        except Exception as error:  # noqa: BLE001  a bug or an answer shape nobody foresaw: this source only
            log.exception("source %s failed unexpectedly", settings.name)
            failure = CollectorError(f"unexpected error in the {settings.type} collector "
                                     f"({type(error).__name__}: {error}); the details are in the log"[:300])
    _record_failure(engine, settings, failure, now)
    return RoundResult(error=mask(failure.message), skipped=skipped.count)


def _fetch_and_store(engine: Engine, settings: Any, plan: Plan, client: httpx.Client,
                     state: dict[str, Any], now: datetime, skipped: SkipTally) -> RoundResult:
    collector = REGISTRY[settings.type](settings, client)
    fetched = collector.fetch(dict(state.get("cursor") or {}), plan.terms)
    if skipped.count and not fetched.mentions:  # nothing readable at all: the API has likely changed
        raise ParseError(f"none of the {skipped.count} items could be read: {skipped.summary()}")
    theirs = [m for m in fetched.mentions if m.author.handle.lower().lstrip("@") not in plan.own_handles]
    result = ingest(engine, theirs, plan.matcher, require_match=plan.matcher is not None, redact=plan.redact)
    if fetched.threads:  # sources that re-read whole threads: edits and deletions, never duplicates
        refresh_mentions(engine, redact_posts(theirs) if plan.redact else theirs, fetched.threads, now)
    save_state(engine, settings.name, settings.type, cursor=fetched.cursor, last_run=now, last_success=now,
               last_error=None, paused_until=None, needs_credentials=False, next_run=now + settings.every)
    if skipped.count:
        log.warning("source %s: skipped %d malformed items: %s", settings.name, skipped.count, skipped.summary())
    return RoundResult(fetched=len(fetched.mentions), inserted=result.inserted, skipped=skipped.count)


def collect_once(engine: Engine, config: Config, only: str | None = None,
                 client: httpx.Client | None = None) -> dict[str, dict[str, Any]]:
    """A round over every configured source (or one); one failing source never stops the others."""
    plan = Plan.of(config)
    summary: dict[str, dict[str, Any]] = {}
    for missing in config.unconfigured:
        if only in (None, missing.name):
            summary[missing.name] = RoundResult(error=missing.reason).as_json()
            save_state(engine, missing.name, missing.type, last_error=missing.reason,
                       last_error_at=datetime.now(timezone.utc), needs_credentials=True)
    owned = client is None
    client = client or http_client()
    try:
        for settings in config.sources:
            if only in (None, settings.name):
                summary[settings.name] = collect_source(engine, settings, plan, client).as_json()
    finally:
        if owned:
            client.close()
    if only is not None and not summary:
        raise KeyError(only)
    return summary


def health(engine: Engine, config: Config, now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Per source: last success, last error in plain words, mentions in 24 h, next run.

    The 24 h volume counts mentions posted in the last 24 hours (and collected in them). Counting
    by collection time alone made it an all-time total right after an import, a demo load or a
    first round that back-fills a month: every row was "collected" minutes ago.
    """
    now = now or datetime.now(timezone.utc)
    mention = schema.MentionRow.__table__
    day_ago = now - timedelta(hours=24)
    with engine.connect() as connection:
        states = {row.name: row for row in connection.execute(sa.select(STATE))}
        volume = dict(connection.execute(
            sa.select(mention.c.source_name, sa.func.count())
            .where(mention.c.created_at >= day_ago, mention.c.created_at <= now, mention.c.collected_at >= day_ago)
            .group_by(mention.c.source_name)).all())
    report: dict[str, dict[str, Any]] = {}
    configured = [(s.name, s.type, None) for s in config.sources]
    configured += [(u.name, u.type, u.reason) for u in config.unconfigured]
    for name, kind, problem in configured:
        state = states.get(name)
        report[name] = {
            "type": kind,
            "status": _status(state, problem, now),
            "last_success": _iso(state.last_success if state else None),
            "last_error": problem or (state.last_error if state else None),
            "last_error_at": _iso(state.last_error_at if state else None),
            "volume_24h": volume.get(name, 0),
            "next_run": None if problem else _iso(state.next_run if state else now),
        }
    return report


def _status(state: Any, problem: str | None, now: datetime) -> str:
    if problem:
        return "not configured"
    if state is None:
        return "waiting for first run"
    if state.needs_credentials:
        return "needs new credentials"
    if state.paused_until and state.paused_until > now:
        return "paused (rate limited)"
    if state.last_error and (not state.last_success or state.last_error_at >= state.last_success):
        return "failing"
    return "ok"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
