"""The builtin scorer: labels on clear cases, order, dedupe, embeddings, ONNX int8 path."""
import numpy as np
import pytest

from sentiment import SentimentSettings, load_scorer

CLEAR = [
    ("Paczka przyszła uszkodzona i nikt nie odpowiada na reklamację.", "negative", "pl"),
    ("Dziękuję bardzo, świetna obsługa!", "positive", "pl"),
    ("Coletul a ajuns distrus și nimeni nu răspunde la telefon.", "negative", "ro"),
    ("Mulțumesc mult, servicii excelente!", "positive", "ro"),
    ("Το δέμα ήρθε χαλασμένο και κανείς δεν απαντά στα μηνύματα.", "negative", "el"),
    ("Ευχαριστώ πολύ, εξαιρετική εξυπηρέτηση!", "positive", "el"),
    ("The parcel arrived broken and nobody answers.", "negative", "en"),
    ("Thank you so much, amazing support!", "positive", "en"),
    ("Il pacco è arrivato distrutto e nessuno risponde.", "negative", "it"),
    ("Mein Paket ist kaputt angekommen und niemand antwortet.", "negative", "de"),
    ("¡Muchas gracias, el mejor servicio!", "positive", "es"),
    ("Quels sont vos horaires d'ouverture le samedi ?", "neutral", "fr"),
]


def test_clear_examples_in_several_languages(torch_scorer):
    results = torch_scorer.classify([t for t, _, _ in CLEAR])
    assert [r.label for r in results] == [label for _, label, _ in CLEAR]
    assert [r.lang for r in results] == [lang for _, _, lang in CLEAR]
    for r in results:
        assert r.score == max(r.probs.values())
        assert sum(r.probs.values()) == pytest.approx(1.0, abs=1e-5)


def test_order_dedupe_and_batching(cache_dir):
    settings = SentimentSettings(cache_dir=cache_dir, onnx=False, batch_size=3)
    scorer = load_scorer(settings)
    texts = [t for t, _, _ in CLEAR]
    texts = texts + texts[::-1] + ["", texts[0]]  # duplicates, reversed order, empty text
    calls = []
    original = scorer.backend.features
    scorer.backend.features = lambda batch: calls.append(len(batch)) or original(batch)
    probs = scorer.probabilities(texts)
    assert calls == [len(CLEAR) + 1]  # each distinct text once
    alone = np.vstack([scorer.backend.probs([t]) for t in texts[:4]])  # the model, not the memo
    assert np.allclose(probs[:4], alone, atol=1e-5)  # batching/padding changes nothing
    assert np.allclose(probs[:len(CLEAR)], probs[len(CLEAR):2 * len(CLEAR)][::-1])
    assert scorer.classify([]) == [] and scorer.probabilities([]).shape == (0, 3)


class _Counting:
    """A backend that counts the texts it is asked to compute; a text's "probabilities" and
    "vector" are a function of the text, so a mix-up of rows shows."""

    dim = 2

    def __init__(self):
        self.probs_seen: list[str] = []
        self.embed_seen: list[str] = []

    def probs(self, texts):
        self.probs_seen += texts
        raw = np.array([[len(t) % 7 + 1.0, t.count("a") + 1.0, 1.0] for t in texts], dtype=np.float32)
        return raw / raw.sum(axis=1, keepdims=True)

    def embed(self, texts):
        self.embed_seen += texts
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)


def test_a_text_met_again_in_a_later_call_is_not_computed_again_and_the_memo_is_bounded():
    from sentiment.model import Scorer

    backend = _Counting()
    scorer = Scorer(backend, SentimentSettings(), "counting")
    first = scorer.classify(["acme nie działa", "dzięki", "acme nie działa"])
    again = scorer.classify(["dzięki", "paczka zaginęła", "acme nie działa"])
    assert backend.probs_seen == ["acme nie działa", "dzięki", "paczka zaginęła"]  # each once
    assert again[0] == first[1] and again[2] == first[0]  # the rows stay with their texts
    assert again[1].probs == pytest.approx(dict(zip(("negative", "neutral", "positive"),
                                                     backend.probs(["paczka zaginęła"])[0].tolist())))
    assert np.array_equal(scorer.embed(["ab", "abc", "ab"])[:, 0], [2, 3, 2])
    scorer.embed(["abc"])
    assert backend.embed_seen == ["ab", "abc"]

    scorer.MEMO = scorer.VECTOR_MEMO = 2  # the oldest texts go first
    scorer.classify(["x1", "x2", "x3"])
    assert list(scorer._probs) == ["x2", "x3"]
    backend.probs_seen.clear()
    scorer.classify(["acme nie działa", "x3"])
    assert backend.probs_seen == ["acme nie działa"]


def test_a_language_the_network_gave_is_kept_and_only_the_others_are_detected(monkeypatch):
    import sentiment.model as model

    asked: list[str] = []
    real = model.detect_languages
    monkeypatch.setattr(model, "detect_languages", lambda texts, *a: asked.extend(texts) or real(texts, *a))
    scorer = model.Scorer(_Counting(), SentimentSettings(), "counting")
    texts = ["Paczka nie dotarła, nikt nie odbiera telefonu", "Le colis n'est jamais arrivé, personne ne répond",
             "Das Paket ist nie angekommen und niemand antwortet"]
    results = scorer.classify(texts, ["pl", None, "it"])  # a network may say "it" for German: kept
    assert asked == [texts[1]]
    assert [r.lang for r in results] == ["pl", "fr", "it"]
    assert [r.lang for r in scorer.classify(texts)] == ["pl", "fr", "de"]  # without langs: all detected


def test_backends_on_one_base_share_its_tokenizer(cache_dir, torch_scorer):
    """A second backend (ONNX here, torch in the fixture) does not load the tokenizer again."""
    import sentiment.model as model

    loads = model.base_tokenizer.cache_info().misses
    onnx = load_scorer(SentimentSettings(cache_dir=cache_dir))
    assert onnx.backend.tokenizer is torch_scorer.backend.tokenizer
    assert model.base_tokenizer.cache_info().misses == loads


def test_embed_normalised_and_topical(torch_scorer):
    vecs = torch_scorer.embed(["My parcel never arrived", "Moja paczka nigdy nie dotarła",
                               "What a beautiful sunset over the sea"])
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]


@pytest.mark.slow
def test_onnx_int8_agrees_with_torch(cache_dir, torch_scorer, monkeypatch):
    """int8 switched on over an existing fp32 export quantises it, without exporting again.
    Only the sentiment encoder is checked: the base encoder's int8 copy is made by the same
    code, and each quantisation costs the suite about 18 s."""
    import sentiment.model as model

    texts = [t for t, _, _ in CLEAR]
    load_scorer(SentimentSettings(cache_dir=cache_dir, onnx=True)).classify(texts[:1])  # exported once
    monkeypatch.setattr(model, "export_onnx", lambda *a, **k: pytest.fail("exported again"))
    scorer = load_scorer(SentimentSettings(cache_dir=cache_dir, onnx=True, int8=True))
    fast, exact = scorer.probabilities(texts), torch_scorer.probabilities(texts)
    assert ".int8.onnx" in scorer.backend.features_runner.id
    assert (fast.argmax(1) == exact.argmax(1)).mean() >= 0.9
    assert np.abs(fast - exact).max() < 0.25
