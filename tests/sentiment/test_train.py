"""evaluate() on a tiny labelled file, data split, and train_head's keep-or-replace rule."""
import functools
import json

import numpy as np
import pytest

from sentiment import data, evaluation, heads, train
from sentiment.settings import SentimentSettings

TSV = """text\tlabel\tlang
Paczka przyszła uszkodzona i nikt nie odpowiada.\tnegative\tpl
Dziękuję, wszystko działa świetnie!\tpositive\tpl
Jakie są godziny otwarcia w sobotę?\tneutral\tpl
The parcel arrived broken and nobody answers.\t0\ten
Thank you, great service!\t2\ten
What are your opening hours on Saturday?\t1\ten
"""


def test_evaluate_tiny_labelled_file(tmp_path, torch_scorer):
    path = tmp_path / "tiny.tsv"
    path.write_text(TSV, encoding="utf-8")
    scores = evaluation.evaluate(path, scorer=torch_scorer)
    assert set(scores) == {"pl", "en"}
    assert all(0 <= v <= 100 for v in scores.values())
    assert scores["en"] == 100.0
    examples = [("Terrible, I want my money back", "negative", "en")]
    assert evaluation.evaluate(examples, scorer=torch_scorer) == {"en": 100.0}


def test_care_data_split_is_deterministic_and_complete():
    every = data.load_care("all")
    test, trainset = data.load_care("test"), data.load_care("train")
    assert len(test) + len(trainset) == len(every)
    assert {e.lang for e in every} == set(data.CARE_LANGS)
    for lang in data.CARE_LANGS:
        held = [e for e in test if e.lang == lang]
        assert len(held) >= 30
        assert sum(e.label == "negative" for e in held) >= 20
    assert not {e.text for e in test} & {e.text for e in trainset}


def test_fit_head_folds_scaler():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 8)).astype(np.float32)
    y = (x[:, 0] > 0.5).astype(int) + (x[:, 0] > -0.5).astype(int)
    head, _ = train.fit_head(x, y, c_grid=(1.0,))
    assert (head.probs(x).argmax(1) == y).mean() > 0.9


def test_fit_head_picks_c_by_cross_validation():
    """Few examples and a signal spread over many features: strong regularisation generalises
    and is chosen; one clean feature and plenty of examples: the weak one is."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 40)).astype(np.float32)
    spread = x.sum(1) + 2 * rng.normal(size=60)
    assert train.fit_head(x, (spread > 2).astype(int) + (spread > -2).astype(int),
                          c_grid=(1e-3, 100.0))[1] == 1e-3
    x = rng.normal(size=(240, 8)).astype(np.float32)
    head, c = train.fit_head(x, (x[:, 0] > 0.5).astype(int) + (x[:, 0] > -0.5).astype(int),
                             c_grid=(1e-3, 100.0))
    assert c == 100.0 and head.meta["C"] == 100.0


def test_replaces_only_a_model_that_is_not_worse_held_out():
    current = {"umsab_val_mean": 64.0, "care_test_mean": 95.0, "care_test_negative_recall_min": 95.0}
    assert train.replaces(current, None)
    assert train.replaces({**current, "umsab_val_mean": 63.6}, current)      # within tolerance
    assert not train.replaces({**current, "umsab_val_mean": 62.9}, current)  # loses 1.1 points
    assert train.replaces({**current, "umsab_val_mean": 63.0, "care_test_mean": 96.0}, current)
    assert not train.replaces({**current, "umsab_val_mean": 66.0,
                               "care_test_negative_recall_min": 90.0}, current)  # misses more


NOVEL = "Kurier Zbyszek znowu zostawił awizo zamiast paczki"


def _small_shipped_data(monkeypatch, tmp_path):
    """Small stand-ins for the shipped data (every language still in each) and a private heads
    directory: the tests check what is stored and promoted, not the model's quality."""
    small = {"train": data.load_umsab("train")[::80], "val": data.load_umsab("val")[::20]}
    monkeypatch.setattr(train, "load_umsab", lambda split: small[split])       # trained on
    monkeypatch.setattr(evaluation, "load_umsab", lambda split: small[split])  # held out
    monkeypatch.setattr(train, "load_allegro", lambda part: data.load_allegro(part)[::100])
    monkeypatch.setattr(train, "load_care", lambda part: data.load_care(part)[::3])
    monkeypatch.setattr(evaluation, "load_care", lambda part, *a: data.load_care(part, *a)[::2])
    monkeypatch.setattr(train, "load_reviews", lambda part: data.load_reviews(part)[::12])  # 133 of 1,600 train rows
    monkeypatch.setattr(heads, "heads_dir", lambda cache_dir=None: tmp_path)
    # one C instead of three picked by 3-fold CV: ten logistic regressions were half of each
    # train_head here (test_fit_head_picks_c_by_cross_validation covers the choice)
    monkeypatch.setattr(train, "fit_head", functools.partial(train.fit_head, c_grid=(0.2,)))


