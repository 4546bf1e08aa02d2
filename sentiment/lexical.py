"""A lexical companion to the encoder: hashed character and word n-grams in a linear model.

The fine-tuned e5-small reads some tweets poorly: romanised Hindi (Hinglish), slang, hashtags
and spellings its 4-bit base never saw often. Character n-grams of the training tweets catch
many of them. The two disagree where each is weak, so their sum beats either alone:

    logits = (head logits + weight * lexical log probabilities + offset) / temperature

`weight`, `offset` (a per-class shift) and `temperature` are chosen on the dev parts of the
training data (`choose_blend`), never on a reported split: offset and temperature calibrate the
probabilities (the most likely on dev), and the label is the most probable class after that
calibration, with no push toward complaints (priority reads P(negative) for that). They are
stored in the file beside the n-gram model. The blend belongs to the
shipped encoder, so a head the team retrains (`nasluch model train`) is blended the same way.

Features are stateless: scikit-learn's `HashingVectorizer` (character 2–5-grams inside word
boundaries and word 1–2-grams, 2^18 buckets each, lower-cased) with sublinear tf-idf and L2
rows. So the model ships as arrays (idf, coefficients, intercept, offset: about 4 MB in fp16) in
a safetensors file, never a pickle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .data import LABELS, Example
from .encoder import normalise
from .metrics import labels_of, macro_f1_by_lang, mean

LEXICAL_FILE = "lexical.safetensors"
BITS = 18
WORDS = r"(?u)\b\w+\b|[^\w\s]"  # words, and every other non-space character on its own (emoji, !)


def _vectorizers():
    from sklearn.feature_extraction.text import HashingVectorizer

    common = dict(n_features=2 ** BITS, alternate_sign=False, norm=None, lowercase=True)
    return (HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), **common),
            HashingVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=WORDS,
                              **common))


def counts(texts: list[str]):
    """Raw n-gram counts, (n, 2 * 2^18) sparse."""
    from scipy.sparse import hstack

    clean = [normalise(t) for t in texts]
    return hstack([v.transform(clean) for v in _vectorizers()]).tocsr()


def tfidf(matrix, idf: np.ndarray):
    """Sublinear tf (1 + log count) times idf, each row scaled to length 1."""
    from sklearn.preprocessing import normalize

    out = matrix.astype(np.float32, copy=True)
    np.log(out.data, out=out.data)
    out.data += 1.0
    out = out.multiply(idf).tocsr()
    return normalize(out, norm="l2", copy=False)


@dataclass
class LexicalModel:
    idf: np.ndarray        # (F,)
    coef: np.ndarray       # (3, F)
    intercept: np.ndarray  # (3,)
    weight: float = 1.0    # how much its log probabilities count beside the head's logits
    offset: np.ndarray = field(default_factory=lambda: np.zeros(len(LABELS), np.float32))
    temperature: float = 1.0
    meta: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, examples: list[Example], c: float = 3.0,
            sample_weight: np.ndarray | None = None) -> "LexicalModel":
        """Logistic regression on the examples' tf-idf n-grams (`c`: inverse regularisation)."""
        from sklearn.linear_model import LogisticRegression

        if not examples:
            raise ValueError("no examples to fit the lexical model on")
        raw = counts([e.text for e in examples])
        df = np.bincount(raw.indices, minlength=raw.shape[1])
        idf = (np.log((1 + raw.shape[0]) / (1 + df)) + 1.0).astype(np.float32)
        y = labels_of(examples)
        clf = LogisticRegression(C=c, solver="newton-cg", max_iter=300)
        clf.fit(tfidf(raw, idf), y, sample_weight=sample_weight)
        if list(clf.classes_) != list(range(len(LABELS))):
            raise ValueError(f"the lexical model needs examples of all of {LABELS}")
        return cls(idf, clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32),
                   meta={"C": c, "examples": len(examples)})

    def log_probs(self, texts: list[str]) -> np.ndarray:
        """(n, 3) log probabilities in LABELS order."""
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        from scipy.special import log_softmax

        x = tfidf(counts(texts), self.idf)
        return log_softmax(np.asarray(x @ self.coef.T) + self.intercept, axis=1)

    def blend(self, head_logits: np.ndarray, texts: list[str]) -> np.ndarray:
        """The head's logits for `texts` with this model's evidence added."""
        return (head_logits + self.weight * self.log_probs(texts) + self.offset) / self.temperature

    def save(self, path: Path) -> None:
        from safetensors.numpy import save_file

        meta = {"classes": ",".join(LABELS), "bits": str(BITS), "weight": repr(self.weight),
                "temperature": repr(self.temperature),
                **{k: str(v) for k, v in self.meta.items()}}
        # safetensors writes a Fortran-ordered array's memory as if it were C-ordered
        tensors = {"idf": self.idf.astype(np.float16), "coef": self.coef.astype(np.float16),
                   "intercept": self.intercept.astype(np.float32),
                   "offset": np.asarray(self.offset, dtype=np.float32)}
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(path),
                  metadata=meta)
        path.chmod(0o644)  # safetensors writes 0600; the file ships with the package

    @classmethod
    def load(cls, path: Path) -> "LexicalModel":
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as fh:
            meta = dict(fh.metadata() or {})
            tensors = {name: fh.get_tensor(name) for name in ("idf", "coef", "intercept", "offset")}
        if meta.get("classes") != ",".join(LABELS) or meta.get("bits") != str(BITS):
            raise ValueError(f"{path}: a lexical model for classes {meta.get('classes')} and "
                             f"{meta.get('bits')} hash bits, expected {LABELS} and {BITS}")
        weight, temperature = float(meta.pop("weight")), float(meta.pop("temperature", "1.0"))
        return cls(tensors["idf"].astype(np.float32), tensors["coef"].astype(np.float32),
                   tensors["intercept"], weight, tensors["offset"], temperature, meta)


