"""The demo data set behind `nasluch demo`: realistic, on a machine with no credentials and no network.

The demo has to make every screen worth opening: a weekly rhythm for the heatmap, incident spikes
for alerts, slow nights and weekends for response times and staffing, and recent unanswered
conversations so the inbox has open work. Everything comes from one `random.Random(seed)`, so the
same seed and end time always give the same data. Every text is our own template (see
`monitor.demo.phrases`); the three fictional brands are found by the queries `acme OR acmeapp`,
`volta OR voltaenergy` and `kawka OR kawkaapp`.

Only plain values come out (`ImportBatch`): writing them anywhere is storage's business.
"""
from __future__ import annotations

import gc
import math
from bisect import bisect, bisect_left
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import accumulate
from operator import attrgetter
from random import Random
from typing import Iterator, Sequence, TypeVar
from zoneinfo import ZoneInfo

from monitor.demo.brands import BRANDS, Brand
from monitor.demo.networks import NETWORKS, Network, Thread
from monitor.demo.phrases import LANGUAGES, Language
from monitor.demo.text import Writer
from monitor.mention import Author, ImportBatch, ImportedReply, Mention, utc

T = TypeVar("T")
WARSAW = ZoneInfo("Europe/Warsaw")
HOUR, DAY = 3600, 86400
LANGUAGE_SHARES = {"pl": 35, "ro": 14, "el": 12, "it": 11, "en": 10, "de": 8, "es": 6, "fr": 4}
# Warsaw local hour 0-23: quiet nights, a lunch bump, an after-work bump at 17, an evening peak.
HOUR_WEIGHTS = (0.55, 0.32, 0.2, 0.13, 0.11, 0.14, 0.3, 0.6, 0.85, 0.95, 1.0, 1.1,
                1.35, 1.2, 1.0, 1.0, 1.1, 1.45, 1.3, 1.7, 1.85, 1.8, 1.55, 1.0)
# Monday..Sunday: Thursday (deliveries, bills due) and Sunday (time to write) are the busiest.
DAY_WEIGHTS = (1.0, 0.95, 0.98, 1.3, 1.02, 0.88, 1.28)
BUSY_DAYS = (3, 6)
SOURCE_WEIGHTS = {"x": 30, "reddit": 12, "mastodon": 9, "bluesky": 10, "rss": 12, "hackernews": 0,
                  "discourse": 10, "youtube": 17}
SOURCE_WEIGHTS_BY_LANGUAGE = {"en": {"reddit": 20, "hackernews": 12, "rss": 6},
                              "de": {"mastodon": 18, "x": 22}, "fr": {"mastodon": 14}}
FOLLOWUP_SHARE = 0.15  # of all mentions: the same author again, in the same thread
INCIDENT_SHARE = 0.035  # of all mentions: complaints during outages
ANSWER_RATE = {"complaint": 0.82, "outage": 0.85, "question": 0.8, "praise": 0.55, "neutral": 0.3}
BACKLOG_SHARE = 0.05  # answers that sat in a queue for days
SHIFT = (7, 23)  # the care team's hours, Warsaw time
FOLLOWERS_MEDIAN, FOLLOWERS_SIGMA = 120, 2.2  # log-normal: most under 500, a few over 100k


def kind_shares(weekday: int, hour: int) -> tuple[float, float, float]:
    """Cumulative complaint, question and praise shares; the rest is chatter. Complaints peak
    when volume does: on the busy days and in the evening."""
    complaint = 0.40 + 0.075 * (weekday in BUSY_DAYS) + 0.05 * (19 <= hour <= 22)
    complaint -= 0.03 * (6 <= hour <= 10)
    rest = 1 - complaint  # follow-ups add thanks and details later, so praise and chatter start low
    return complaint, complaint + rest * 29 / 55, complaint + rest * 47 / 55


