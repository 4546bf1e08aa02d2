"""Training the builtin model; `python -m sentiment.train` regenerates artifacts.

- `train_head(extra_examples)`: logistic regression on the encoder's frozen sentence vectors,
  from UMSAB train + our care train + the team's label corrections, and the n-gram model refitted
  on the same examples. The pair is evaluated on held-out data (UMSAB val, care test) beside the
  current one and only replaces it when it is not worse; old heads are kept (`heads.promote`).
- `finetune(...)` (in `sentiment.finetune`): the encoder's layers fine-tuned with the head,
  shipped as int8 deltas over the converted base (or LoRA adapters).

Held-out data (UMSAB val, care test) is never trained or tuned on: the regularisation strength
is picked by cross-validation on the training part. Scoring on it (`held_out_report`, and
`evaluate` for any labelled file) is in `sentiment.evaluation`, the arithmetic in
`sentiment.metrics`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import Example, as_examples, load_allegro, load_care, load_reviews, load_umsab, split_dev
from .delta import DELTA_FILE
from .evaluation import held_out_report
from .heads import HEAD_FILE, METRICS_FILE, Head, adapter_fingerprint, artifacts_dir, current_head_path, promote
from .metrics import labels_of
from .settings import SentimentSettings

logger = logging.getLogger(__name__)

CARE_WEIGHT = 3.0        # a care sentence counts as much as three tweets
REVIEW_WEIGHT = 3.0      # so does one of our review sentences (an Allegro review as one tweet)
HEAD_ALLEGRO_EVERY = 4   # the head reads every 4th Allegro train review (encoder time), the
                         # n-gram model all of them
CORRECTION_WEIGHT = 5.0  # an agent's correction is the most relevant data we have
TOLERANCE = 0.5          # a new head may lose at most this many F1 points to replace the old


@dataclass(frozen=True)
class TrainResult:
    path: Path | None      # the new head, if it was stored
    promoted: bool
    metrics: dict          # {"new": {...}, "current": {...}}


# --------------------------------------------------------------------------- examples & features


def features_of(backend, examples: list[Example], cache: Path | None = None) -> np.ndarray:
    """Encoder vectors for the examples, cached on disk per encoder and text (retraining with a
    few corrections then only embeds the corrections, and a new mix of known data none)."""
    texts = [e.text for e in examples]
    if not texts:
        return np.zeros((0, backend.dim), dtype=np.float32)
    if cache is None:
        return backend.features(texts)
    keys = [hashlib.sha256(t.encode()).hexdigest()[:24] for t in texts]
    path = cache / f"{backend.features_runner.id}.texts.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["vectors"]))
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    if missing:
        first = {k: t for k, t in zip(keys, texts)}
        known.update(zip(missing, backend.features([first[k] for k in missing])))
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{time.monotonic_ns()}.tmp.npz")
        np.savez(tmp, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
        tmp.replace(path)
    return np.stack([known[k] for k in keys]).astype(np.float32)


# --------------------------------------------------------------------------- head


def fit_head(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None,
             c_grid: tuple[float, ...] = (0.05, 0.2, 1.0), seed: int = 0) -> tuple[Head, float]:
    """Logistic regression on standardised features, C picked by 3-fold CV on the training
    data, then the scaler folded into one linear layer."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    mean, std = x.mean(0), x.std(0) + 1e-6
    z = (x - mean) / std
    weights = np.ones(len(y)) if weights is None else weights

    def model(c: float):
        return LogisticRegression(C=c, max_iter=2000, class_weight="balanced")

    best_c, best_f1 = c_grid[0], -1.0
    if len(c_grid) > 1:
        folds = StratifiedKFold(3, shuffle=True, random_state=seed)
        for c in c_grid:
            scores = []
            for tr, te in folds.split(z, y):
                clf = model(c).fit(z[tr], y[tr], sample_weight=weights[tr])
                scores.append(f1_score(y[te], clf.predict(z[te]), average="macro"))
            logger.info("C=%s cv macro-F1 %.4f", c, np.mean(scores))
            if np.mean(scores) > best_f1:
                best_c, best_f1 = c, float(np.mean(scores))
    clf = model(best_c).fit(z, y, sample_weight=weights)
    weight = clf.coef_ / std
    bias = clf.intercept_ - weight @ mean
    return Head(weight.astype(np.float32), bias.astype(np.float32), {"C": best_c}), best_c


