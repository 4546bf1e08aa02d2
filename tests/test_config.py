"""Each kind of config mistake stops the program with the key, the value and what was expected."""
from __future__ import annotations

import pytest

from monitor.config import ConfigError, build, load, resolve_secrets


def test_repo_config_loads_with_three_brands():
    config = load("config.yaml", environ={})
    assert [b.name for b in config.settings.brands] == ["Acme", "Volta", "Kawka"]
    assert config.settings.sla_minutes == 60 and config.settings.timezone == "Europe/Warsaw"


def test_missing_file_gives_defaults(tmp_path):
    settings = load(tmp_path / "absent.yaml").settings
    assert settings.database.url == "sqlite:///nasluch.db" and settings.brands == []


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ({"sla_minutes": "soon"}, ["sla_minutes", "'soon'", "integer"]),
        ({"sla_minutes": 0}, ["sla_minutes", "0", "greater than 0"]),
        ({"timezone": "Mars/Olympus"}, ["timezone", "'Mars/Olympus'", "IANA time zone"]),
        ({"brands": [{"name": "Acme"}]}, ["brands.0.queries", "Field required"]),
        ({"brands": [{"name": "Acme", "queries": []}]}, ["brands.0.queries", "at least 1"]),
        ({"brands": [{"name": "Acme", "queries": ["acme", "(acme OR"]}]},
         ["brands.0.queries", "query 1", "'(acme OR'", "position"]),
        ({"brands": [{"name": "Acme", "queries": ['"nie działa']}]}, ["brands.0.queries", "position 0"]),
        ({"agents": [{"name": "Ola", "role": "boss"}]}, ["agents.0.role", "'boss'", "'viewer', 'agent' or 'admin'"]),
        ({"colour": "blue"}, ["colour", "Extra inputs are not permitted"]),
        ({"sources": "rss"}, ["sources", "expected a list"]),
        ({"sources": [{"type": "carrier-pigeon", "name": "p"}]}, ["sources[0].type", "'carrier-pigeon'", "expected one of"]),
        (["not", "a", "mapping"], ["(top level)", "expected a mapping"]),
        ({"sources": [{"type": "rss", "name": "f", "urll": "http://x"}]}, ["sources[0].urll", "Extra inputs"]),
        ({"sources": [{"type": "rss", "name": "f", "url": "ftp://x"}]}, ["sources[0].url", "'ftp://x'", "http://"]),
        ({"sources": [{"type": "hackernews", "every": "often"}]}, ["sources[0].every", "'often'", '"5m"']),
    ],
)
def test_mistakes_name_key_value_and_expectation(raw, fragments):
    with pytest.raises(ConfigError) as caught:
        build(raw, environ={})
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("timezone: Europe/Warsaw\nbrands: [\n  - name: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid YAML at line \d+, column \d+"):
        load(path)


def test_env_secrets_are_resolved_once_and_missing_ones_reported():
    raw = {"a": {"$env": "TOKEN_A"}, "b": [{"$env": "TOKEN_B"}], "c": {"$env": "X", "other": 1}}
    resolved = resolve_secrets(raw, {"TOKEN_A": "s3cret"})
    assert resolved["a"] == "s3cret"
    assert type(resolved["b"][0]).__name__ == "_MissingSecret"
    assert resolved["c"] == {"$env": "X", "other": 1}  # not a secret reference: left alone


def test_duplicate_source_names_are_rejected():
    with pytest.raises(ConfigError, match=r"sources\[1\]\.name: got 'hn'"):
        build({"sources": [{"type": "hackernews", "name": "hn"}, {"type": "hackernews", "name": "hn"}]}, environ={})


def test_source_without_its_secret_is_not_configured_not_a_crash():
    raw = {"sources": [{"type": "x", "name": "x", "bearer_token": {"$env": "X_BEARER_TOKEN"}},
                       {"type": "hackernews", "name": "hn"}]}
    config = build(raw, environ={})
    assert [s.name for s in config.sources] == ["hn"]
    assert [(u.name, u.reason) for u in config.unconfigured] == [("x", "not configured: set X_BEARER_TOKEN")]
    configured = build(raw, environ={"X_BEARER_TOKEN": "s3cr3t-XYZ"})
    assert [s.name for s in configured.sources] == ["x", "hn"] and "s3cr3t-XYZ" not in repr(configured.sources[0])


def test_one_database_resolution_for_the_command_line_and_the_dashboard(tmp_path, monkeypatch) -> None:
    """--db, else $NASLUCH_DB, else database.url, else the default: the same order everywhere, and
    `streamlit run dashboard.py` (no NASLUCH_DB) opens the config's database."""
    import argparse

    from monitor.cli.app import App
    from monitor.config import DEFAULT_DB_URL, database_url, load

    path = tmp_path / "config.yaml"
    path.write_text('database: {url: "sqlite:///from-config.db"}\n', encoding="utf-8")
    config = load(path)
    assert database_url(config, "sqlite:///flag.db", {"NASLUCH_DB": "sqlite:///env.db"}) == "sqlite:///flag.db"
    assert database_url(config, None, {"NASLUCH_DB": "sqlite:///env.db"}) == "sqlite:///env.db"
    assert database_url(config, None, {}) == "sqlite:///from-config.db"
    assert database_url(load(tmp_path / "missing.yaml"), None, {}) == DEFAULT_DB_URL
    monkeypatch.delenv("NASLUCH_DB", raising=False)
    assert App(argparse.Namespace(config=str(path), db=None)).db_url == "sqlite:///from-config.db"
    monkeypatch.setenv("NASLUCH_CONFIG", str(path))
    from views import common

    assert common.database_url(common.config()) == "sqlite:///from-config.db"
