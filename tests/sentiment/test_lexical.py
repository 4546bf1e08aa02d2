"""The character n-gram companion model and its blend into the head."""
import numpy as np
import pytest

from sentiment import data, evaluation, heads, lexical, train
from sentiment.data import Example
from sentiment.heads import softmax
from sentiment.metrics import mean

STEMS = {  # Polish, Romanian, Greek, Italian: inflected forms share character n-grams
    "negative": ["okropna obsługa", "serviciu groaznic", "απαίσια εξυπηρέτηση", "servizio pessimo"],
    "neutral": ["paczka jutro", "coletul mâine", "το δέμα αύριο", "il pacco domani"],
    "positive": ["świetna obsługa", "serviciu excelent", "υπέροχη εξυπηρέτηση", "servizio ottimo"],
}


def examples(repeat: int = 3) -> list[Example]:
    out = []
    for label, phrases in STEMS.items():
        for i in range(repeat):
            out += [Example(f"{p} {'!' * i}", label) for p in phrases]
    return out


@pytest.fixture(scope="module")
def model() -> lexical.LexicalModel:
    return lexical.LexicalModel.fit(examples(), c=10.0)


def test_fit_learns_inflected_forms_in_several_scripts(model):
    unseen = ["okropnej obsługi", "groaznic!!", "απαίσιας", "ottima", "pessimi"]
    log_probs = model.log_probs(unseen)
    np.testing.assert_allclose(np.exp(log_probs).sum(1), 1.0, atol=1e-5)
    assert [data.LABELS[i] for i in log_probs.argmax(1)] == [
        "negative", "negative", "negative", "positive", "negative"]
    assert model.log_probs([]).shape == (0, 3)


def test_round_trip_keeps_coefficients_weight_and_offset(model, tmp_path):
    # sklearn leaves coef_ Fortran-ordered; safetensors would write it transposed unless copied
    model.coef = np.asfortranarray(model.coef)
    model.weight, model.offset = 0.75, np.array([0.4, 0.0, 0.0], np.float32)
    model.temperature = 2.0
    model.save(tmp_path / lexical.LEXICAL_FILE)
    loaded = lexical.LexicalModel.load(tmp_path / lexical.LEXICAL_FILE)
    assert loaded.weight == 0.75 and loaded.offset.tolist() == pytest.approx([0.4, 0.0, 0.0])
    assert loaded.temperature == 2.0
    texts = ["okropna", "ottimo servizio", "pacco"]
    np.testing.assert_allclose(loaded.log_probs(texts), model.log_probs(texts), atol=2e-2)
    head_logits = np.ones((3, 3), np.float32)
    np.testing.assert_allclose(loaded.blend(head_logits, texts),
                               (1 + 0.75 * loaded.log_probs(texts) + [0.4, 0, 0]) / 2, atol=1e-5)


def test_load_refuses_another_feature_space(model, tmp_path, monkeypatch):
    model.save(tmp_path / "m.safetensors")
    monkeypatch.setattr(lexical, "BITS", 20)
    with pytest.raises(ValueError, match="hash bits"):
        lexical.LexicalModel.load(tmp_path / "m.safetensors")


def test_fit_needs_every_label():
    with pytest.raises(ValueError, match="all of"):
        lexical.LexicalModel.fit([Example("dobrze", "positive"), Example("źle", "negative")])
    with pytest.raises(ValueError, match="no examples"):
        lexical.LexicalModel.fit([])


def _dev(rng):
    """Dev: the head is right on half of the tweets (its mistakes are never "negative"), the
    lexical model on all of them."""
    gold = np.tile([0, 1, 2], 40)
    dev = [Example("t", data.LABELS[y], "xx") for y in gold]
    head = np.eye(3)[gold] * 2.0
    head[::2] = np.eye(3)[np.array([1, 2, 1])[gold[::2]]] * 2.0
    lex = np.log(np.eye(3)[gold] * 0.97 + 0.01)
    return dev, head, lex


