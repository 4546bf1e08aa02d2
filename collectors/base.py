"""What every collector shares: its settings base, its interface and the search-term helpers.

A collector is pure of storage: `fetch(cursor, terms)` reads the network from where the cursor
says and returns the mentions plus the *new* cursor. Storage commits the batch first and only
then saves the cursor, so a crash between the two re-reads a page instead of skipping one.
"""
from __future__ import annotations

import abc
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, ClassVar

import httpx
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from monitor.mention import Mention, ThreadSnapshot
from networks.errors import NotConfigured
from networks.secrets import missing_secrets

# Each round re-reads this much before its cursor: search indexes lag behind posting (a post
# written a minute before our last round may be indexed only after it), storage dedupes the rest.
OVERLAP = timedelta(minutes=5)

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(value: Any) -> Any:
    """Accept "30s", "5m", "2h", "1d" (how people write intervals in YAML) or plain seconds."""
    if isinstance(value, timedelta):
        return value
    seconds = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and (match := _EVERY.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds is not None:
        try:
            return timedelta(seconds=seconds)
        except OverflowError:  # not a ValueError, so pydantic would not report it as a bad value
            raise ValueError("the interval is longer than any calendar can hold") from None
    raise ValueError('expected an interval such as "30s", "5m", "2h" or "1d"')


Every = Annotated[timedelta, BeforeValidator(parse_every)]


class SourceSettings(BaseModel):
    """One `sources:` entry of config.yaml; each collector subclasses it with its own keys.

    Secret fields are `SecretStr | None`: a missing secret is reported by `missing_credentials`
    (and `NotConfigured` at construction), never a validation crash.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    name: str = ""
    every: Every = timedelta(minutes=5)
    max_pages: int = Field(5, ge=1, le=100, description="pages read per round per search")

    required_secrets: ClassVar[tuple[str, ...]] = ()

    def model_post_init(self, context: Any) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.type)

    def missing_credentials(self) -> list[str]:
        """Names of required secret keys that are absent or empty."""
        return missing_secrets(self, self.required_secrets)


@dataclass(frozen=True, slots=True)
class Fetched:
    """One round's result: the mentions, and the cursor to save once they are committed."""

    mentions: list[Mention]
    cursor: dict[str, Any]
    # Threads re-read in full this round (Facebook, Instagram): storage updates edited texts and
    # marks stored comments no longer there as deleted. Empty for append-only sources.
    threads: list[ThreadSnapshot] = field(default_factory=list)


class Collector(abc.ABC):
    """Turns one network's API into `Mention` values; never touches storage."""

    type: ClassVar[str]
    Settings: ClassVar[type[SourceSettings]]

    def __init__(self, settings: SourceSettings, client: httpx.Client) -> None:
        missing = settings.missing_credentials()
        if missing:
            raise NotConfigured([f"{settings.name}: {key}" for key in missing])
        self.settings = settings
        self.client = client

    @abc.abstractmethod
    def fetch(self, cursor: dict[str, Any], terms: list[str]) -> Fetched:
        """Read what is new since `cursor` for the brands' positive `terms`."""


# --- search terms -------------------------------------------------------------------------

def search_terms(terms: list[str], wildcard: str = "") -> list[str]:
    """Terms as a remote search takes them: a trailing `*` replaced by `wildcard` (most APIs have
    none, so it is dropped and the stem matches whole words or by prefix), blanks and repeats out.
    Quoted phrases are kept quoted, since every API we use understands them."""
    out: list[str] = []
    for term in terms:
        term = term.strip()
        if term.endswith("*"):
            term = term.rstrip("*") + wildcard
        if term.strip('"') and term not in out:
            out.append(term)
    return out


def or_query(terms: list[str], joiner: str = " OR ", wildcard: str = "") -> str:
    """One OR-joined remote query, for APIs whose search understands OR (X, Reddit)."""
    return joiner.join(search_terms(terms, wildcard))


def bare(term: str) -> str:
    """A term without its quotes, for APIs that take a plain string (YouTube searchTerms)."""
    return term.strip().strip('"').rstrip("*")


def advance(values: list[Any], previous: Any, start: Any) -> Any:
    """A newest-seen cursor value: never goes back; with nothing seen yet it starts at `start`
    (usually now), so a new term or source does not backfill the network's whole history."""
    if previous is not None:
        return max([*values, previous])
    return max(values) if values else start
