"""The shared parts: settings, the registry, search terms, HTML to text, NotConfigured."""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError

from collectors import REGISTRY, build_collector
from collectors.base import Collector, SourceSettings, bare, or_query, parse_every, search_terms
from networks.errors import NotConfigured
from networks.text import html_to_text

MINIMAL = {
    "rss": {"url": "https://forum.example/latest.rss"},
    "hackernews": {},
    "reddit": {"client_id": "i", "client_secret": "s"},
    "mastodon": {"base_url": "https://fosstodon.org", "access_token": "t"},
    "bluesky": {"handle": "acme.bsky.social", "app_password": "p"},
    "x": {"bearer_token": "b"},
    "discourse": {"base_url": "https://forum.example"},
    "youtube": {"api_key": "k", "videos": ["v"]},
    "facebook": {"page_id": "1", "page_access_token": "t"},
    "instagram": {"ig_user_id": "2", "access_token": "t"},
}


def test_registry_holds_every_source_by_its_type() -> None:
    assert set(REGISTRY) == set(MINIMAL)
    for name, cls in REGISTRY.items():
        assert issubclass(cls, Collector) and issubclass(cls.Settings, SourceSettings)
        assert cls.Settings.model_fields["type"].default == name


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_each_source_builds_from_a_config_entry(kind: str) -> None:
    raw = {"type": kind, "name": f"my-{kind}", "every": "2m", **MINIMAL[kind]}
    collector = build_collector(raw, httpx.Client())
    assert collector.settings.name == f"my-{kind}"
    assert collector.settings.every == timedelta(minutes=2)
    assert "secret" not in repr(collector.settings).lower() or "**" in repr(collector.settings)


@pytest.mark.parametrize("kind", ["reddit", "mastodon", "bluesky", "x", "youtube"])
def test_missing_credentials_are_not_configured_not_a_crash(kind: str) -> None:
    settings = REGISTRY[kind].Settings.model_validate(
        {"type": kind, "name": kind, **{k: v for k, v in MINIMAL[kind].items() if k == "base_url"}})
    assert settings.missing_credentials()
    with pytest.raises(NotConfigured) as caught:
        REGISTRY[kind](settings, httpx.Client())
    assert caught.value.message.startswith("not configured: missing")


def test_empty_secret_counts_as_missing() -> None:
    settings = REGISTRY["x"].Settings(type="x", bearer_token="  ")
    assert settings.missing_credentials() == ["bearer_token"]


def test_secrets_are_hidden_in_reprs() -> None:
    settings = REGISTRY["x"].Settings(type="x", bearer_token="very-secret-token")
    assert "very-secret-token" not in repr(settings) and "very-secret-token" not in str(settings.model_dump())


@pytest.mark.parametrize("text,seconds", [("30s", 30), ("5m", 300), ("2h", 7200), ("1d", 86400),
                                          (" 10m ", 600), (90, 90), ("1.5h", 5400)])
def test_every_reads_human_intervals(text, seconds) -> None:
    assert parse_every(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["5", "5 minutes", "m", "", True, None])
def test_every_rejects_anything_else(bad) -> None:
    with pytest.raises(ValidationError, match="interval"):
        REGISTRY["hackernews"].Settings(type="hackernews", every=bad)


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        REGISTRY["hackernews"].Settings(type="hackernews", huh=1)


def test_name_defaults_to_the_type() -> None:
    assert REGISTRY["hackernews"].Settings(type="hackernews").name == "hackernews"


def test_search_terms_drop_wildcards_and_repeats() -> None:
    assert search_terms(["acme", '"acme shop"', "dział*", "acme", " ", '""', "*"]) == \
        ["acme", '"acme shop"', "dział"]
    assert search_terms(["dział*"], wildcard="*") == ["dział*"]
    assert or_query(["acme", '"acme shop"']) == 'acme OR "acme shop"'
    assert bare('"acme shop"') == "acme shop" and bare("dział*") == "dział"


@pytest.mark.parametrize("markup,text", [
    ("<p>One</p><p>Two<br>three</p>", "One\n\nTwo\nthree"),
    ("Fish &amp; chips &#39;n&#x27; &quot;peas&quot;", "Fish & chips 'n' \"peas\""),
    ("<p>a<script>alert(1)</script> b</p>", "a b"),
    ("<ul><li>x</li><li>y</li></ul>", "x\n\ny"),
    (None, ""),
])
def test_html_to_text(markup, text) -> None:
    assert html_to_text(markup) == text