WEIGHTS = tuple(float(w) for w in np.round(np.arange(0.0, 2.01, 0.25), 2))


def calibrate(parts: list[tuple[np.ndarray, np.ndarray]],
              offset: bool = True) -> tuple[np.ndarray, float, float]:
    """(per-class bias, temperature, dev NLL) minimising the mean over `parts` (each (gold label
    indices, logits)) of the mean negative log-likelihood of softmax((logits + bias) / T).

    The positive class's bias stays 0 (only differences count); without `offset` every bias
    stays 0 and only the temperature is fitted (it leaves every label as it is). Each part counts
    the same, so a big set (UMSAB's tweets) does not drown a small one (our review sentences)."""
    from scipy.optimize import minimize
    from scipy.special import log_softmax

    def nll(params: np.ndarray) -> float:
        bias = np.array([params[0], params[1], 0.0]) if offset else np.zeros(3)
        temperature = np.exp(params[-1])
        return float(np.mean([-log_softmax((logits + bias) / temperature, axis=1)[
            np.arange(len(gold)), gold].mean() for gold, logits in parts]))

    starts = ((0.0, 0.0, 0.0), (-1.0, 0.0, 0.7), (1.0, 0.5, 1.0)) if offset else ((0.0,), (1.0,))
    # Nelder-Mead from a few starts (one start was seen to stop in a poor local minimum)
    found = min((minimize(nll, np.array(start), method="Nelder-Mead",
                          options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 2000})
                 for start in starts),
                key=lambda result: result.fun)
    bias = np.array([found.x[0], found.x[1], 0.0] if offset else [0.0, 0.0, 0.0], np.float32)
    return bias, float(np.exp(found.x[-1])), round(float(found.fun), 4)


GUARD = "umsab"      # the dev set a calibration may not cost much on
GUARD_BUDGET = 0.5   # its mean macro-F1 points below the best candidate's


def choose_blend(dev: dict[str, tuple[list[Example], np.ndarray, np.ndarray]]
                 ) -> tuple[float, np.ndarray, float, dict]:
    """(weight, per-class offset, temperature, table) chosen on dev data only.

    `dev` maps a dev set's name to (examples, head logits, lexical log probabilities). For each
    weight in WEIGHTS two calibrations are fitted to make the blend's probabilities most likely
    on the dev sets (`calibrate`): a per-class offset with a temperature, and a temperature
    alone (labels as the blend gives them). The candidate chosen has the best mean over the dev
    sets of their per-language mean macro-F1 (the smaller weight on a tie), among those within
    GUARD_BUDGET points of the best candidate's mean on the GUARD set (UMSAB's tweets): one
    offset fitted to reviews and tweets together was seen to cost the tweets more than a point.
    There is no push toward the negative class: recall for priority comes from P(negative),
    which `priority` reads, not from the label.
    """
    table: dict = {"candidates": []}
    for w in WEIGHTS:
        logits = {name: head + w * lex for name, (_, head, lex) in dev.items()}
        for with_offset in (True, False):
            offset, temperature, nll = calibrate([(labels_of(dev[name][0]), logits[name])
                                                  for name in dev], offset=with_offset)
            f1 = {name: mean(macro_f1_by_lang(dev[name][0], logits[name] + offset))
                  for name in dev}
            table["candidates"].append({
                "weight": w, "offset": [round(float(b), 3) for b in offset],
                "temperature": round(temperature, 3), "nll": nll, "dev_macro_f1": f1,
                "mean": round(float(np.mean(list(f1.values()))), 2),
                "_offset": offset, "_temperature": temperature})
    candidates = table["candidates"]
    if GUARD in dev:
        floor = max(c["dev_macro_f1"][GUARD] for c in candidates) - GUARD_BUDGET
        candidates = [c for c in candidates if c["dev_macro_f1"][GUARD] >= floor]
    best = max(candidates, key=lambda c: (c["mean"], -c["weight"]))
    weight, offset, temperature = best["weight"], best["_offset"], best["_temperature"]
    for candidate in table["candidates"]:
        del candidate["_offset"], candidate["_temperature"]
        candidate["chosen"] = candidate is best
    return weight, offset, temperature, table
