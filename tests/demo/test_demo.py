"""The demo data set: the properties every demo screen relies on (rhythm, threads, replies, ids)."""
from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from monitor.demo.brands import BRANDS
from monitor.demo.generator import generate, kind_shares
from monitor.demo.phrases import LANGUAGES
from monitor.demo.text import slot_names
from monitor.mention import ImportBatch, Mention
from networks.x import snowflake_time

END = datetime(2024, 11, 21, 18, tzinfo=timezone.utc)
WEEKS = 8
WARSAW = ZoneInfo("Europe/Warsaw")
THURSDAY, SUNDAY = 3, 6
GREEK = re.compile("[\u0370-\u03ff]")
QUERIES = {brand: re.compile(rf"(?<![\w]){brand.lower()}(app|energy)?(?!\w)", re.IGNORECASE)
           for brand in ("Acme", "Volta", "Kawka")}


@pytest.fixture(scope="module")
def batch() -> ImportBatch:
    return generate(seed=7, mentions=20_000, weeks=WEEKS, end=END)


@pytest.fixture(scope="module")
def by_id(batch: ImportBatch) -> dict[tuple[str, str], Mention]:
    return {(m.source, m.external_id): m for m in batch.mentions}


def _local(moment: datetime) -> datetime:
    return moment.astimezone(WARSAW)


def test_same_seed_and_end_give_identical_batches() -> None:
    first = generate(seed=11, mentions=3_000, end=END)
    again = generate(seed=11, mentions=3_000, end=END)
    assert first.mentions == again.mentions
    assert first.replies == again.replies


def test_another_seed_gives_other_data() -> None:
    one = generate(seed=1, mentions=500, end=END)
    two = generate(seed=2, mentions=500, end=END)
    assert [m.text for m in one.mentions] != [m.text for m in two.mentions]
    assert [m.created_at for m in one.mentions] != [m.created_at for m in two.mentions]


@pytest.mark.parametrize("count", [0, 1, 7, 1_000])
def test_exactly_the_requested_number_of_mentions(count: int) -> None:
    assert len(generate(mentions=count, end=END).mentions) == count


def test_rejects_nonsense_sizes() -> None:
    with pytest.raises(ValueError):
        generate(mentions=-1)
    with pytest.raises(ValueError):
        generate(weeks=0)


def test_every_language_present_and_polish_largest(batch: ImportBatch) -> None:
    languages = Counter(m.lang for m in batch.mentions)
    assert set(languages) == {"pl", "ro", "el", "it", "en", "de", "es", "fr"}
    (largest, count), (second, _) = languages.most_common(2)
    assert largest == "pl" and second == "ro"
    assert 0.30 < count / len(batch.mentions) < 0.40


def test_greek_posts_and_their_replies_are_written_in_greek(batch: ImportBatch, by_id) -> None:
    greek = [m for m in batch.mentions if m.lang == "el"]
    assert all(GREEK.search(m.text) for m in greek)
    answers = [r for r in batch.replies if by_id[(r.source, r.in_reply_to)].lang == "el"]
    assert answers and all(GREEK.search(r.text) for r in answers)
    assert not any(GREEK.search(m.text) for m in batch.mentions if m.lang in ("pl", "de", "fr"))


def test_thursday_and_sunday_are_the_busiest_days(batch: ImportBatch) -> None:
    days = Counter(_local(m.created_at).weekday() for m in batch.mentions)
    assert {day for day, _ in days.most_common(2)} == {THURSDAY, SUNDAY}


def test_evenings_are_busy_nights_quiet_with_lunch_and_after_work_bumps(batch: ImportBatch) -> None:
    hours = Counter(_local(m.created_at).hour for m in batch.mentions)
    evening = statistics.mean(hours[h] for h in range(19, 23))
    night = statistics.mean(hours[h] for h in range(3, 6))
    assert evening > 4 * night
    assert evening > max(hours[h] for h in range(0, 19))
    assert hours[12] > hours[10] and hours[17] > hours[15]


