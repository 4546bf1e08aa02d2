"""How much sentiment signal each UMSAB language's labels carry, measured on the train split only.

    python benchmarks/umsab_signal.py

Three figures per language, none touching validation:

- **n-gram 5-fold**: macro-F1 of the lexical model (`sentiment.lexical`, character and word
  n-grams) trained and tested by 5-fold cross-validation on that language's train tweets alone.
  Chance on three balanced classes is about 33.
- **cue agreement**: of the train tweets with a language-independent positive cue (a smiling or
  heart emoji, ":)", "love") or a negative one (a crying or angry emoji, ":("), the share
  labelled positive and negative respectively. Chance is a third.
- **cross-lingual**: macro-F1 on that language's train tweets of a logistic-regression head on the
  frozen base encoder (multilingual-e5-small, not our fine-tune) trained on the other seven
  languages' train tweets. It asks whether the labels agree with what sentiment means elsewhere,
  independently of the language's own labels.

A language whose labels score near chance on all three is one no model can learn from this data; the
UMSAB mean over eight languages then rests on the other seven.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sentiment.data import LABEL_INDEX, load_umsab  # noqa: E402
from sentiment.lexical import LexicalModel  # noqa: E402

POSITIVE = re.compile(r"[😀😁😂😃😄😊😍😘🥰❤♥💕💖👍]|:\)|:-\)|:d\b|\blove\b", re.IGNORECASE)
NEGATIVE = re.compile(r"[😢😭😡😠😞😔💔👎]|:\(|:-\(")


def cross_validated_f1(examples, folds: int = 5) -> float:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    gold = np.array([LABEL_INDEX[e.label] for e in examples])
    predicted = np.zeros_like(gold)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(examples, gold):
        model = LexicalModel.fit([examples[i] for i in train])
        predicted[test] = model.log_probs([examples[i].text for i in test]).argmax(1)
    return 100 * f1_score(gold, predicted, average="macro")


def cue_agreement(examples, cue: re.Pattern, label: str) -> tuple[float, int]:
    hits = [e for e in examples if cue.search(e.text)]
    if not hits:
        return float("nan"), 0
    return 100 * sum(e.label == label for e in hits) / len(hits), len(hits)


def cross_lingual_f1(examples) -> dict[str, float]:
    """Leave one language out: a head on the frozen base encoder's vectors, trained on the other
    languages, scored on the one left out."""
    import tempfile

    from sklearn.metrics import f1_score

    from sentiment import convert
    from sentiment.model import BuiltinBackend
    from sentiment.settings import SentimentSettings
    from sentiment.train import features_of, fit_head

    settings = SentimentSettings()
    with tempfile.TemporaryDirectory() as nothing_tuned:  # no delta, no head: the base encoder
        backend = BuiltinBackend(settings, head_path=Path(nothing_tuned) / "none",
                                 artifacts=Path(nothing_tuned))
        x = features_of(backend, examples, convert.cache_root(settings.cache_dir) / "features")
    y = np.array([LABEL_INDEX[e.label] for e in examples])
    langs = np.array([e.lang for e in examples])
    scores = {}
    for lang in sorted(set(langs)):
        head, _ = fit_head(x[langs != lang], y[langs != lang], c_grid=(0.2,))
        predicted = head.logits(x[langs == lang]).argmax(1)
        scores[lang] = 100 * f1_score(y[langs == lang], predicted, average="macro")
    return scores


def main() -> None:
    train = load_umsab("train")
    by_lang: dict[str, list] = {}
    for example in train:
        by_lang.setdefault(example.lang, []).append(example)
    cross = cross_lingual_f1(train)
    print(f"{'lang':5} {'tweets':>6} {'n-gram 5-fold':>14} {'cross-lingual':>14} "
          f"{'positive cue':>16} {'negative cue':>16}")
    for lang, examples in sorted(by_lang.items()):
        pos, n_pos = cue_agreement(examples, POSITIVE, "positive")
        neg, n_neg = cue_agreement(examples, NEGATIVE, "negative")
        print(f"{lang:5} {len(examples):6d} {cross_validated_f1(examples):14.1f} "
              f"{cross[lang]:14.1f} {pos:9.0f}% ({n_pos:3d}) {neg:9.0f}% ({n_neg:3d})",
              flush=True)


if __name__ == "__main__":
    main()
