"""The figures every model is judged by: per-language macro-F1, negative (complaint) recall and
their means, all in percent rounded to two decimals.

Pure arithmetic on examples and model outputs (probabilities or logits: only their argmax
counts), so training, the n-gram blend, the fine-tune's dev scoring and the benchmarks report
the same numbers. Loading held-out data and a scorer is `sentiment.evaluation`'s job.
"""
from __future__ import annotations

import numpy as np

from .data import LABEL_INDEX, NOISY_LABEL_LANGS, Example

NEGATIVE = LABEL_INDEX["negative"]


def labels_of(examples: list[Example]) -> np.ndarray:
    """The gold label index of each example (LABELS order)."""
    return np.array([LABEL_INDEX[e.label] for e in examples])


def macro_f1_by_lang(examples: list[Example], probs: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    pred, gold = probs.argmax(1), labels_of(examples)
    langs = sorted({e.lang or "?" for e in examples})
    out = {}
    for lang in langs:
        idx = [i for i, e in enumerate(examples) if (e.lang or "?") == lang]
        # over the labels present in gold or predictions (a one-class file is not penalised
        # for the classes it does not contain)
        out[lang] = round(100 * f1_score(gold[idx], pred[idx], average="macro",
                                         zero_division=0), 2)
    return out


def negative_recall(examples: list[Example], probs: np.ndarray) -> float:
    """The share of the negative examples predicted negative, pooled over languages (NaN when
    there is none)."""
    negative = labels_of(examples) == NEGATIVE
    return round(100 * float(np.mean(probs[negative].argmax(1) == NEGATIVE)), 2)


def negative_recall_by_lang(examples: list[Example], probs: np.ndarray) -> dict[str, float]:
    """`negative_recall` per language, for the languages with negative examples."""
    gold = labels_of(examples)
    out = {}
    for lang in sorted({e.lang or "?" for e in examples}):
        idx = [i for i, e in enumerate(examples)
               if (e.lang or "?") == lang and gold[i] == NEGATIVE]
        if idx:
            out[lang] = negative_recall([examples[i] for i in idx], probs[idx])
    return out


def mean(scores: dict[str, float]) -> float:
    return round(float(np.mean(list(scores.values()))), 2) if scores else 0.0


def mean_without_noisy(val_f1: dict[str, float]) -> float:
    """The UMSAB val mean without the languages whose labels are noise (`NOISY_LABEL_LANGS`)."""
    return mean({lang: f1 for lang, f1 in val_f1.items() if lang not in NOISY_LABEL_LANGS})


def review_figures(examples: list[Example], probs: np.ndarray) -> dict[str, dict[str, float]]:
    """Per language (and "mean" over them), in percent: `accuracy`, the share of the negative and
    positive examples labelled as they are (neutral counts as wrong); `praise_as_negative`, the
    share of the positive ones labelled negative; `negative_recall`; `neutral_share`, the share of
    all examples labelled neutral; `neutral_recall`, that of the neutral ones; `n`."""
    pred, gold = probs.argmax(1), labels_of(examples)
    positive, neutral = LABEL_INDEX["positive"], LABEL_INDEX["neutral"]
    out: dict[str, dict[str, float]] = {}

    def pct(mask: np.ndarray, hit: np.ndarray) -> float:
        return round(100 * float(hit[mask].mean()), 1) if mask.any() else float("nan")

    for lang in sorted({e.lang or "?" for e in examples}):
        here = np.array([(e.lang or "?") == lang for e in examples])
        polar = here & (gold != neutral)
        out[lang] = {"accuracy": pct(polar, pred == gold),
                     "praise_as_negative": pct(here & (gold == positive), pred == NEGATIVE),
                     "negative_recall": pct(here & (gold == NEGATIVE), pred == NEGATIVE),
                     "neutral_share": pct(here, pred == neutral),
                     "neutral_recall": pct(here & (gold == neutral), pred == neutral),
                     "n": int(here.sum())}
    if len(out) > 1:
        keys = ("accuracy", "praise_as_negative", "negative_recall", "neutral_share",
                "neutral_recall")
        total = sum(v["n"] for v in out.values())
        out["mean"] = {k: round(float(np.nanmean([v[k] for v in out.values()])), 1) for k in keys}
        out["mean"]["n"] = total
    return out
