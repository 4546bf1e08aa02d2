"""Scoring a model on labelled data: `evaluate(path_or_examples)` (per-language macro-F1, what
`nasluch model evaluate` prints) and `held_out_report(probs_of)`, the figures on UMSAB val and
care test by which a retrained model replaces the current one and that every metrics.json keeps.

Held-out data (UMSAB val, care test) is only ever scored here, never trained or tuned on.
(The module is not called `evaluate`: `sentiment.evaluate` is the function.)
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from .data import Example, as_examples, load_care, load_umsab, read_labelled
from .metrics import macro_f1_by_lang, mean, mean_without_noisy, negative_recall_by_lang


def resolve_examples(path_or_examples) -> list[Example]:
    """A list of examples, a labelled TSV, a directory of `care_*.tsv`, or one of the names
    "umsab-val", "care-test"."""
    if isinstance(path_or_examples, (list, tuple)):
        return as_examples(path_or_examples, "given")
    name = str(path_or_examples)
    if name == "umsab-val":
        return load_umsab("val")
    if name == "care-test":
        return load_care("test")
    path = Path(name)
    if path.is_dir():
        return load_care("all", path)
    return read_labelled(path)


def evaluate(path_or_examples="umsab-val", scorer=None) -> dict[str, float]:
    """Per-language macro-F1 (percent) of `scorer` (default: the configured model)."""
    return evaluation(path_or_examples, scorer)["macro_f1"]


def evaluation(path_or_examples="umsab-val", scorer=None) -> dict:
    """Per-language macro-F1 and negative recall (percent; the share of complaints labelled
    negative, for languages with negative examples) and example counts."""
    from .model import load_scorer

    examples = resolve_examples(path_or_examples)
    scorer = scorer or load_scorer()
    probs = scorer.probabilities([e.text for e in examples])
    counts = Counter(example.lang or "?" for example in examples)
    return {"macro_f1": macro_f1_by_lang(examples, probs),
            "negative_recall": negative_recall_by_lang(examples, probs),
            "examples": dict(sorted(counts.items()))}


def held_out_report(probs_of) -> dict:
    """UMSAB val macro-F1 and care test negative recall for a `texts -> probs` function; the val
    mean over all eight languages and without those whose labels are noise (`NOISY_LABEL_LANGS`).
    """
    val, care = load_umsab("val"), load_care("test")
    val_f1 = macro_f1_by_lang(val, probs_of([e.text for e in val]))
    care_probs = probs_of([e.text for e in care])
    recall = negative_recall_by_lang(care, care_probs)
    care_f1 = macro_f1_by_lang(care, care_probs)
    return {"umsab_val_macro_f1": val_f1, "umsab_val_mean": mean(val_f1),
            "umsab_val_mean_clean": mean_without_noisy(val_f1), "care_test_negative_recall": recall,
            "care_test_negative_recall_min": min(recall.values()), "care_test_macro_f1": care_f1,
            "care_test_mean": mean(care_f1)}


def review_sets(parts: tuple[str, ...] = ("dev", "test")) -> dict[str, list[Example]]:
    """Reviews and customer texts to measure praise vs complaints on: Allegro (pl; "dev" is the
    published dev file we choose on, "test" every 10th review of the train file, never trained or
    chosen on) and our own sentences in eight languages (`load_reviews`)."""
    from .data import load_allegro, load_reviews

    sets = {}
    for part in parts:
        sets[f"allegro-{part}"] = load_allegro("dev" if part == "dev" else "train-test")
        sets[f"reviews-{part}"] = load_reviews(part)
    return {name: examples for name, examples in sets.items() if examples}


def review_report(probs_of, parts: tuple[str, ...] = ("dev", "test")) -> dict:
    """`metrics.review_figures` on each of `review_sets` for a `texts -> probs` function."""
    from .metrics import review_figures

    return {name: review_figures(examples, probs_of([e.text for e in examples]))
            for name, examples in review_sets(parts).items()}