def allegro_train(every: int = 1) -> list[Example]:
    """Allegro's train reviews (every `every`-th), or none where ../shared/data is missing."""
    try:
        return load_allegro("train")[::every]
    except FileNotFoundError:
        logger.warning("Allegro reviews not found: training without them")
        return []


def training_set(extra: list[Example], hold_out_dev: bool = False,
                 allegro_every: int = HEAD_ALLEGRO_EVERY) -> tuple[list[Example], np.ndarray]:
    """UMSAB train, care train, our review sentences' train part, Allegro train reviews and
    `extra` (corrections), with their weights; `hold_out_dev` leaves out the dev parts of UMSAB
    and care (those of the reviews and Allegro are never in train)."""
    umsab, care = load_umsab("train"), load_care("train-dev" if hold_out_dev else "train")
    if hold_out_dev:
        umsab, _ = split_dev(umsab)
    reviews, allegro = load_reviews("train"), allegro_train(allegro_every)
    examples = umsab + care + reviews + allegro + extra
    weights = np.concatenate([np.ones(len(umsab)), np.full(len(care), CARE_WEIGHT),
                              np.full(len(reviews), REVIEW_WEIGHT), np.ones(len(allegro)),
                              np.full(len(extra), CORRECTION_WEIGHT)])
    return examples, weights


def dev_sets() -> dict[str, list[Example]]:
    """The dev parts a blend is chosen on: every 10th UMSAB train tweet, the care and review dev
    parts, and Allegro's dev file (where it is found)."""
    sets = {"umsab": split_dev(load_umsab("train"))[1], "care": load_care("dev"),
            "reviews": load_reviews("dev")}
    try:
        sets["allegro"] = load_allegro("dev")
    except FileNotFoundError:
        pass
    return sets


# --------------------------------------------------------------------------- train_head


def train_head(extra_examples: Iterable = (), settings: SentimentSettings | None = None,
               store: bool = True) -> TrainResult:
    """Retrain the head on shipped data + `extra_examples` (the agents' corrections), and the
    n-gram model beside it when one ships.

    The n-gram model keeps the shipped blend (weight, offset, temperature: chosen on dev for
    this encoder) and is refitted on the same examples and weights as the head, so a phrase an
    agent corrected counts on both sides of the blend. The pair replaces the current one only if
    it is not worse on held-out data (`replaces`).
    """
    from .convert import cache_root
    from .lexical import LexicalModel
    from .model import BuiltinBackend

    settings = settings or SentimentSettings()
    backend = BuiltinBackend(settings)
    cache = cache_root(settings.cache_dir) / "features"
    extra = as_examples(extra_examples)
    examples, weights = training_set(extra)
    started = time.monotonic()
    shipped = examples[:len(examples) - len(extra)]  # cached: the same on every retrain
    feats = np.vstack([features_of(backend, shipped, cache), features_of(backend, extra)])
    fingerprint = adapter_fingerprint()
    head, _ = fit_head(feats, labels_of(examples), weights)
    head.meta.update({"adapter": fingerprint, "corrections": len(extra)})
    lexical = None
    if backend.lexical is not None:
        lexical = LexicalModel.fit(examples, sample_weight=weights)
        lexical.weight, lexical.temperature = backend.lexical.weight, backend.lexical.temperature
        lexical.offset = backend.lexical.offset.copy()
        lexical.meta.update({"adapter": fingerprint, "corrections": len(extra)})

    def probs_with(h: Head, lex):
        return lambda texts: backend.probs_from(
            h, features_of(backend, [Example(t, "neutral") for t in texts], cache), texts, lex)

    new = held_out_report(probs_with(head, lexical))
    current = (held_out_report(probs_with(backend.head, backend.lexical))
               if backend.head is not None else None)
    metrics = {"new": new, "current": current, "seconds": round(time.monotonic() - started, 1),
               "corrections": len(extra), "lexical_retrained": lexical is not None,
               "current_head": str(current_head_path(settings.cache_dir))}
    if not (store and replaces(new, current)):
        return TrainResult(None, False, metrics)
    name = time.strftime("head-%Y%m%d-%H%M%S")
    return TrainResult(promote(head, name, metrics, settings.cache_dir, lexical), True, metrics)


