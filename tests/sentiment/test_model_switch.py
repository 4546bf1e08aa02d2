"""Retrained models kept in the cache: listed, switched back and forth (`nasluch model list|use`),
never a head trained over another encoder."""
from __future__ import annotations

import json

import pytest

from monitor.cli.main import main
from sentiment import heads


def _store(cache, name: str, corrections: int, adapter: str | None = None):
    head = heads.Head.load(heads.artifacts_dir() / heads.HEAD_FILE)
    head.meta.update({"adapter": heads.adapter_fingerprint() if adapter is None else adapter,
                      "corrections": corrections})
    return heads.promote(head, name, {"new": {"umsab_val_mean": 60.0 + corrections}}, cache)


def test_stored_heads_newest_first_and_use_switches_the_pointer(tmp_path):
    old = _store(tmp_path, "head-20261101-100000", 2)
    new = _store(tmp_path, "head-20261120-100000", 5)
    listed = heads.stored_heads(tmp_path)
    assert [h["name"] for h in listed] == ["head-20261120-100000", "head-20261101-100000"]
    assert [h["current"] for h in listed] == [True, False]
    assert listed[0]["report"]["umsab_val_mean"] == 65.0 and listed[0]["corrections"] == 5
    assert heads.use("head-20261101-100000", tmp_path) == old
    assert heads.current_head_path(tmp_path) == old
    assert heads.use(heads.SHIPPED, tmp_path) == heads.artifacts_dir() / heads.HEAD_FILE
    assert heads.current_head_path(tmp_path) == heads.artifacts_dir() / heads.HEAD_FILE
    assert heads.use("head-20261120-100000", tmp_path) == new


def test_use_refuses_unknown_names_and_heads_of_another_encoder(tmp_path):
    _store(tmp_path, "head-20261101-100000", 1, adapter="0123456789abcdef")
    heads.use(heads.SHIPPED, tmp_path)
    with pytest.raises(LookupError, match="no stored head 'head-nope'"):
        heads.use("head-nope", tmp_path)
    with pytest.raises(ValueError, match="another encoder"):
        heads.use("head-20261101-100000", tmp_path)
    assert heads.stored_heads(tmp_path)[0]["usable"] is False
    assert heads.current_head_path(tmp_path) == heads.artifacts_dir() / heads.HEAD_FILE


def test_model_list_and_use_commands(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text(f"sentiment: {{cache_dir: '{tmp_path / 'cache'}'}}\n", encoding="utf-8")
    base = ["--config", str(config), "--db", f"sqlite:///{tmp_path / 'u.db'}", "model"]

    def cli(*argv: str) -> tuple[int, dict | None, str]:
        code = main([*base, *argv, "--json"])
        out, err = capsys.readouterr()
        return code, json.loads(out) if out else None, err

    code, listed, _ = cli("list")
    assert code == 0 and listed["current"] == "shipped" and listed["heads"] == []
    assert listed["shipped"]["umsab_val_mean"] == heads.shipped_report()["umsab_val_mean"]
    _store(tmp_path / "cache", "head-20261120-100000", 3)
    _, listed, _ = cli("list")
    assert listed["current"] == "head-20261120-100000"
    assert listed["heads"][0] == {"name": "head-20261120-100000", "corrections": 3, "usable": True,
                                  "current": True, "umsab_val_mean": 63.0, "care_test_mean": None,
                                  "care_test_negative_recall_min": None}
    code, switched, _ = cli("use", "shipped", "--no-rescore")
    assert code == 0 and switched["current"] == "shipped" and switched["rescored"] is None
    assert cli("list")[1]["current"] == "shipped"
    code, out, err = cli("use", "head-nope", "--no-rescore")
    assert code == 2 and out is None and "no stored head 'head-nope'" in err
    code, out, err = cli("use", "--no-rescore")
    assert code == 2 and "name a stored head" in err