@pytest.mark.slow
def test_train_head_with_corrections_keeps_old_head(tmp_path, monkeypatch, cache_dir, shared_data):
    """A new head is stored beside the old one and becomes current only if `replaces` says so."""
    _small_shipped_data(monkeypatch, tmp_path)
    corrections = [("Trzeci tydzień czekam na kuriera.", "negative", "pl"),
                   {"text": "Dzięki za szybką odpowiedź", "label": "positive"}]
    settings = SentimentSettings(cache_dir=cache_dir)
    result = train.train_head(corrections, settings=settings)
    assert result.metrics["corrections"] == 2
    assert set(result.metrics["new"]["care_test_negative_recall"]) == set(data.CARE_LANGS)
    assert result.promoted == train.replaces(result.metrics["new"], result.metrics["current"])
    if result.promoted:
        assert (tmp_path / "current").read_text() == result.path.name
        assert heads.current_head_path(cache_dir) == result.path
    else:
        assert not (tmp_path / "current").exists()
        assert heads.current_head_path(cache_dir) == heads.artifacts_dir() / heads.HEAD_FILE


@pytest.mark.slow
def test_corrections_retrain_the_ngram_model_stored_beside_the_head(tmp_path, monkeypatch,
                                                                    cache_dir, shared_data):
    """The n-gram model is refitted with the corrections, keeps the shipped blend, is stored
    beside the promoted head, and the scorer loads it from there."""
    from sentiment.lexical import LEXICAL_FILE, LexicalModel
    from sentiment.model import BuiltinBackend

    _small_shipped_data(monkeypatch, tmp_path)
    monkeypatch.setattr(train, "replaces", lambda new, current: True)
    settings = SentimentSettings(cache_dir=cache_dir)
    shipped = LexicalModel.load(heads.artifacts_dir() / LEXICAL_FILE)
    corrections = [(NOVEL, "positive", "pl")] * 3  # an odd label only a correction can teach
    result = train.train_head(corrections, settings=settings)
    assert result.promoted and result.metrics["lexical_retrained"]
    beside = heads.lexical_beside(result.path)
    assert beside.name == result.path.name.replace(".safetensors", ".lexical.safetensors")
    retrained = BuiltinBackend(settings).lexical
    assert retrained.meta["corrections"] == "3"
    assert (retrained.weight, retrained.temperature) == (shipped.weight, shipped.temperature)
    assert np.array_equal(retrained.offset, shipped.offset)
    positive = data.LABEL_INDEX["positive"]
    assert retrained.log_probs([NOVEL])[0].argmax() == positive
    assert retrained.log_probs([NOVEL])[0, positive] > shipped.log_probs([NOVEL])[0, positive] + 1
    # a head shipped without a retrained n-gram model beside it falls back to the shipped one
    beside.unlink()
    assert BuiltinBackend(settings).lexical.meta.get("corrections") is None