def test_complaints_peak_on_the_busy_days_and_evenings() -> None:
    tuesday_noon, thursday_evening = kind_shares(1, 12)[0], kind_shares(THURSDAY, 20)[0]
    assert thursday_evening > kind_shares(SUNDAY, 12)[0] > tuesday_noon


def test_incidents_show_as_spikes(batch: ImportBatch) -> None:
    """Alerts need something to find: the worst hour is many times an ordinary one."""
    per_hour = Counter(m.created_at.replace(minute=0, second=0) for m in batch.mentions)
    worst_brand_hour = Counter((m.brand, m.created_at.replace(minute=0, second=0)) for m in batch.mentions)
    assert max(per_hour.values()) > 5 * statistics.median(per_hour.values())
    spiking_brands = {brand for (brand, _), count in worst_brand_hour.items() if count > 60}
    assert len(spiking_brands) >= 2


def test_times_are_utc_and_inside_the_window(batch: ImportBatch) -> None:
    start = END - timedelta(weeks=WEEKS)
    for post in [*batch.mentions, *batch.replies]:
        assert post.created_at.utcoffset() == timedelta(0)
        assert start <= post.created_at <= END


def test_default_window_ends_at_the_current_hour() -> None:
    before = datetime.now(timezone.utc)
    mentions = generate(mentions=200).mentions
    assert all(m.created_at <= before for m in mentions)
    assert min(m.created_at for m in mentions) >= before - timedelta(weeks=WEEKS, hours=1)


def test_external_ids_are_unique_per_source(batch: ImportBatch) -> None:
    keys = [(post.source, post.external_id) for post in [*batch.mentions, *batch.replies]]
    assert len(keys) == len(set(keys))


def test_every_source_is_used_with_its_own_id_style(batch: ImportBatch) -> None:
    style = {
        "x": r"\d{18,19}",
        "reddit": r"t1_[0-9a-z]{6,8}",
        "mastodon": r"https://[\w.]+/users/\w+/statuses/\d+",
        "bluesky": r"at://did:plc:[a-z2-7]{24}/app\.bsky\.feed\.post/[2-7a-z]{13}",
        "rss": r"https://forum\.\w+\.example/viewtopic\.php\?t=\d+#p\d+",
        "hackernews": r"\d{8}",
        "discourse": r"community\.\w+\.example/t/\d+/\d+",
        "youtube": r"Ug[w-z][\w-]{16}4AaABAg(\.[\w-]{22})?",
    }
    seen = {m.source for m in batch.mentions}
    assert seen == set(style)
    for post in [*batch.mentions, *batch.replies]:
        assert re.fullmatch(style[post.source], post.external_id), post
        assert post.url and post.url.startswith("https://")


def test_handles_are_valid_usernames_on_their_network(batch: ImportBatch) -> None:
    style = {
        "x": r"\w{1,15}", "reddit": r"[\w-]{3,20}", "hackernews": r"[\w-]{2,15}",
        "mastodon": r"\w{1,30}@[\w.]+\.\w+", "bluesky": r"[a-z0-9-]+\.bsky\.social",
        "rss": r"[\w.-]+", "discourse": r"[\w.-]+", "youtube": r"[\w.-]{3,30}",
    }
    for mention in batch.mentions:
        assert re.fullmatch(style[mention.source], mention.author.handle, re.ASCII), mention.author


def test_x_ids_are_snowflakes_of_their_own_time(batch: ImportBatch) -> None:
    """The twitter-care importer dates tweets from their ids; demo ids must agree with it."""
    for post in [*batch.mentions, *batch.replies]:
        if post.source == "x":
            encoded = snowflake_time(post.external_id)
            assert abs((encoded - post.created_at).total_seconds()) < 1


def test_most_posts_name_their_brand_so_simple_queries_find_them(batch: ImportBatch) -> None:
    found = [bool(QUERIES[m.brand].search(m.text)) for m in batch.mentions]
    first_posts = [hit for hit, m in zip(found, batch.mentions) if m.in_reply_to is None]
    assert sum(first_posts) / len(first_posts) > 0.8
    assert sum(found) / len(found) > 0.7
    others = [m for m in batch.mentions if any(q.search(m.text) for b, q in QUERIES.items() if b != m.brand)]
    assert not others


