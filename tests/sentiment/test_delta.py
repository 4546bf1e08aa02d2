"""The full fine-tune ships as int8 deltas over the base: they must rebuild the trained encoder,
leave the frozen word embeddings alone and refuse a file that does not fit."""
import pytest
import torch
from transformers import BertConfig, BertModel

from sentiment import delta


def tiny(seed: int) -> BertModel:
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=24)
    return BertModel(config, add_pooling_layer=False).eval()


def trained_copy(base: BertModel) -> BertModel:
    model = tiny(0)
    model.load_state_dict(base.state_dict())
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if delta.trainable(name):
                parameter.add_(0.02 * torch.randn_like(parameter))
    return model


def test_delta_rebuilds_the_trained_encoder_within_half_a_step(tmp_path):
    base = tiny(0)
    trained = trained_copy(base)
    path = tmp_path / delta.DELTA_FILE
    delta.save_delta(trained, base.state_dict(), path)
    rebuilt = delta.apply_delta(tiny(0), path)
    for name, value in trained.state_dict().items():
        got = rebuilt.state_dict()[name]
        if value.dim() == 2 and delta.trainable(name):
            step = (value - base.state_dict()[name]).abs().amax(dim=1, keepdim=True) / 127
            assert torch.all((got - value).abs() <= step / 2 + 1e-6), name
        else:
            assert torch.allclose(got, value, atol=1e-6), name
    ids = torch.tensor([[1, 5, 7, 9, 2]])
    with torch.no_grad():
        target = trained(input_ids=ids).last_hidden_state
        error = (rebuilt(input_ids=ids).last_hidden_state - target).abs().max()
        moved = (tiny(0)(input_ids=ids).last_hidden_state - target).abs().max()
    assert error < 0.05 * moved  # training moved the outputs; rounding the delta barely does


def test_delta_holds_no_word_embeddings_and_int8_matrices(tmp_path):
    base = tiny(0)
    trained = trained_copy(base)
    with torch.no_grad():  # even if they moved, the frozen embeddings are not shipped
        trained.embeddings.word_embeddings.weight.add_(1.0)
    tensors = delta.make_delta(trained.state_dict(), base.state_dict())
    assert not any(name.startswith("embeddings.word_embeddings") for name in tensors)
    matrices = [name for name in tensors if name.endswith(".q")]
    assert matrices and all(tensors[name].dtype == torch.int8 for name in matrices)


def test_delta_for_another_encoder_is_refused(tmp_path):
    path = tmp_path / delta.DELTA_FILE
    base = tiny(0)
    delta.save_delta(trained_copy(base), base.state_dict(), path)
    config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=16, max_position_embeddings=24)
    with pytest.raises(ValueError, match="shape"):
        delta.apply_delta(BertModel(config, add_pooling_layer=False), path)
    shallow = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=24)
    with pytest.raises(ValueError, match="does not have"):
        delta.apply_delta(BertModel(shallow, add_pooling_layer=False), path)


def test_average_of_deltas_is_the_mean_of_the_trained_encoders(tmp_path):
    """A soup of two fine-tunes: base + the averaged delta sits at the mean of their weights
    (within the int8 steps of the inputs and of the output), and the base model is untouched."""
    base = tiny(0)
    before = {k: v.clone() for k, v in base.state_dict().items()}
    first, second = trained_copy(base), trained_copy(base)  # the same start (tiny seeds 0)...
    with torch.no_grad():  # ...then apart
        for name, parameter in second.named_parameters():
            if delta.trainable(name):
                parameter.add_(0.02 * torch.randn_like(parameter))
    for i, model in enumerate((first, second)):
        delta.save_delta(model, base.state_dict(), tmp_path / f"{i}.safetensors")
    delta.average_deltas([tmp_path / "0.safetensors", tmp_path / "1.safetensors"], base,
                         tmp_path / "soup.safetensors")
    assert all(torch.equal(v, before[k]) for k, v in base.state_dict().items())
    soup = delta.apply_delta(tiny(0), tmp_path / "soup.safetensors").state_dict()
    for name, value in first.state_dict().items():
        if not delta.trainable(name):
            continue
        mean = (value + second.state_dict()[name]) / 2
        assert torch.allclose(soup[name], mean, atol=2e-3), name
        if value.dim() == 2:  # and not at either of them
            assert not torch.allclose(soup[name], value, atol=2e-3), name
    with pytest.raises(ValueError, match="no deltas"):
        delta.average_deltas([], base, tmp_path / "none.safetensors")
    delta.average_deltas([tmp_path / "0.safetensors", tmp_path / "1.safetensors"], base,
                         tmp_path / "weighted.safetensors", weights=[0.25, 0.75])
    weighted = delta.apply_delta(tiny(0), tmp_path / "weighted.safetensors").state_dict()
    for name, value in first.state_dict().items():
        if delta.trainable(name):  # a quarter of the way from the second model to the first
            assert torch.allclose(weighted[name], 0.25 * value + 0.75 * second.state_dict()[name],
                                  atol=2e-3), name


@pytest.mark.parametrize("weights, problem", [
    ([0.5], "1 soup weights for 2 models"),
    ([0.7, 0.7], "sum to 1"),
    ([1.5, -0.5], "non-negative"),
])
def test_soup_weights_are_refused_unless_one_per_model_and_an_average(weights, problem):
    with pytest.raises(ValueError, match=problem):
        delta.soup_weights(weights, 2)
    assert delta.soup_weights(None, 4) == [0.25] * 4
