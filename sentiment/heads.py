"""The linear sentiment head and where the shipped and team-trained artifacts live.

A head is a 3 x d linear layer over the encoder's pooled, L2-normalised sentence vector. The
shipped one sits in `sentiment/artifacts/`; `nasluch model train` writes newer ones into the
cache (`heads/`), each with the n-gram model retrained beside it (`<name>.lexical.safetensors`),
keeps the old ones, and points `heads/current` at the one in use.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from .convert import cache_root
from .data import LABELS

HEAD_FILE = "head.safetensors"
ADAPTER_FILE = "adapter_model.safetensors"
METRICS_FILE = "metrics.json"
LEXICAL_SUFFIX = ".lexical.safetensors"


def artifacts_dir() -> Path:
    return Path(str(resources.files("sentiment").joinpath("artifacts")))


def tuned_file(directory: Path | None = None) -> Path | None:
    """What changes the base encoder in `directory`: a full fine-tune's delta or a LoRA adapter
    (None: the encoder as converted)."""
    from .delta import DELTA_FILE

    for name in (DELTA_FILE, ADAPTER_FILE):
        path = (directory or artifacts_dir()) / name
        if path.exists():
            return path
    return None


def adapter_fingerprint(directory: Path | None = None) -> str:
    """Short hash of the shipped encoder change, delta or adapter ("" without one): heads are
    tied to it."""
    path = tuned_file(directory)
    if path is None:
        return ""
    stat = path.stat()  # hashed once per version of the file: `nasluch run` asks every round
    return _file_hash(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


@dataclass
class Head:
    weight: np.ndarray  # (3, d)
    bias: np.ndarray    # (3,)
    meta: dict = field(default_factory=dict)

    def logits(self, features: np.ndarray) -> np.ndarray:
        return features @ self.weight.T + self.bias

    def probs(self, features: np.ndarray) -> np.ndarray:
        return softmax(self.logits(features))

    def save(self, path: Path) -> None:
        from safetensors.numpy import save_file

        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"classes": ",".join(LABELS), **{k: str(v) for k, v in self.meta.items()}}
        # safetensors writes a Fortran-ordered array's memory as if it were C-ordered
        tensors = {"weight": np.ascontiguousarray(self.weight, dtype=np.float32),
                   "bias": np.ascontiguousarray(self.bias, dtype=np.float32)}
        save_file(tensors, str(path), metadata=meta)
        path.chmod(0o644)  # safetensors writes 0600; the head ships with the package

    @classmethod
    def load(cls, path: Path) -> "Head":
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as fh:
            meta = dict(fh.metadata() or {})
            weight, bias = fh.get_tensor("weight"), fh.get_tensor("bias")
        if meta.get("classes", ",".join(LABELS)) != ",".join(LABELS):
            raise ValueError(f"{path}: head classes {meta['classes']} are not {LABELS}")
        return cls(weight, bias, meta)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise probabilities from (n, classes) logits."""
    from scipy.special import softmax as row_softmax

    return row_softmax(logits, axis=1)


def heads_dir(cache_dir: str | Path | None = None) -> Path:
    return cache_root(cache_dir) / "heads"


def current_head_path(cache_dir: str | Path | None = None) -> Path:
    """The team-trained head if there is one for the shipped adapter, else the shipped head."""
    pointer = heads_dir(cache_dir) / "current"
    if pointer.exists():
        candidate = heads_dir(cache_dir) / pointer.read_text().strip()
        if candidate.exists():
            meta = Head.load(candidate).meta
            if meta.get("adapter", "") == adapter_fingerprint():
                return candidate
    return artifacts_dir() / HEAD_FILE


def lexical_beside(head_path: Path) -> Path:
    """Where a team-trained head keeps the n-gram model retrained with it."""
    return head_path.with_name(head_path.name.removesuffix(".safetensors") + LEXICAL_SUFFIX)


def model_in_use(settings) -> str:
    """What a scorer loaded now would run: the builtin model's current head file, or the
    configured Hugging Face model. A long-running worker reloads its scorer when this changes."""
    from .settings import BUILTIN

    if settings.model != BUILTIN:
        return settings.model
    return str(current_head_path(settings.cache_dir))


def promote(head: Head, name: str, metrics: dict, cache_dir: str | Path | None = None,
            lexical=None) -> Path:
    """Store a new head (and the `lexical` model retrained with it) beside the old ones and make
    it current (old heads are kept)."""
    directory = heads_dir(cache_dir)
    path = directory / f"{name}.safetensors"
    head.save(path)
    if lexical is not None:
        lexical.save(lexical_beside(path))
    (directory / f"{name}.json").write_text(json.dumps(metrics, indent=2, sort_keys=True))
    _point(directory, path.name)
    return path


def _point(directory: Path, file_name: str) -> None:
    tmp = directory / "current.tmp"
    tmp.write_text(file_name)
    tmp.replace(directory / "current")


SHIPPED = "shipped"


def shipped_report() -> dict:
    """The shipped model's held-out figures (UMSAB val, care test), as `make model` measured them."""
    path = artifacts_dir() / METRICS_FILE
    return json.loads(path.read_text()).get("fp32", {}) if path.exists() else {}


def stored_heads(cache_dir: str | Path | None = None) -> list[dict]:
    """The team-trained heads kept in the cache, newest first: name, corrections learnt, whether
    it fits the shipped encoder (`usable`), whether it is current, and its held-out report."""
    directory = heads_dir(cache_dir)
    current = current_head_path(cache_dir)
    fingerprint = adapter_fingerprint()
    out = []
    for path in sorted(directory.glob("head-*.safetensors"), reverse=True):
        if path.name.endswith(LEXICAL_SUFFIX):
            continue
        meta = Head.load(path).meta
        metrics_file = path.with_suffix(".json")
        metrics = json.loads(metrics_file.read_text()) if metrics_file.exists() else {}
        out.append({"name": path.stem, "corrections": int(meta.get("corrections", 0)),
                    "usable": meta.get("adapter", "") == fingerprint, "current": path == current,
                    "report": metrics.get("new") or {}})
    return out


def use(name: str, cache_dir: str | Path | None = None) -> Path:
    """Make a stored head current again, or the shipped one (`name` "shipped"); the old pointer
    is replaced atomically. Raises LookupError for an unknown name and ValueError for a head
    trained over another encoder than the one shipped now."""
    directory = heads_dir(cache_dir)
    if name == SHIPPED:
        (directory / "current").unlink(missing_ok=True)
        return artifacts_dir() / HEAD_FILE
    path = directory / f"{name}.safetensors"
    if name.endswith(LEXICAL_SUFFIX.removesuffix(".safetensors")) or not path.exists():
        known = [head["name"] for head in stored_heads(cache_dir)]
        raise LookupError(f"no stored head {name!r}; stored: {', '.join(known) or 'none'}")
    if Head.load(path).meta.get("adapter", "") != adapter_fingerprint():
        raise ValueError(f"head {name!r} was trained over another encoder than the one shipped now; "
                         "retrain with `nasluch model train` instead")
    _point(directory, path.name)
    return path
