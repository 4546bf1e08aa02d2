"""Nasłuch's core, in rooms. One mention flows:

    collectors/<source> ──► jobs.collect ──► store.ingest ──► jobs.scoring (sentiment/) ──►
    inbox (queue, actions, outbox ──► responders/<network>) and reports ──► views/ + dashboard.py

    mention.py   the Mention value collectors hand in (the one monitor module collectors may import)
    config.py    config.yaml validated into typed settings; secrets from the environment
    store/       engine, schema (*Row classes), migrations, ingest, rollups, fulltext (fulltext_pg: its
                 PostgreSQL form), bulk_pg (COPY and array look-ups), frames (reads)
    query/       the query language: parser, nodes (matching in Python and polars), fold
    formats/     import and export formats: twcs, twitter-care, jsonl
    inbox/       queue, actions (notes, tags, assignment), outbox, moderation
    reports/     counts, overview, heatmap, response_times, staffing, themes, spikes
    alerts/      settings (the `alerts:` config) and notify (webhook, e-mail)
    jobs/        scheduler, background (periodic job factories), collect, scoring, retention
    trust/       auth (users, roles), privacy (erasure, export), redaction
    demo/        the generated demo data set: brands, networks, phrases, text, generator
    cli/         `nasluch`: app (config, engine, registry), one module per command group, main

Imports point one way: views → monitor → collectors, responders → networks; sentiment/ is used by
monitor and views and imports none of them. No module takes part in an import cycle.
tests/test_architecture.py checks both.
"""