def test_choose_blend_weights_the_lexical_model():
    dev, head, lex = _dev(np.random.default_rng(0))
    weight, offset, _, table = lexical.choose_blend({"umsab": (dev, head, lex)})
    chosen = next(c for c in table["candidates"] if c["chosen"])
    unblended = max(c["mean"] for c in table["candidates"] if c["weight"] == 0.0)
    assert weight > 0 and chosen["weight"] == weight and chosen["mean"] > unblended
    assert offset.shape == (3,) and offset[2] == 0.0


def test_choose_blend_keeps_the_tweets_within_budget():
    """Reviews lean negative, tweets do not: the offset that fits both best costs the tweets
    more than GUARD_BUDGET, so the temperature-only candidate (labels as the blend gives them)
    is chosen although the reviews' mean is better with the offset."""
    rng = np.random.default_rng(5)

    def drawn(lean: float, n: int = 600):
        z = rng.normal(0, 1.5, (n, 3))
        p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        gold = np.array([rng.choice(3, p=row) for row in p])
        return ([Example("t", data.LABELS[y], "xx") for y in gold],
                z + np.array([lean, 0.0, 0.0]), np.zeros_like(z))

    dev = {"umsab": drawn(0.0), "reviews": drawn(2.5), "allegro": drawn(2.5)}
    *_, table = lexical.choose_blend(dev)
    best_tweets = max(c["dev_macro_f1"]["umsab"] for c in table["candidates"])
    chosen = next(c for c in table["candidates"] if c["chosen"])
    assert chosen["dev_macro_f1"]["umsab"] >= best_tweets - lexical.GUARD_BUDGET
    with_offset = [c for c in table["candidates"] if c["offset"] != [0.0, 0.0, 0.0]]
    assert any(c["dev_macro_f1"]["umsab"] < best_tweets - lexical.GUARD_BUDGET
               for c in with_offset)


def test_choose_blend_calibrates_away_a_lean_toward_negative():
    """A head that adds 1.5 to every negative logit labels praise negative; the calibration
    chosen on dev takes the lean back out (about -1.5 on negative), so the label is the most
    probable class again."""
    rng = np.random.default_rng(3)
    z = rng.normal(0, 1.5, (3000, 3))
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    gold = np.array([rng.choice(3, p=row) for row in p])
    dev = [Example("t", data.LABELS[y], "xx") for y in gold]
    leaning = z + np.array([1.5, 0.0, 0.0])
    weight, offset, temperature, _ = lexical.choose_blend(
        {"reviews": (dev, leaning, np.zeros_like(z)), "more": (dev, leaning, np.zeros_like(z))})
    assert offset[0] - offset[2] == pytest.approx(-1.5, abs=0.25)
    assert abs(offset[1] - offset[2]) < 0.25 and 0.8 <= temperature <= 1.25
    before = np.mean(leaning.argmax(1) == gold)
    after = np.mean((leaning + offset).argmax(1) == gold)
    assert after > before + 0.03


def test_calibrate_temperature_undoes_overconfidence():
    """Labels drawn from softmax(z), logits given as 3 z: the dev likelihood is best near
    temperature 3."""
    rng = np.random.default_rng(2)
    z = rng.normal(0, 1.5, (3000, 3))
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    gold = np.array([rng.choice(3, p=row) for row in p])
    offset, temperature, nll = lexical.calibrate([(gold, 3 * z)])
    assert 2.5 <= temperature <= 3.5 and np.abs(offset).max() < 0.5
    assert nll < 1.0


