"""Exact one-hot draws: valid one-hots whatever the logits, with the softmax's frequencies."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from synthgen_core.nn.categorical import draw_one_hots


def _draw(logits: torch.Tensor, seed: int = 0) -> torch.Tensor:
    out = torch.full_like(logits, -7.0)  # garbage: every value must be overwritten
    draw_one_hots(logits, out, torch.Generator().manual_seed(seed))
    return out


def _assert_one_hot(out: torch.Tensor) -> None:
    assert bool(((out == 0) | (out == 1)).all())
    assert torch.equal(out.sum(dim=1), torch.ones(out.shape[0], out.shape[2]))


def test_frequencies_follow_the_softmax_of_every_span() -> None:
    probabilities = torch.tensor([[0.6, 0.3, 0.1, 0.0], [0.05, 0.05, 0.1, 0.8]])  # (G=2, w=4)
    logits = probabilities.log()[:, :, None].expand(2, 4, 50_000).contiguous()
    out = _draw(logits)
    _assert_one_hot(out)
    torch.testing.assert_close(out.mean(dim=2), probabilities, atol=0.01, rtol=0)


def test_a_category_with_zero_probability_is_never_drawn() -> None:
    logits = torch.tensor([0.0, float("-inf"), 0.0])[None, :, None].expand(1, 3, 10_000)
    out = _draw(logits.contiguous())
    assert out[0, 1].sum() == 0


def test_huge_logits_neither_overflow_nor_lose_the_draw() -> None:
    logits = torch.tensor([1e30, 1e30 - 1e24, -1e30])[None, :, None].expand(1, 3, 1_000)
    out = _draw(logits.contiguous())
    _assert_one_hot(out)
    assert out[0, 2].sum() == 0


def test_nan_logits_still_give_a_one_hot() -> None:
    logits = torch.full((3, 5, 7), float("nan"))
    _assert_one_hot(_draw(logits))


@settings(max_examples=50, deadline=None)
@given(
    count=st.integers(1, 4),
    width=st.integers(1, 9),
    rows=st.integers(1, 40),
    scale=st.floats(0.0, 50.0),
    seed=st.integers(0, 2**16),
)
def test_any_logits_give_exact_one_hots(
    count: int, width: int, rows: int, scale: float, seed: int
) -> None:
    logits = torch.randn(count, width, rows, generator=torch.Generator().manual_seed(seed))
    _assert_one_hot(_draw(logits * scale, seed))


@pytest.mark.parametrize("seed", [0, 1])
def test_the_same_generator_state_gives_the_same_draw(seed: int) -> None:
    logits = torch.randn(2, 6, 300)
    assert torch.equal(_draw(logits, seed), _draw(logits, seed))
    assert not torch.equal(_draw(logits, 0), _draw(logits, 1))
