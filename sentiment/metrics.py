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