def test_head_round_trip_keeps_fortran_ordered_weights(tmp_path):
    weight = np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4))
    heads.Head(weight, np.zeros(3, np.float32), {"adapter": ""}).save(tmp_path / "h.safetensors")
    loaded = heads.Head.load(tmp_path / "h.safetensors")
    assert np.array_equal(loaded.weight, weight) and loaded.meta["adapter"] == ""


def _tiny_examples():
    rows = [line.split("\t") for line in TSV.strip().splitlines()[1:]]
    return [data.Example(t, data.LABELS[int(y)] if y.isdigit() else y, lang)
            for t, y, lang in rows]


def test_finetune_writes_adapter_and_head_then_resumes_from_them(tmp_path, cache_dir):
    """A few LoRA steps write an adapter + head; a warm restart loads both and moves on from
    them (not from a fresh, zero head)."""
    from sentiment import finetune as ft

    settings = SentimentSettings(cache_dir=cache_dir, max_length=24, threads=1)
    first = tmp_path / "first"
    info = ft.finetune(first, epochs=2, settings=settings, batch_size=3, rank=2,
                       examples=_tiny_examples(), lr=1e-2, head_lr=5e-2)
    assert info["steps"] == 4 and not info["resumed"]
    head1 = heads.Head.load(first / heads.HEAD_FILE)
    assert np.abs(head1.weight).sum() > 0  # trained away from its zero start
    assert (first / heads.ADAPTER_FILE).exists()

    second = tmp_path / "second"
    info2 = ft.finetune(second, epochs=1, settings=settings, batch_size=3,
                        examples=_tiny_examples(), lr=1e-2, head_lr=1e-9, resume=first)
    assert info2["resumed"] and info2["rank"] == 2
    head2 = heads.Head.load(second / heads.HEAD_FILE)
    # with a vanishing head learning rate the resumed head stays where the first run left it
    np.testing.assert_allclose(head2.weight, head1.weight, atol=1e-3)
    assert heads.adapter_fingerprint(second) != heads.adapter_fingerprint(first)


def test_full_finetune_ships_a_delta_the_backend_applies_and_resumes_from(tmp_path, cache_dir):
    """A few steps of the full method write an int8 delta (no adapter) + head and score a dev
    set after each epoch; the builtin backend applies the delta (features move off the base);
    a warm restart starts from the saved weights."""
    from sentiment import delta
    from sentiment import finetune as ft
    from sentiment.model import BuiltinBackend

    settings = SentimentSettings(cache_dir=cache_dir, max_length=24, threads=1, onnx=False)
    first = tmp_path / "first"
    (first / heads.ADAPTER_FILE).parent.mkdir(parents=True)
    (first / heads.ADAPTER_FILE).write_bytes(b"stale adapter from an earlier LoRA run")
    info = ft.finetune(first, epochs=2, settings=settings, batch_size=3, method="full",
                       examples=_tiny_examples(), dev=_tiny_examples(), lr=1e-3, head_lr=5e-2)
    assert info["method"] == "full" and info["steps"] == 4
    assert [row["step"] for row in info["dev"]] == [2, 4] and set(info["dev"][0]["macro_f1"]) == {"pl", "en"}
    assert (first / delta.DELTA_FILE).exists() and not (first / heads.ADAPTER_FILE).exists()
    assert heads.tuned_file(first) == first / delta.DELTA_FILE
    assert heads.Head.load(first / heads.HEAD_FILE).meta["trained"] == "full"

    texts = ["Paczka nie dotarła", "Great service"]
    tuned = BuiltinBackend(settings, head_path=first / heads.HEAD_FILE, artifacts=first)
    moved = tuned.features(texts)
    assert tuned.has_adapter and np.abs(moved - tuned.embed(texts)).max() > 1e-3

    second = tmp_path / "second"
    info2 = ft.finetune(second, epochs=1, settings=settings, batch_size=3, method="full",
                        examples=_tiny_examples(), lr=1e-12, head_lr=1e-12, resume=first)
    assert info2["resumed"]
    again = BuiltinBackend(settings, head_path=second / heads.HEAD_FILE, artifacts=second)
    # with vanishing learning rates the restart keeps the first run's encoder (int8 steps apart)
    np.testing.assert_allclose(again.features(texts), moved, atol=2e-2)