def test_builtin_backend_blends_a_shipped_lexical_model(tmp_path, cache_dir, model):
    """Artifacts with a lexical file: probabilities are softmax(head + weight * lexical + offset);
    without one they are the head's alone."""
    from sentiment.model import BuiltinBackend
    from sentiment.settings import SentimentSettings

    settings = SentimentSettings(cache_dir=cache_dir, max_length=32, threads=1, onnx=False)
    rng = np.random.default_rng(1)
    head = heads.Head(rng.normal(0, 3, (3, 384)).astype(np.float32), np.zeros(3, np.float32))
    head.save(tmp_path / heads.HEAD_FILE)
    texts = ["okropna obsługa, nikt nie odpisuje", "il pacco arriva domani"]
    plain = BuiltinBackend(settings, head_path=tmp_path / heads.HEAD_FILE, artifacts=tmp_path)
    assert plain.lexical is None
    head_only = plain.probs(texts)
    np.testing.assert_allclose(head_only, head.probs(plain.features(texts)), atol=1e-6)

    model.weight, model.offset = 1.5, np.array([0.5, 0.0, 0.0], np.float32)
    model.temperature = 1.0
    model.save(tmp_path / lexical.LEXICAL_FILE)
    blended = BuiltinBackend(settings, head_path=tmp_path / heads.HEAD_FILE, artifacts=tmp_path)
    expected = softmax(head.logits(blended.features(texts)) + 1.5 * model.log_probs(texts)
                       + [0.5, 0, 0])
    np.testing.assert_allclose(blended.probs(texts), expected, atol=2e-3)
    assert np.abs(blended.probs(texts) - head_only).max() > 0.01


@pytest.mark.slow
def test_blend_artifacts_fits_on_train_and_chooses_on_dev(tmp_path, monkeypatch, cache_dir,
                                                          shared_data):
    """`--blend-only --hold-out-dev` on a small stand-in for the data: the n-gram model is fitted
    without the dev tweets, its weight comes from the dev table, and the backend loads it."""
    from sentiment.model import BuiltinBackend
    from sentiment.settings import SentimentSettings

    small = {"train": data.load_umsab("train")[::16], "val": data.load_umsab("val")[::40]}
    monkeypatch.setattr(train, "load_umsab", lambda split: small[split])       # fitted on
    monkeypatch.setattr(evaluation, "load_umsab", lambda split: small[split])  # reported
    monkeypatch.setattr(train, "load_allegro", lambda part: data.load_allegro(part)[::100])
    monkeypatch.setattr(train, "load_reviews", lambda part: data.load_reviews(part)[::4])
    settings = SentimentSettings(cache_dir=cache_dir, max_length=32, threads=1, onnx=False)
    heads.Head(np.zeros((3, 384), np.float32), np.zeros(3, np.float32)).save(
        tmp_path / heads.HEAD_FILE)
    metrics = train.blend_artifacts(tmp_path, settings, hold_out_dev=True)
    info = metrics["lexical"]
    fitted_on, dev = data.split_dev(small["train"])
    assert info["examples"] == (len(fitted_on) + len(data.load_care("train-dev"))
                                + len(data.load_reviews("train")[::4])
                                + len(data.load_allegro("train")[::100]))
    assert info["weight"] in lexical.WEIGHTS and len(info["offset"]) == 3
    chosen = next(c for c in info["dev"]["candidates"] if c["chosen"])
    assert set(chosen["dev_macro_f1"]) == {"umsab", "care", "reviews", "allegro"}
    # a zero head knows nothing, so any weight of the lexical model beats none on dev
    unblended = max(c["mean"] for c in info["dev"]["candidates"] if c["weight"] == 0.0)
    assert info["weight"] == chosen["weight"] > 0 and unblended < chosen["mean"]
    loaded = BuiltinBackend(settings, head_path=tmp_path / heads.HEAD_FILE, artifacts=tmp_path)
    assert loaded.lexical.weight == info["weight"]
    # the zero head alone calls every tweet negative (macro-F1 about 17); blended it reads them
    assert metrics["fp32"]["umsab_val_mean"] > 25
    val = metrics["fp32"]["umsab_val_macro_f1"]
    assert metrics["fp32"]["umsab_val_mean_clean"] == mean(
        {lang: f1 for lang, f1 in val.items() if lang != "hi"}) and "hi" in val
