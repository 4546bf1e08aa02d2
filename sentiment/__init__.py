"""Sentiment, language and priority of mentions: the only room that loads a model.

    from sentiment import load_scorer, SentimentSettings
    scorer = load_scorer(SentimentSettings())          # builtin multilingual model
    scorer.classify(["Paczka przyszła uszkodzona"])    # [Sentiment(label="negative", ...)]

Heavy imports (torch, transformers, onnxruntime) happen only when a scorer is loaded.

The modules, each importing only from the rows above it (and none from this package's
`__init__`, which imports them lazily):

    settings, data, convert, delta, language   config; labelled data; the base model; languages
    metrics, encoder, priority                 macro-F1 and complaint recall; running the encoder
    heads, lexical                             stored heads; the character n-gram companion
    model                                      `load_scorer`, `Scorer`
    evaluation, finetune                       scoring on labelled data; fine-tuning the encoder
    train                                      `train_head`; `python -m sentiment.train`
"""
from __future__ import annotations

from .data import LABELS, Example
from .priority import priority  # the function, not the submodule of the same name (it is light)
from .settings import PriorityWeights, SentimentSettings

__all__ = ["LABELS", "Example", "PriorityWeights", "Scorer", "Sentiment", "SentimentSettings",
           "detect_language", "detect_languages", "evaluate", "install", "load_scorer",
           "model_in_use", "priority", "train_head"]


def __getattr__(name: str):
    # lazy: importing `sentiment` for its settings must not pull in torch
    if name in ("Scorer", "Sentiment", "load_scorer", "install"):
        from . import model
        return getattr(model, name)
    if name == "evaluate":
        from .evaluation import evaluate
        return evaluate
    if name == "train_head":
        from .train import train_head
        return train_head
    if name == "model_in_use":
        from .heads import model_in_use
        return model_in_use
    if name in ("detect_language", "detect_languages"):
        from . import language
        return getattr(language, name)
    raise AttributeError(f"module 'sentiment' has no attribute {name!r}")