def test_split_dev_takes_every_tenth_tweet_per_language():
    examples = [data.Example(f"{lang}{i}", "neutral", lang) for lang in ("ar", "de") for i in range(25)]
    trainset, dev = data.split_dev(examples)
    assert [e.text for e in dev] == ["ar9", "ar19", "de9", "de19"]
    assert len(trainset) + len(dev) == 50 and not {e.text for e in dev} & {e.text for e in trainset}


def test_care_dev_part_is_carved_from_train_and_never_from_the_held_out_test():
    train_all, test = data.load_care("train"), data.load_care("test")
    dev, rest = data.load_care("dev"), data.load_care("train-dev")
    key = lambda e: (e.lang, e.text)  # noqa: E731
    assert sorted(map(key, dev + rest)) == sorted(map(key, train_all))
    assert not set(map(key, dev)) & set(map(key, rest)) and not set(map(key, dev)) & set(map(key, test))
    for lang in data.CARE_LANGS:
        assert sum(e.lang == lang and e.label == "negative" for e in dev) >= 5
    with pytest.raises(ValueError, match="part must be one of"):
        data.load_care("validation")


def test_sortish_batches_cover_every_example_once_with_similar_lengths():
    import random

    from sentiment.finetune import sortish_batches

    rng = random.Random(1)
    lengths = [rng.randint(3, 60) for _ in range(500)]
    batches = sortish_batches(lengths, 10, random.Random(0), window=5)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(500))
    spread = np.mean([max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches])
    assert spread < 15  # shuffled batches of 10 random lengths would spread ~45


def test_soup_averages_full_finetunes_into_one_model(tmp_path, cache_dir):
    """Two seeds of the full method averaged: the head is the mean of theirs, the encoder's
    sentence vectors sit near the mean of theirs (far from either), and a directory without a
    full fine-tune is refused."""
    from sentiment import finetune as ft
    from sentiment.model import BuiltinBackend

    settings = SentimentSettings(cache_dir=cache_dir, max_length=24, threads=1, onnx=False)
    sources = [tmp_path / "s0", tmp_path / "s1"]
    for seed, source in enumerate(sources):
        ft.finetune(source, epochs=1, settings=settings, batch_size=3, method="full", seed=seed,
                    examples=_tiny_examples(), lr=1e-3, head_lr=5e-2)
    train.soup_artifacts(sources, tmp_path / "soup", settings)
    loaded = [heads.Head.load(d / heads.HEAD_FILE) for d in (*sources, tmp_path / "soup")]
    np.testing.assert_allclose(loaded[2].weight, (loaded[0].weight + loaded[1].weight) / 2,
                               atol=1e-6)
    assert loaded[2].meta["adapter"] == heads.adapter_fingerprint(tmp_path / "soup")
    texts = ["Paczka nie dotarła", "Great service", "Il pacco arriva domani"]
    vectors = [BuiltinBackend(settings, head_path=d / heads.HEAD_FILE, artifacts=d).features(texts)
               for d in (*sources, tmp_path / "soup")]
    mean = (vectors[0] + vectors[1]) / 2
    apart = np.abs(vectors[0] - vectors[1]).max()
    assert apart > 1e-3 and np.abs(vectors[2] - mean).max() < 0.25 * apart
    with pytest.raises(FileNotFoundError, match="no full fine-tune"):
        train.soup_artifacts([tmp_path / "missing"], tmp_path / "soup2", settings)
    train.soup_artifacts(sources, tmp_path / "near1", settings, weights=[0.2, 0.8])
    near = heads.Head.load(tmp_path / "near1" / heads.HEAD_FILE)
    np.testing.assert_allclose(near.weight, 0.2 * loaded[0].weight + 0.8 * loaded[1].weight, atol=1e-6)
    assert json.loads((tmp_path / "near1" / "metrics.json").read_text())["soup_weights"] == [0.2, 0.8]


