"""The seeded database the report, inbox and dashboard tests share (fixtures `seeded` and
`seeded_engine` in tests/conftest.py): the demo data set (3,000 mentions, 8 weeks),
most of it scored, plus a mention whose text and author name are an XSS attempt."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from monitor.demo.generator import generate
from monitor.mention import Author, Mention
from monitor.store import rollups, schema
from monitor.store.engine import make_engine, upgrade
from monitor.store.ingest import ingest

XSS = "<img src=x onerror=alert(1)>"
END = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
CONFIG = """\
timezone: Europe/Warsaw
auth: {required: false}   # these tests are about the pages; tests/trust signs in
sla_minutes: 60
brands:
  - name: Acme
    queries: ['acme OR acmeapp OR "acme shop"']
  - name: Volta
    queries: ['volta OR voltamobile OR voltaenergy']
  - name: Kawka
    queries: ['kawka OR kawkaapp']
"""


def score_randomly(engine: sa.Engine, share: float = 0.8, seed: int = 3) -> None:
    """Stand-in for the sentiment model: label most mentions, leave the rest pending."""
    rng = random.Random(seed)
    with engine.begin() as connection:
        mention = schema.MentionRow.__table__
        ids = connection.execute(sa.select(mention.c.id).order_by(mention.c.id)).scalars().all()
        labels = {i: rng.choices(["negative", "neutral", "positive"], [4, 3, 3])[0]
                  for i in ids if rng.random() < share}
        rollups.rescored(connection, labels)


def seed_database(url: str, mentions: int = 3000) -> None:
    engine = make_engine(url)
    upgrade(engine)
    batch = generate(seed=7, mentions=mentions, weeks=8, end=END)
    xss = Mention(source="x", external_id="xss-1", text=f"@acme {XSS}", created_at=END - timedelta(minutes=5),
                  author=Author(handle="xss_author", name=XSS, followers=10_000_000), lang="en", brand="Acme")
    ingest(engine, [*batch.mentions, xss])
    score_randomly(engine)
    engine.dispose()
