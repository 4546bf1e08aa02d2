"""Any Hugging Face sequence-classification model loads through the same path as the builtin
one; tested on a tiny random model that the test builds and saves."""
import numpy as np
import pytest

from sentiment import SentimentSettings, load_scorer
from sentiment.model import label_mapping

WORDS = "the parcel arrived broken nobody answers thanks great service refund waiting".split()


def save_tiny_model(directory, id2label):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    vocab = {tok: i for i, tok in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + WORDS)}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="[PAD]",
                                        unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=64,
                        num_labels=len(id2label), id2label=id2label,
                        label2id={v: k for k, v in id2label.items()})
    BertForSequenceClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)


def test_local_directory_model_classifies_and_embeds(tmp_path):
    save_tiny_model(tmp_path, {0: "NEG", 1: "NEU", 2: "POS"})
    scorer = load_scorer(SentimentSettings(model=str(tmp_path), batch_size=2))
    texts = ["the parcel arrived broken", "thanks great service", "the parcel arrived broken",
             "refund", "nobody answers waiting waiting waiting"]
    results = scorer.classify(texts)
    assert len(results) == len(texts)
    assert results[0] == results[2]
    for r in results:
        assert r.label in ("negative", "neutral", "positive")
        assert r.score == pytest.approx(max(r.probs.values()))
        assert sum(r.probs.values()) == pytest.approx(1.0, abs=1e-5)
    vectors = scorer.embed(texts)
    assert vectors.shape == (5, 16)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_five_star_model_folds_into_three_labels(tmp_path):
    stars = {i: f"{i + 1} star" + ("s" if i else "") for i in range(5)}
    save_tiny_model(tmp_path, stars)
    probs = load_scorer(SentimentSettings(model=str(tmp_path))).probabilities(["great service"])
    assert probs.shape == (1, 3)
    assert probs.sum() == pytest.approx(1.0, abs=1e-5)


def test_label_mapping_rules():
    assert label_mapping({0: "negative", 1: "neutral", 2: "positive"}).argmax(1).tolist() == [0, 1, 2]
    assert label_mapping({0: "POS", 1: "NEG"}).argmax(1).tolist() == [2, 0]
    assert label_mapping({0: "LABEL_0", 1: "LABEL_1"}).argmax(1).tolist() == [0, 2]
    assert label_mapping({i: f"{i + 1} stars" for i in range(5)}).argmax(1).tolist() == [0, 0, 1, 2, 2]
    with pytest.raises(ValueError):
        label_mapping({0: "joy", 1: "anger"})


def test_missing_model_fails_clearly(tmp_path):
    with pytest.raises(OSError):
        load_scorer(SentimentSettings(model=str(tmp_path / "nope")))
