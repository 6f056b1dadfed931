import pytest
import torch

from synthgen_core.models.tvae.networks import (
    SIGMA_INIT,
    SIGMA_MAX,
    SIGMA_MIN,
    build_decoder,
    build_encoder,
)

CPU = torch.device("cpu")


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("hidden", [[], [16], [32, 16]])
def test_encoder_and_decoder_shapes(hidden: list[int]) -> None:
    encoder = build_encoder(7, hidden, 5, CPU, _generator(0))
    decoder = build_decoder(5, hidden, 7, num_scalars=3, device=CPU, generator=_generator(0))
    mean, log_var = encoder(torch.randn(4, 7, generator=_generator(1)))
    assert mean.shape == log_var.shape == (4, 5)
    assert decoder(mean).shape == (4, 7)
    assert decoder.sigma().shape == (3,)


def test_sigma_starts_at_its_initial_value_and_stays_in_range() -> None:
    decoder = build_decoder(2, [4], 3, num_scalars=2, device=CPU, generator=_generator(0))
    torch.testing.assert_close(decoder.sigma(), torch.full((2,), SIGMA_INIT))
    with torch.no_grad():
        decoder.sigma_logit.copy_(torch.tensor([-1e4, 1e4]))
    torch.testing.assert_close(decoder.sigma(), torch.tensor([SIGMA_MIN, SIGMA_MAX]))


def test_same_generator_seed_gives_same_weights_and_global_rng_is_untouched() -> None:
    before = torch.get_rng_state()
    first = build_encoder(6, [8], 4, CPU, _generator(3)).state_dict()
    second = build_encoder(6, [8], 4, CPU, _generator(3)).state_dict()
    other = build_encoder(6, [8], 4, CPU, _generator(4)).state_dict()
    assert torch.equal(torch.get_rng_state(), before)
    for name, tensor in first.items():
        assert torch.equal(tensor, second[name])
    assert not torch.equal(first["mean.weight"], other["mean.weight"])


def test_initialisation_matches_pytorch_default_bounds() -> None:
    encoder = build_encoder(64, [32], 4, CPU, _generator(0))
    layer = encoder.body[0]
    assert isinstance(layer, torch.nn.Linear)
    weight = layer.weight
    assert weight.abs().max() <= 1 / 64**0.5
    assert weight.std() > 0.5 / (3 * 64) ** 0.5  # spread over the range, not a constant


def test_a_table_with_no_encoded_columns_builds_without_warnings() -> None:
    encoder = build_encoder(0, [4], 2, CPU, _generator(0))
    decoder = build_decoder(2, [4], 0, num_scalars=0, device=CPU, generator=_generator(0))
    mean, _ = encoder(torch.zeros(3, 0))
    assert decoder(mean).shape == (3, 0)


def test_decoder_for_loading_is_not_initialised_from_any_rng() -> None:
    before = torch.get_rng_state()
    decoder = build_decoder(2, [4], 3, num_scalars=1, device=CPU)
    assert torch.equal(torch.get_rng_state(), before)
    assert decoder.out.weight.shape == (3, 4)
