"""The inbox's queue, thread, SLA clock and agent actions, on a small seeded database."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitor.inbox import actions, outbox, queue
from monitor.store import schema
from monitor.trust.privacy import erase_author
from tests.inbox.conftest import SENT, T0, ScriptedResponder

AUDIT = schema.AuditEntryRow.__table__
MENTION = schema.MentionRow.__table__


def _set_priority(engine, mention_id: int, priority: float) -> None:
    with engine.begin() as connection:
        connection.execute(MENTION.update().where(MENTION.c.id == mention_id).values(priority=priority))


def _conversation(engine, mention_id: int) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(MENTION.c.conversation_id).where(MENTION.c.id == mention_id)).scalar()


def _actions(engine) -> list[tuple[str, str, dict]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.select(AUDIT.c.actor, AUDIT.c.action, AUDIT.c.detail))]


def test_queue_sorts_by_priority_then_longest_wait_within_the_sla(seeded):
    engine, ids = seeded
    now = T0 + timedelta(minutes=45)
    order = queue.queue(engine, 60, now=now)["author"].to_list()
    assert order == ["kasia@fosstodon.org", "bob", "ewa"]  # equal priority: longest wait first
    _set_priority(engine, ids["ewa"], 30.0)  # priorities are 0..100; within one band priority decides
    assert queue.queue(engine, 60, now=now)["author"].to_list()[0] == "ewa"


def test_queue_filters_and_counters(seeded):
    engine, ids = seeded
    now = T0 + timedelta(minutes=75)
    everything = queue.queue(engine, 60, now=now)
    assert queue.counters(everything) == {"open": 3, "pending": 0, "needs_reply": 3, "past_sla": 1}  # Kasia: due 11:00
    later = queue.queue(engine, 60, now=T0 + timedelta(minutes=85))
    assert queue.counters(later)["past_sla"] == 2  # and Bob, due at 11:20
    assert queue.queue(engine, 60, queue.QueueFilter(brands=("Other",)), now)["author"].to_list() == ["ewa"]
    assert queue.queue(engine, 60, queue.QueueFilter(sources=("x",)), now)["author"].to_list() == ["bob"]
    assert queue.queue(engine, 60, queue.QueueFilter(langs=("pl",)), now)["messages"].to_list() == [2]
    actions.set_tags(engine, _conversation(engine, ids["bob"]), ["billing"], "Ola")
    assert queue.queue(engine, 60, queue.QueueFilter(tag="billing"), now)["author"].to_list() == ["bob"]
    actions.assign(engine, _conversation(engine, ids["ewa"]), "Ola", "Ola")
    assert queue.queue(engine, 60, queue.QueueFilter(assignee="Ola"), now)["author"].to_list() == ["ewa"]
    assert queue.queue(engine, 60, queue.QueueFilter(assignee="unassigned"), now).height == 2
    actions.set_status(engine, _conversation(engine, ids["ewa"]), "closed", "Ola")
    assert "ewa" not in queue.queue(engine, 60, now=now)["author"].to_list()


def test_sla_clock_stops_on_a_sent_reply_and_restarts_on_a_new_message(seeded):
    engine, ids = seeded
    conversation = _conversation(engine, ids["kasia"])
    running = queue.sla_status(engine, conversation, 60, T0 + timedelta(minutes=20))
    assert running["running"] and running["left_s"] == 40 * 60 and not running["breached"]
    reply_id = outbox.queue_reply(engine, ids["kasia2"], "Cześć", "Ola", now=T0 + timedelta(minutes=30))
    assert queue.sla_status(engine, conversation, 60, T0 + timedelta(minutes=31))["running"]  # queued: not yet
    outbox.send_now(engine, reply_id, [ScriptedResponder([SENT])], "w", now=T0 + timedelta(minutes=32))
    stopped = queue.sla_status(engine, conversation, 60, T0 + timedelta(hours=5))
    assert not stopped["running"] and not stopped["breached"]
    from monitor.mention import Author, Mention
    from monitor.store.ingest import ingest
    ingest(engine, [Mention("mastodon", "https://fosstodon.org/users/kasia/statuses/113", "dalej nie działa",
                            T0 + timedelta(hours=2), Author("kasia@fosstodon.org", "Kasia"),
                            in_reply_to="https://fosstodon.org/users/kasia/statuses/112", brand="Acme")])
    again = queue.sla_status(engine, conversation, 60, T0 + timedelta(hours=4))
    assert again["running"] and again["breached"] and again["waiting_since"] == T0 + timedelta(hours=2)


def test_thread_has_customer_posts_and_brand_replies_in_time_order(seeded):
    engine, ids = seeded
    conversation = _conversation(engine, ids["kasia"])
    outbox.queue_reply(engine, ids["kasia"], "pierwsza odpowiedź", "Ola", now=T0 + timedelta(minutes=2))
    posts = queue.thread(engine, conversation)
    assert posts["kind"].to_list() == ["customer", "brand", "customer"]
    assert posts["text"].to_list() == ["acme nie działa", "pierwsza odpowiedź", "halo?"]
    assert posts["author"].to_list()[0] == "Kasia" and posts["state"].to_list()[1] == "queued"


def test_earlier_conversations_of_the_same_author_and_brand(seeded):
    engine, ids = seeded
    from monitor.mention import Author, Mention
    from monitor.store.ingest import ingest
    ingest(engine, [Mention("mastodon", "https://fosstodon.org/users/kasia/statuses/50", "stara sprawa",
                            T0 - timedelta(days=30), Author("kasia@fosstodon.org", "Kasia"), brand="Acme")])
    earlier = queue.earlier_conversations(engine, _conversation(engine, ids["kasia"]))
    assert earlier["sample"].to_list() == ["stara sprawa"]
    assert queue.earlier_conversations(engine, _conversation(engine, ids["bob"])).height == 0


def test_assignment_cap_counts_open_conversations_only_and_teams_have_none(seeded):
    engine, ids = seeded
    kasia, bob, ewa = (_conversation(engine, ids[n]) for n in ("kasia", "bob", "ewa"))
    actions.claim_conversation(engine, kasia, "Ola", cap=1)
    with pytest.raises(actions.CapReached):
        actions.claim_conversation(engine, bob, "Ola", cap=1)
    actions.set_status(engine, kasia, "closed", "Ola")
    actions.claim_conversation(engine, bob, "Ola", cap=1)
    actions.assign(engine, ewa, "billing", "Ola", cap=0, teams=["billing"])
    assert queue.conversation(engine, ewa)["assignee"] == "billing"
    log = _actions(engine)
    assert ("Ola", "assigned", {"from": None, "to": "Ola"}) in log
    assert ("Ola", "status.changed", {"from": "open", "to": "closed"}) in log


def test_status_applies_to_the_conversations_mentions(seeded):
    engine, ids = seeded
    actions.set_status(engine, _conversation(engine, ids["kasia"]), "pending", "Ola")
    with engine.connect() as connection:
        statuses = connection.execute(sa.select(MENTION.c.status).where(
            MENTION.c.id.in_([ids["kasia"], ids["kasia2"]]))).scalars().all()
    assert statuses == ["pending", "pending"]
    with pytest.raises(ValueError):
        actions.set_status(engine, _conversation(engine, ids["kasia"]), "snoozed", "Ola")


def test_tags_and_notes(seeded):
    engine, ids = seeded
    conversation = _conversation(engine, ids["kasia"])
    actions.set_tags(engine, conversation, ["login", "urgent"], "Ola")
    actions.set_tags(engine, conversation, ["login", " refund "], "Jan")
    assert queue.conversation_tags(engine, conversation) == ["login", "refund"]
    actions.add_note(engine, conversation, "Ola", "VIP customer, call back")
    assert queue.notes(engine, conversation)["text"].to_list() == ["VIP customer, call back"]
    assert ("Jan", "tags.changed", {"added": ["refund"], "removed": ["urgent"]}) in _actions(engine)


def test_presence_and_collision_warnings(seeded):
    engine, ids = seeded
    conversation = _conversation(engine, ids["kasia"])
    opened = T0 + timedelta(minutes=10)
    actions.heartbeat(engine, conversation, "Jan", drafting=False, now=opened)
    assert actions.others_present(engine, conversation, "Ola", now=opened)[0]["agent"] == "Jan"
    assert actions.collision_warnings(engine, conversation, "Ola", opened, now=opened) == []
    actions.heartbeat(engine, conversation, "Jan", drafting=True, now=opened + timedelta(seconds=30))
    assert "Jan is writing" in actions.collision_warnings(engine, conversation, "Ola", opened, opened)[0]
    assert actions.others_present(engine, conversation, "Ola", now=opened + timedelta(minutes=5)) == []
    outbox.queue_reply(engine, ids["kasia2"], "Jan's answer", "Jan", now=opened + timedelta(minutes=1))
    warnings = actions.collision_warnings(engine, conversation, "Ola", opened, opened + timedelta(minutes=5))
    assert warnings == ["a reply by Jan was queued at 10:11 UTC since you opened this"]


def test_placeholders_and_saved_replies(seeded):
    engine, ids = seeded
    assert actions.compose(engine, ids["kasia"], "Cześć {author}, {agent} z {brand}. {x}", "Ola") == \
        "Cześć Kasia, Ola z Acme. {x}"
    assert actions.compose(engine, ids["bob"], "Hi {author}", "Ola") == "Hi bob"  # no display name
    actions.add_saved_reply(engine, "any", "Hello {author}")
    actions.add_saved_reply(engine, "acme pl", "Cześć {author}", brand="Acme", lang="pl")
    actions.add_saved_reply(engine, "other", "Hi", brand="Other")
    assert [r["title"] for r in actions.saved_replies(engine, "Acme", "pl")] == ["acme pl", "any"]
    assert [r["title"] for r in actions.saved_replies(engine, "Acme", "en")] == ["any"]


def test_manual_reply_stops_the_clock(seeded):
    engine, ids = seeded
    conversation = _conversation(engine, ids["bob"])
    actions.record_manual_reply(engine, ids["bob"], "answered on X by hand", "Ola", now=T0 + timedelta(minutes=25))
    assert not queue.sla_status(engine, conversation, 60, T0 + timedelta(hours=3))["running"]


def test_erasing_an_author_takes_outbox_and_presence_rows_with_it(seeded):
    engine, ids = seeded
    conversation = _conversation(engine, ids["kasia"])
    outbox.queue_reply(engine, ids["kasia"], "hi", "Ola", now=T0)
    actions.heartbeat(engine, conversation, "Ola", now=T0)
    counts = erase_author(engine, "kasia@fosstodon.org")
    assert counts["replies"] == 1 and counts["conversations"] == 1
    with engine.connect() as connection:
        for table in (schema.ReplyDeliveryRow.__table__, schema.PresenceRow.__table__):
            assert connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


def test_sla_breaches_are_announced_once_per_wait_and_never_for_old_history(seeded):
    import httpx

    from monitor.alerts.settings import AlertSettings

    engine, ids = seeded
    posted: list[str] = []
    client = httpx.Client(transport=httpx.MockTransport(
        lambda request: posted.append(request.content.decode()) or httpx.Response(200)))
    alerts = AlertSettings(webhook_url="https://hooks.example/T0", lookback_hours=3)
    now = T0 + timedelta(minutes=85)  # Kasia due 11:00, Bob due 11:20: both just breached
    first = actions.alert_sla_breaches(engine, alerts, 60, client=client, now=now)
    assert sorted(first) == sorted([_conversation(engine, ids["kasia"]), _conversation(engine, ids["bob"])])
    assert len(posted) == 2 and "past the 60-minute SLA" in posted[0] and "nie działa" not in "".join(posted)
    ewa = _conversation(engine, ids["ewa"])  # due 11:30
    assert actions.alert_sla_breaches(engine, alerts, 60, client=client, now=now + timedelta(minutes=6)) == [ewa]
    assert actions.alert_sla_breaches(engine, alerts, 60, client=client, now=now + timedelta(minutes=7)) == []
    assert actions.alert_sla_breaches(engine, alerts, 60, client=client, now=T0 + timedelta(days=3)) == []