class Calendar:
    """The window as hour slots with their Warsaw weekday and hour: sampling is one bisect."""

    def __init__(self, end: float, weeks: int) -> None:
        self.end = end
        self.slots = weeks * 7 * 24
        self.start = end - self.slots * HOUR
        local = [datetime.fromtimestamp(self.start + (i + 0.5) * HOUR, WARSAW)
                 for i in range(self.slots)]
        self.weekday = [moment.weekday() for moment in local]
        self.hour = [moment.hour for moment in local]
        self.kinds = [kind_shares(d, h) for d, h in zip(self.weekday, self.hour)]
        weights = (DAY_WEIGHTS[d] * HOUR_WEIGHTS[h] for d, h in zip(self.weekday, self.hour))
        self.cumulative = list(accumulate(weights))

    def sample(self, rng: Random) -> int:
        slot = min(bisect(self.cumulative, rng.random() * self.cumulative[-1]), self.slots - 1)
        return int(self.start + (slot + rng.random()) * HOUR)

    def slot(self, ts: float) -> int:
        return int((ts - self.start) // HOUR)

    def local(self, ts: float) -> tuple[int, int]:
        """Weekday and hour in Warsaw; outside the window (late replies) ask the time zone."""
        slot = self.slot(ts)
        if 0 <= slot < self.slots:
            return self.weekday[slot], self.hour[slot]
        moment = datetime.fromtimestamp(ts, WARSAW)
        return moment.weekday(), moment.hour


@dataclass(frozen=True)
class Incident:
    """An outage: many complaints about one brand within a few daytime hours."""

    brand: Brand
    start: float
    hours: float
    mentions: int


def plan_incidents(rng: Random, calendar: Calendar, total: int) -> list[Incident]:
    """One outage per brand, each on its own weekday and of similar size, so no single spike
    outweighs the weekly rhythm the heatmap is meant to show."""
    brands = rng.sample(BRANDS, len(BRANDS))
    weights = [rng.uniform(0.8, 1.2) for _ in brands]
    candidates = [i for i in range(calendar.slots - 24) if 8 <= calendar.hour[i] <= 16]
    used: set[int] = set()
    incidents = []
    for brand, weight in zip(brands, weights):
        slot = rng.choice(candidates)
        while calendar.weekday[slot] in used:
            slot = rng.choice(candidates)
        used.add(calendar.weekday[slot])
        count = round(total * INCIDENT_SHARE * weight / sum(weights))
        incidents.append(Incident(brand, calendar.start + slot * HOUR, rng.uniform(3, 6), count))
    return incidents


@dataclass(frozen=True, slots=True)
class Person:
    author: Author
    lang: Language
    network: Network


@dataclass(slots=True)
class Conversation:
    """A customer's thread: their posts in time order and when (if ever) the brand first answers."""

    person: Person
    brand: Brand
    thread: Thread
    kind: str
    posts: list[Mention]
    times: list[int]
    reply_at: int | None = None


class Dice(Random):
    """`random.Random` whose `choice` draws one float instead of rejection-sampling bits: three
    times faster, with a bias below 2**-50 that no demo can show. Most draws here are choices."""

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Generating allocates half a million objects that all live to the end; the cyclic garbage
    collector would keep re-walking them (a third of the run time) and find nothing to free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


def _pick(rng: Random, items: Sequence[T], cumulative: list[float]) -> T:
    return items[bisect(cumulative, rng.random() * cumulative[-1])]


def _moment(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


class _Generation:
    """One run of `generate`: the random stream, the people met so far, the conversations."""

    def __init__(self, rng: Random, calendar: Calendar, total: int) -> None:
        self.rng, self.calendar, self.total = rng, calendar, total
        self.writer = Writer(rng)
        self.networks = {name: cls(rng, calendar.start) for name, cls in NETWORKS.items()}
        self.languages = list(LANGUAGE_SHARES)
        self.language_cumulative = _cumulative(list(LANGUAGE_SHARES.values()))
        self.brand_cumulative = _cumulative([brand.share for brand in BRANDS])
        self.sources = list(SOURCE_WEIGHTS)
        self.source_cumulative = {
            code: _cumulative([(SOURCE_WEIGHTS | SOURCE_WEIGHTS_BY_LANGUAGE.get(code, {}))[source]
                               for source in self.sources])
            for code in LANGUAGES}
        # Each language has a pool of people; low indices post often, as a few customers do.
        roots = total * (1 - FOLLOWUP_SHARE)
        self.pool_size = {code: max(10, int(roots * share / 100 * 0.45))
                          for code, share in LANGUAGE_SHARES.items()}
        self.people: dict[str, dict[int, Person]] = {code: {} for code in LANGUAGES}
        self.handles: set[str] = set()
        self.mentions: list[Mention] = []
        self.conversations: list[Conversation] = []

    def run(self) -> ImportBatch:
        followups = round(self.total * FOLLOWUP_SHARE)
        self._open_conversations(self.total - followups)
        for conversation in self.conversations:
            conversation.reply_at = self._reply_time(conversation)
        if self.conversations:
            for _ in range(followups):
                self._follow_up(self._followup_target())
        replies = [self._reply(c) for c in self.conversations if c.reply_at is not None]
        mentions = sorted(self.mentions, key=attrgetter("created_at"))
        replies.sort(key=attrgetter("created_at"))
        return ImportBatch(mentions=mentions, replies=replies, read=len(mentions) + len(replies))

    def _open_conversations(self, count: int) -> None:
        incidents = plan_incidents(self.rng, self.calendar, self.total) if count else []
        for incident in incidents:
            for _ in range(min(incident.mentions, count - len(self.conversations))):
                offset = incident.hours * HOUR * self.rng.triangular(0, 1, 0.2)
                self._open(int(incident.start + offset), incident.brand, "outage")
        while len(self.conversations) < count:
            ts = self.calendar.sample(self.rng)
            self._open(ts, _pick(self.rng, BRANDS, self.brand_cumulative), self._kind(ts))

    def _kind(self, ts: int) -> str:
        complaint, question, praise = self.calendar.kinds[self.calendar.slot(ts)]
        draw = self.rng.random()
        if draw < complaint:
            return "complaint"
        return "question" if draw < question else "praise" if draw < praise else "neutral"

    def _open(self, ts: int, brand: Brand, kind: str) -> None:
        person = self._person(_pick(self.rng, self.languages, self.language_cumulative))
        thread = person.network.open(brand.slug, person.lang, ts)
        text = self.writer.mention(person.lang, brand, kind, person.network.social)
        mention = self._post(person, thread, brand, ts, text, None)
        self.conversations.append(Conversation(person, brand, thread, kind, [mention], [ts]))

    def _post(self, person: Person, thread: Thread, brand: Brand, ts: int, text: str,
              in_reply_to: str | None) -> Mention:
        external_id, url = person.network.post(thread, person.author.handle, ts)
        mention = Mention(
            source=person.network.name, external_id=external_id, text=text, created_at=_moment(ts),
            author=person.author, url=url, lang=person.lang.code, in_reply_to=in_reply_to,
            conversation_key=thread.key, brand=brand.name, source_name=thread.source_name)
        self.mentions.append(mention)
        return mention

    def _person(self, code: str) -> Person:
        index = int(self.pool_size[code] * self.rng.random() ** 1.6)
        person = self.people[code].get(index)
        if person is None:
            person = self.people[code][index] = self._new_person(LANGUAGES[code])
        return person

    def _new_person(self, lang: Language) -> Person:
        rng = self.rng
        network = self.networks[_pick(rng, self.sources, self.source_cumulative[lang.code])]
        first, last, base = self.writer.person(lang, female=rng.random() < 0.5)
        while (handle := network.account(base, lang)) in self.handles:
            base = f"{base[:11]}{rng.randrange(10_000)}"  # still fits X's 15 characters
        self.handles.add(handle)
        name = self.writer.display_name(first, last) if network.display_names else None
        followers = None
        if network.followers:
            followers = int(rng.lognormvariate(math.log(FOLLOWERS_MEDIAN), FOLLOWERS_SIGMA))
        return Person(Author(handle, name, followers), lang, network)

    def _reply_time(self, conversation: Conversation) -> int | None:
        """Log-normal first response, slower at weekends and in incidents, never overnight;
        a reply that would land after the window's end has not happened yet."""
        rng = self.rng
        if rng.random() >= ANSWER_RATE[conversation.kind] * conversation.brand.answer_rate:
            return None
        asked = conversation.times[0]
        weekday, _ = self.calendar.local(asked)
        minutes = conversation.brand.reply_minutes * (2.5 if weekday >= 5 else 1)
        minutes *= 3 if conversation.kind == "outage" else 1
        delay = 60 * max(2.0, rng.lognormvariate(math.log(minutes), 1.2))
        if rng.random() < BACKLOG_SHARE:
            delay += rng.uniform(1, 4) * DAY
        at = self._on_shift(asked + delay)
        return int(at) if at <= self.calendar.end else None

    def _on_shift(self, at: float) -> float:
        """Nobody answers between 23:00 and 07:00 Warsaw time: those replies wait for morning.
        Stepping hour by hour (not adding 7 - hour) keeps the rule true across DST changes."""
        if self._on_duty(at):
            return at
        at -= (at - self.calendar.start) % HOUR
        while not self._on_duty(at):
            at += HOUR
        queue = min(4 * HOUR, 60 * self.rng.lognormvariate(math.log(50), 0.9))  # the night's backlog
        return at + queue

    def _on_duty(self, at: float) -> bool:
        return SHIFT[0] <= self.calendar.local(at)[1] < SHIFT[1]

    def _followup_target(self) -> Conversation:
        """Complaints and questions draw follow-ups; praise and chatter rarely do."""
        conversation = self.rng.choice(self.conversations)
        if conversation.kind in ("praise", "neutral") and self.rng.random() < 0.75:
            conversation = self.rng.choice(self.conversations)
        return conversation

    def _follow_up(self, conversation: Conversation) -> None:
        rng, end = self.rng, self.calendar.end
        previous, reply_at = conversation.times[-1], conversation.reply_at
        if reply_at is not None and reply_at > previous and rng.random() < 0.6:
            at = reply_at + 60 * rng.lognormvariate(math.log(40), 1.0)  # reacting to the answer
        else:
            at = previous + 60 * rng.lognormvariate(math.log(180), 1.1)  # nudging, adding details
        at = int(at if at <= end else previous + (end - previous) * rng.random())
        mood = self.writer.followup_mood(reply_at is not None and at > reply_at, conversation.kind)
        person, brand = conversation.person, conversation.brand
        text = self.writer.followup(person.lang, brand, mood, person.network.social)
        parent = conversation.posts[-1].external_id
        conversation.posts.append(self._post(person, conversation.thread, brand, at, text, parent))
        conversation.times.append(at)

    def _reply(self, conversation: Conversation) -> ImportedReply:
        """The brand's first answer, to the customer's latest post before it."""
        at = conversation.reply_at
        assert at is not None
        answered = conversation.posts[bisect_left(conversation.times, at) - 1]
        person, brand, network = conversation.person, conversation.brand, conversation.person.network
        agent = self.rng.choice(person.lang.agents[brand.name])
        external_id, url = network.post(conversation.thread, network.brand_account(brand.slug), at)
        name = person.author.name or person.author.handle
        text = self.writer.reply(person.lang, conversation.kind, name, agent,
                                 person.author.handle if network.social else None)
        return ImportedReply(
            source=network.name, external_id=external_id, agent=agent, text=text,
            created_at=_moment(at), in_reply_to=answered.external_id,
            conversation_key=conversation.thread.key, brand=brand.name, url=url)


def window_end(end: datetime | None = None) -> datetime:
    """The demo's 'now': the current hour in UTC unless given, whole seconds either way."""
    if end is None:
        return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return utc(end).replace(microsecond=0)


def generate(seed: int = 7, mentions: int = 20_000, weeks: int = 8,
             end: datetime | None = None) -> ImportBatch:
    """Customer mentions and brand replies for `weeks` weeks ending at `end` (default: this hour,
    UTC). Exactly `mentions` mentions; about 70% of conversations get a reply. The same seed and
    end give the same batch, value for value."""
    return _generated(seed, mentions, weeks, end)[1]


def conversations(seed: int = 7, mentions: int = 20_000, weeks: int = 8,
                  end: datetime | None = None) -> list[Conversation]:
    """The conversations `generate` writes for the same arguments, each with the kind it was
    opened as (complaint, outage, question, praise, neutral): what `benchmarks/demo_labels.py`
    checks the model's labels against."""
    return _generated(seed, mentions, weeks, end)[0].conversations


def _generated(seed: int, mentions: int, weeks: int, end: datetime | None) -> tuple[_Generation, ImportBatch]:
    if mentions < 0 or weeks < 1:
        raise ValueError(f"need mentions >= 0 and weeks >= 1, got mentions={mentions}, weeks={weeks}")
    calendar = Calendar(window_end(end).timestamp(), weeks)
    with _collector_paused():
        generation = _Generation(Dice(seed), calendar, mentions)
        return generation, generation.run()