def replaces(new: dict, current: dict | None) -> bool:
    """A retrained model replaces the current one if UMSAB val + care test mean macro-F1 lose
    at most 2 x TOLERANCE points together and the worst care negative recall does not drop."""
    return current is None or (
        new["umsab_val_mean"] + new["care_test_mean"]
        >= current["umsab_val_mean"] + current["care_test_mean"] - 2 * TOLERANCE
        and new["care_test_negative_recall_min"] >= current["care_test_negative_recall_min"])


# --------------------------------------------------------------------------- make model

DEFAULT_LR = {"full": 5e-5, "lora": 5e-4}


def fit_lexical(out: Path, backend, hold_out_dev: bool, weight: float = 1.0,
                offset: np.ndarray | None = None, temperature: float = 1.0) -> dict:
    """Fit the n-gram companion on the training data (`training_set`, all Allegro train reviews),
    blend it into `backend` and save it into `out`.

    With `hold_out_dev` it is fitted without the dev parts and its weight, per-class offset and
    temperature are chosen on them (`lexical.choose_blend`); otherwise the given ones are used.
    """
    from .lexical import LEXICAL_FILE, LexicalModel, choose_blend

    started = time.monotonic()
    examples, sample_weight = training_set([], hold_out_dev, allegro_every=1)
    lexical = LexicalModel.fit(examples, sample_weight=sample_weight)
    info: dict = {"examples": len(examples)}
    if hold_out_dev:
        def both(examples: list[Example]) -> tuple[list[Example], np.ndarray, np.ndarray]:
            texts = [e.text for e in examples]
            feats = features_of(backend, examples, feature_cache(backend))
            return examples, backend.head.logits(feats), lexical.log_probs(texts)

        weight, offset, temperature, info["dev"] = choose_blend(
            {name: both(examples) for name, examples in dev_sets().items()})
    lexical.weight, lexical.temperature = float(weight), float(temperature)
    if offset is not None:
        lexical.offset = np.asarray(offset, np.float32)
    lexical.meta.update({"weight_chosen_on": "dev" if hold_out_dev else "given"})
    lexical.save(out / LEXICAL_FILE)
    backend.lexical = lexical
    info.update({"weight": lexical.weight, "offset": [float(b) for b in lexical.offset],
                 "temperature": lexical.temperature,
                 "seconds": round(time.monotonic() - started, 1)})
    return info


def build_artifacts(out: Path, finetune: bool, epochs: float, settings: SentimentSettings,
                    resume: Path | None = None, lr: float | None = None, method: str = "full",
                    hold_out_dev: bool = False, care_repeat: int = 3,
                    lexical: bool = False, seed: int = 0, reviews: bool = False,
                    umsab_every: int = 1) -> dict:
    """Regenerate the shipped head (and the encoder's delta or adapter) into `out` with a metrics
    JSON.

    Without `finetune`: a logistic-regression head on the frozen encoder. With it: the encoder
    (`method`) and the head trained jointly (the head is kept as trained, not refitted).
    `lexical`: also fit the n-gram companion and blend it in (`fit_lexical`).
    """
    from .lexical import LEXICAL_FILE
    from .model import BuiltinBackend

    out.mkdir(parents=True, exist_ok=True)
    (out / LEXICAL_FILE).unlink(missing_ok=True)  # it belongs to the head it was blended with
    started = time.monotonic()
    info: dict = {"max_length": settings.max_length, "head_tokens": settings.head_tokens}
    torch_settings = settings.model_copy(update={"onnx": False})
    if finetune:
        from .finetune import finetune as run_finetune

        previous = None
        if resume is not None and (resume / METRICS_FILE).exists():
            previous = json.loads((resume / METRICS_FILE).read_text()).get("finetune")
        info["finetune"] = run_finetune(out, epochs=epochs, settings=settings, resume=resume,
                                        lr=lr or DEFAULT_LR[method], method=method,
                                        hold_out_dev=hold_out_dev, care_repeat=care_repeat,
                                        seed=seed, reviews=reviews, umsab_every=umsab_every)
        if previous:  # the history of a warm-restarted adapter
            info["finetune"]["previous"] = previous
        backend = BuiltinBackend(torch_settings, head_path=out / HEAD_FILE, artifacts=out)
        backend.head.meta.update({"adapter": adapter_fingerprint(out)})
        backend.head.save(out / HEAD_FILE)
    else:
        for stale in (out / "adapter_model.safetensors", out / "adapter_config.json", out / DELTA_FILE):
            stale.unlink(missing_ok=True)
        backend = BuiltinBackend(torch_settings, head_path=out / HEAD_FILE, artifacts=out)
        examples, weights = training_set([])
        head, c = fit_head(backend.features([e.text for e in examples]), labels_of(examples),
                           weights)
        head.meta.update({"adapter": "", "C": c, "trained": "logistic-regression"})
        head.save(out / HEAD_FILE)
        backend.head = head
        info["train_examples"] = len(examples)
    if lexical:
        info["lexical"] = fit_lexical(out, backend, hold_out_dev)
    info["fp32"] = held_out_report(backend.probs)
    info["seconds"] = round(time.monotonic() - started, 1)
    (out / METRICS_FILE).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    return info


