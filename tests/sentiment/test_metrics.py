"""The evaluation arithmetic on confusions small enough to check by hand."""
import numpy as np
import pytest

import sentiment
from sentiment import evaluation
from sentiment.data import Example
from sentiment.metrics import macro_f1_by_lang, mean, mean_without_noisy, negative_recall, negative_recall_by_lang

# (gold, predicted) per language
CONFUSION = {
    # negative: 1 of 2 found, no false alarm -> F1 2/3; neutral: 1 right, 1 taken from negative
    # -> F1 2/3; positive: 1 of 1 -> F1 1. Macro (2/3 + 2/3 + 1) / 3 = 7/9
    "pl": [("negative", "negative"), ("negative", "neutral"), ("neutral", "neutral"),
           ("positive", "positive")],
    # neutral is in neither gold nor prediction, so it does not count: negative F1 0, positive
    # F1 2/3 (one right, one false alarm) -> macro 1/3
    "en": [("negative", "positive"), ("positive", "positive")],
    "it": [("positive", "positive")],  # no complaint: no negative recall
}


def _examples_and_probs() -> tuple[list[Example], np.ndarray]:
    rows = [(lang, gold, pred) for lang, pairs in CONFUSION.items() for gold, pred in pairs]
    examples = [Example(f"text {i}", gold, lang) for i, (lang, gold, _) in enumerate(rows)]
    predicted = [sentiment.LABELS.index(pred) for _, _, pred in rows]
    return examples, np.eye(3)[predicted] * 0.8 + 0.1  # probabilities: only the argmax counts


def test_macro_f1_by_language_on_a_hand_checked_confusion():
    examples, probs = _examples_and_probs()
    assert macro_f1_by_lang(examples, probs) == {"en": 33.33, "it": 100.0, "pl": 77.78}


def test_negative_recall_per_language_and_pooled():
    examples, probs = _examples_and_probs()
    assert negative_recall_by_lang(examples, probs) == {"en": 0.0, "pl": 50.0}
    assert negative_recall(examples, probs) == 33.33  # 1 of the 3 complaints


def test_means_round_and_leave_out_the_noisy_label_languages():
    assert mean({"en": 33.33, "it": 100.0, "pl": 77.78}) == 70.37
    assert mean({}) == 0.0
    assert mean_without_noisy({"hi": 30.0, "pl": 70.0, "en": 80.0}) == 75.0


def test_evaluation_reports_the_metrics_for_a_scorer():
    examples, probs = _examples_and_probs()

    class Fixed:  # a scorer that answers with the confusion above
        def probabilities(self, texts: list[str]) -> np.ndarray:
            assert texts == [e.text for e in examples]
            return probs

    report = evaluation.evaluation(examples, scorer=Fixed())
    assert report == {"macro_f1": {"en": 33.33, "it": 100.0, "pl": 77.78},
                      "negative_recall": {"en": 0.0, "pl": 50.0},
                      "examples": {"en": 2, "it": 1, "pl": 4}}
    assert sentiment.evaluate is evaluation.evaluate  # the package's lazy public name
    assert sentiment.evaluate(examples, scorer=Fixed()) == report["macro_f1"]


@pytest.mark.parametrize("name", ["evaluate", "train_head", "load_scorer", "model_in_use"])
def test_the_package_names_resolve_lazily(name):
    assert callable(getattr(sentiment, name))


def test_review_figures_count_praise_read_as_complaint_per_language():
    from sentiment.metrics import review_figures

    examples = [Example("a", "positive", "pl"), Example("b", "positive", "pl"), Example("c", "negative", "pl"),
                Example("d", "neutral", "pl"), Example("e", "positive", "en"), Example("f", "negative", "en")]
    onehot = {"negative": [1, 0, 0], "neutral": [0, 1, 0], "positive": [0, 0, 1]}
    predicted = ["negative", "positive", "negative", "negative", "positive", "neutral"]
    figures = review_figures(examples, np.array([onehot[p] for p in predicted], dtype=float))
    assert figures["pl"]["praise_as_negative"] == pytest.approx(50.0)  # one of two praises read as a complaint
    assert figures["pl"]["accuracy"] == pytest.approx(66.7)  # 2 of the 3 positive/negative texts, in %, 1 decimal
    assert figures["pl"]["negative_recall"] == pytest.approx(100.0)
    assert figures["en"]["negative_recall"] == pytest.approx(0.0)  # a complaint read as neutral is missed
    assert figures["en"]["accuracy"] == pytest.approx(50.0)


def test_own_review_sentences_are_concept_aligned_so_no_translation_of_a_test_text_is_trained_on():
    """Every language's file has the same ids with the same kind and label: the split is by id,
    so a concept held out in one language is held out in all eight."""
    import csv

    from sentiment.data import data_dir

    layouts = {}
    for path in sorted(data_dir().glob("reviews_*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
        assert all(row["text"].strip() and row["text"] == row["text"].strip() for row in rows), path.name
        assert len({row["text"] for row in rows}) == len(rows), f"{path.name} repeats a text"
        layouts[path.stem] = [(row["id"], row["kind"], row["label"]) for row in rows]
    assert len(layouts) == 8 and len(set(map(tuple, layouts.values()))) == 1
    assert len(layouts["reviews_en"]) == 400


def test_own_review_sentences_split_into_disjoint_parts_in_all_eight_languages():
    from sentiment.data import load_reviews

    parts = {part: load_reviews(part) for part in ("train", "dev", "test")}
    texts = [{(e.lang, e.text) for e in examples} for examples in parts.values()]
    assert not (texts[0] & texts[1]) and not (texts[0] & texts[2]) and not (texts[1] & texts[2])
    for examples in parts.values():
        assert {e.lang for e in examples} == {"pl", "ro", "el", "it", "en", "de", "es", "fr"}
        assert {e.label for e in examples} == {"negative", "neutral", "positive"}


def test_a_batch_of_review_ids_is_that_batch_of_the_part_in_all_eight_languages():
    from sentiment.data import load_reviews

    batch = {(e.lang, e.text) for e in load_reviews("test", ids=range(301, 401))}
    rest = {(e.lang, e.text) for e in load_reviews("test", ids=range(1, 301))}
    assert len(batch) == 8 * 30 and not batch & rest
    assert batch | rest == {(e.lang, e.text) for e in load_reviews("test")}