def test_followups_continue_the_same_authors_thread(batch: ImportBatch, by_id) -> None:
    followups = [m for m in batch.mentions if m.in_reply_to is not None]
    assert 0.12 < len(followups) / len(batch.mentions) < 0.18
    for mention in followups:
        parent = by_id[(mention.source, mention.in_reply_to)]
        assert parent.author == mention.author
        assert parent.conversation_key == mention.conversation_key
        assert parent.created_at <= mention.created_at


def test_replies_answer_an_earlier_mention_in_its_thread(batch: ImportBatch, by_id) -> None:
    for reply in batch.replies:
        mention = by_id[(reply.source, reply.in_reply_to)]
        assert reply.created_at > mention.created_at
        assert reply.conversation_key == mention.conversation_key
        assert reply.brand == mention.brand


def test_replies_greet_the_author_and_carry_the_agents_name(batch: ImportBatch, by_id) -> None:
    agents = {brand.name: set() for brand in BRANDS}
    for reply in batch.replies:
        author = by_id[(reply.source, reply.in_reply_to)].author
        assert (author.name or author.handle) in reply.text
        assert reply.agent in reply.text
        agents[reply.brand].add(reply.agent)
    assert all(len(names) >= 6 for names in agents.values())


def test_about_seventy_percent_of_conversations_answered_and_recent_ones_open(batch: ImportBatch) -> None:
    conversations = {(m.source, m.conversation_key) for m in batch.mentions}
    answered = {(r.source, r.conversation_key) for r in batch.replies}
    assert answered <= conversations
    assert 0.6 < len(answered) / len(conversations) < 0.8
    six_hours_ago = END - timedelta(hours=6)
    recent = {(m.source, m.conversation_key) for m in batch.mentions if m.created_at > six_hours_ago}
    assert recent - answered


def test_response_times_range_from_minutes_to_days(batch: ImportBatch, by_id) -> None:
    waits = sorted((r.created_at - by_id[(r.source, r.in_reply_to)].created_at).total_seconds() / 60
                   for r in batch.replies)
    assert waits[0] < 5
    assert 15 < statistics.median(waits) < 240
    assert waits[-1] > 2 * 24 * 60


def test_nobody_answers_at_night_and_weekends_are_slower(batch: ImportBatch, by_id) -> None:
    assert not [r for r in batch.replies if not 7 <= _local(r.created_at).hour < 23]
    waits: dict[bool, list[float]] = {True: [], False: []}
    for reply in batch.replies:
        asked = by_id[(reply.source, reply.in_reply_to)].created_at
        waits[_local(asked).weekday() >= 5].append((reply.created_at - asked).total_seconds())
    assert statistics.median(waits[True]) > 1.5 * statistics.median(waits[False])


def test_followers_are_mostly_small_with_a_few_large_accounts(batch: ImportBatch) -> None:
    followers = {m.author.handle: m.author.followers
                 for m in batch.mentions if m.author.followers is not None}
    small = sum(count < 500 for count in followers.values())
    assert small / len(followers) > 0.6
    assert any(count > 100_000 for count in followers.values())


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_phrase_tables_cover_every_brand_and_use_only_known_slots(code: str) -> None:
    """A typo like {city} would only fail when that template is drawn; check them all."""
    language = LANGUAGES[code]
    slots = {"x", "X", "b", "order", "product", "in_city", "days", "hours", "amount"}
    templates = [*(t for frames in language.frames.values() for t in frames),
                 *(t for brand in language.clauses.values() for kind in brand.values() for t in kind),
                 *(t for texts in language.followups.values() for t in texts)]
    assert all(set(slot_names(template)) <= slots for template in templates)
    for brand in BRANDS:
        assert set(language.clauses[brand.name]) == {"complaint", "outage", "question", "praise", "neutral"}
        assert language.products[brand.name] and language.agents[brand.name]
    assert set(language.replies) == {"complaint", "outage", "question", "praise", "neutral"}
    reply_slots = {"hi", "name", "body", "Body", "agent"}
    assert all({"name", "agent"} <= set(slot_names(f)) <= reply_slots for f in language.reply_frames)