def soup_artifacts(sources: list[Path], out: Path, settings: SentimentSettings,
                   weights: list[float] | None = None) -> dict:
    """Average full fine-tunes of the same base (different seeds) into one model in `out`: the
    mean of their encoder deltas and of their heads (a model soup: one model's cost at
    inference, unlike an ensemble); uniform, or weighted by `weights` (summing to 1)."""
    from transformers import BertModel

    from .convert import install as install_base
    from .delta import average_deltas, soup_weights

    for source in sources:
        if not (source / DELTA_FILE).exists() or not (source / HEAD_FILE).exists():
            raise FileNotFoundError(f"{source} has no full fine-tune ({DELTA_FILE} + {HEAD_FILE})")
    weights = soup_weights(weights, len(sources))
    out.mkdir(parents=True, exist_ok=True)
    base = BertModel.from_pretrained(install_base(settings.cache_dir), add_pooling_layer=False)
    average_deltas([source / DELTA_FILE for source in sources], base, out / DELTA_FILE, weights)
    for stale in out.glob("adapter_*"):
        stale.unlink()
    heads = [Head.load(source / HEAD_FILE) for source in sources]
    head = Head(np.average([h.weight for h in heads], axis=0, weights=weights),
                np.average([h.bias for h in heads], axis=0, weights=weights),
                {"trained": "full", "averaged": len(heads), "weights": weights})
    head.meta["adapter"] = adapter_fingerprint(out)
    head.save(out / HEAD_FILE)
    runs = [json.loads((s / METRICS_FILE).read_text()).get("finetune")
            for s in sources if (s / METRICS_FILE).exists()]
    metrics = {"max_length": settings.max_length, "soup": [s.name for s in sources],
               "soup_weights": weights, "finetune": runs}
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    return metrics


def feature_cache(backend) -> Path:
    from .convert import cache_root

    return cache_root(backend.settings.cache_dir) / "features"