def test_model_evaluate_command_prints_f1_and_complaint_recall_per_language(tmp_path, cache_dir, capsys):

    from monitor.cli.main import main

    labelled = tmp_path / "ours.tsv"
    labelled.write_text(TSV + "Grazie, tutto perfetto!\tpositive\tit\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"sentiment: {{cache_dir: '{cache_dir}', onnx: false}}\n", encoding="utf-8")
    argv = ["--config", str(config), "--db", f"sqlite:///{tmp_path / 'e.db'}", "model", "evaluate",
            str(labelled)]
    assert main([*argv, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"macro_f1", "mean", "negative_recall", "examples"}
    assert report["examples"] == {"en": 3, "it": 1, "pl": 3}
    assert set(report["macro_f1"]) == {"en", "it", "pl"}
    assert set(report["negative_recall"]) == {"en", "pl"}  # Italian has no complaint to find
    assert report["negative_recall"]["pl"] == 100.0  # "Paczka przyszła uszkodzona i nikt nie odpowiada."
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "pl: " in text and "(negative recall 100.0)" in text and "mean: " in text


def test_review_examples_train_on_allegro_train_and_our_train_part_only(shared_data):
    """The fine-tune's review data: Allegro train (never its held-out rows nor the dev file) and
    our review sentences' train part, repeated; nothing of a dev or test part. (Allegro's rows
    are split by position: some short texts, "Polecam" or blanks, occur on both sides.)"""
    from sentiment.finetune import review_examples

    examples = review_examples(repeat=2)
    allegro, ours = data.load_allegro("train"), data.load_reviews("train")
    assert examples == allegro + ours * 2
    assert {e.source for e in allegro} == {"allegro-train"}
    assert len(allegro) + len(data.load_allegro("train-test")) == len(data.load_allegro("all-train"))
    held = {e.text for e in data.load_reviews("dev") + data.load_reviews("test")}
    assert not {e.text for e in ours} & held


def test_training_examples_thin_the_tweets_but_keep_care_and_dev(monkeypatch):
    from sentiment import finetune as ft

    tweets = [data.Example(f"t{i}", "neutral", "de") for i in range(40)]
    care = [data.Example("c", "negative", "pl")]
    monkeypatch.setattr(ft, "load_umsab", lambda split: tweets)
    monkeypatch.setattr(ft, "load_care", lambda part: care)
    examples, dev, care_dev = ft.training_examples(None, None, 2, True, umsab_every=3)
    trained, held = data.split_dev(tweets)
    assert [e.text for e in dev] == [e.text for e in held]
    assert examples == trained[::3] + care * 2 and care_dev == care


class _Tokenizer:
    """Words as token ids, between a start (101) and an end (102) token."""

    def __call__(self, texts, truncation=False, max_length=None, **_):
        ids = [[101] + [int(w) for w in t.split()] + [102] for t in texts]
        if truncation:
            ids = [x if len(x) <= max_length else x[:max_length - 1] + [102] for x in ids]
        return {"input_ids": ids}


def test_token_ids_keep_the_head_and_the_tail_of_a_long_text():
    """A review's verdict often comes last: with head_tokens a long text keeps its first
    head_tokens tokens and its last max_length - head_tokens; a short one is kept whole."""
    from sentiment.encoder import token_ids

    long, short = " ".join(str(i) for i in range(1, 21)), "1 2 3"
    cut = token_ids(_Tokenizer(), [long, short], 8, head_tokens=3)
    assert cut == [[101, 1, 2, 17, 18, 19, 20, 102], [101, 1, 2, 3, 102]]
    assert token_ids(_Tokenizer(), [long], 8)[0] == [101, 1, 2, 3, 4, 5, 6, 102]