def blend_artifacts(out: Path, settings: SentimentSettings, hold_out_dev: bool,
                    refit_head: bool = False) -> dict:
    """Keep the encoder change and head in `out`; (re)fit only the lexical model blended into
    them, and report the held-out figures again. `refit_head`: first replace the head with a
    logistic regression on the (fine-tuned, frozen) encoder's vectors of `training_set` (without
    the dev parts with `hold_out_dev`). Encoder vectors are cached (`features_of`)."""
    from .lexical import LEXICAL_FILE
    from .model import BuiltinBackend

    metrics = json.loads((out / METRICS_FILE).read_text()) if (out / METRICS_FILE).exists() else {}
    backend = BuiltinBackend(settings, head_path=out / HEAD_FILE, artifacts=out)
    if refit_head:
        (out / LEXICAL_FILE).unlink(missing_ok=True)
        backend.lexical = None
        examples, weights = training_set([], hold_out_dev)
        head, c = fit_head(features_of(backend, examples, feature_cache(backend)),
                           labels_of(examples), weights)
        head.meta.update({"adapter": adapter_fingerprint(out), "C": c,
                          "trained": "logistic-regression on the fine-tuned encoder"})
        head.save(out / HEAD_FILE)
        backend.head = head
        metrics["head"] = {"examples": len(examples), "C": c,
                           "max_length": settings.max_length, "head_tokens": settings.head_tokens}
    if backend.head is None:
        raise FileNotFoundError(f"{out} has no {HEAD_FILE} to blend with")
    metrics["lexical"] = fit_lexical(out, backend, hold_out_dev)

    def probs(texts: list[str]) -> np.ndarray:
        feats = features_of(backend, [Example(t, "neutral") for t in texts], feature_cache(backend))
        return backend.probs_from(backend.head, feats, texts)

    metrics["fp32"] = held_out_report(probs)
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    return metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=artifacts_dir())
    parser.add_argument("--frozen", action="store_true",
                        help="only a logistic-regression head on the frozen encoder (minutes) "
                             "instead of fine-tuning the encoder + head (~17 min per epoch on "
                             "one core)")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--head-tokens", type=int, default=0,
                        help="a text longer than --max-length keeps this many tokens of its "
                             "start and the rest from its end (0: cut at the end)")
    parser.add_argument("--reviews", action="store_true",
                        help="fine-tune on review data too: Allegro train (not its held-out "
                             "rows) and our own review sentences' train part")
    parser.add_argument("--umsab-every", type=int, default=1,
                        help="fine-tune on every n-th UMSAB train tweet only (with --resume: "
                             "against forgetting what the resumed model learnt from them)")
    parser.add_argument("--method", choices=("full", "lora"), default="full",
                        help="full fine-tune of the layers (shipped as an int8 delta) or LoRA")
    parser.add_argument("--lr", type=float, default=None,
                        help=f"encoder learning rate (default {DEFAULT_LR})")
    parser.add_argument("--hold-out-dev", action="store_true",
                        help="train without a dev part (every 10th UMSAB train tweet, every "
                             "fifth care train concept) and score it after each epoch, for "
                             "choosing a recipe without touching the reported splits")
    parser.add_argument("--care-repeat", type=int, default=3,
                        help="how many times each care sentence is trained on per epoch")
    parser.add_argument("--resume", type=Path, default=None,
                        help="continue from the adapter and head in this directory")
    parser.add_argument("--lexical", action="store_true",
                        help="also fit the character n-gram model and blend it into the head "
                             "(weights chosen on the dev parts with --hold-out-dev)")
    parser.add_argument("--blend-only", action="store_true",
                        help="keep the encoder and head in --out; fit only the n-gram model "
                             "blended into them (implies --lexical)")
    parser.add_argument("--refit-head", action="store_true",
                        help="with --blend-only: first refit the head (logistic regression) on "
                             "the encoder in --out, frozen, over the training data")
    parser.add_argument("--soup", type=Path, nargs="+", default=None, metavar="DIR",
                        help="average these full fine-tunes (seeds) into --out instead of "
                             "training; with --blend-only, blend the average")
    parser.add_argument("--soup-weights", type=float, nargs="+", default=None, metavar="W",
                        help="with --soup: one weight per directory, summing to 1 (default: uniform)")
    parser.add_argument("--seed", type=int, default=0,
                        help="initialisation and batch order of the fine-tune")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = SentimentSettings(max_length=args.max_length, head_tokens=args.head_tokens,
                                 threads=args.threads)
    if args.soup:
        soup_artifacts(args.soup, args.out, settings, args.soup_weights)
        if not args.blend_only:
            return
    if args.blend_only:
        print(json.dumps(blend_artifacts(args.out, settings, args.hold_out_dev,
                                         args.refit_head)["fp32"], indent=2))
        return
    info = build_artifacts(args.out, not args.frozen, args.epochs, settings, resume=args.resume,
                           lr=args.lr, method=args.method, hold_out_dev=args.hold_out_dev,
                           care_repeat=args.care_repeat, lexical=args.lexical,
                           seed=args.seed, reviews=args.reviews, umsab_every=args.umsab_every)
    print(json.dumps(info["fp32"], indent=2))


if __name__ == "__main__":
    main()
