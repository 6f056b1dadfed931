"""CTGAN's networks, output heads and loss terms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional

from synthgen_core.models.ctgan.losses import conditional_loss, gradient_penalty
from synthgen_core.models.ctgan.networks import Discriminator, Generator, Residual, build
from synthgen_core.nn.heads import SpanHeads
from synthgen_core.sampling.condvec import ConditionalSampler
from synthgen_core.transform.layout import Layout, Span

CPU = torch.device("cpu")


def _first_linear(critic: Discriminator) -> nn.Linear:
    layer = critic.layers[0]
    assert isinstance(layer, nn.Linear)
    return layer


def _layout() -> Layout:
    spans = (
        Span(column="x", start=0, width=1, activation="tanh", role="value"),
        Span(column="x", start=1, width=3, activation="softmax", role="mode"),
        Span(column="a", start=4, width=5, activation="softmax", role="category"),
        Span(column="b", start=9, width=2, activation="softmax", role="category"),
    )
    return Layout(spans=spans)


def test_residual_appends_its_input() -> None:
    block = build(lambda: Residual(6, 4), CPU, torch.Generator().manual_seed(0))
    inputs = torch.randn(8, 6)
    out = block(inputs)
    assert out.shape == (8, 10)
    assert torch.equal(out[:, 4:], inputs)
    assert torch.all(out[:, :4] >= 0)


def test_shapes_of_generator_and_packed_discriminator() -> None:
    generator = build(lambda: Generator(5, 7, [16, 8], 11), CPU, torch.Generator())
    assert generator(torch.randn(20, 5), torch.randint(7, (20,))).shape == (20, 11)
    first = generator.blocks[0]
    assert isinstance(first, Residual)
    assert first.linear.in_features == 12  # reads [noise, conditional vector]
    critic = build(lambda: Discriminator(11 + 7, [32, 16], pac=5), CPU, torch.Generator())
    assert critic(torch.randn(20, 18)).shape == (4, 1)
    assert _first_linear(critic).in_features == 5 * 18


@pytest.mark.parametrize("conditions", [0, 7])
def test_generator_is_the_papers_residual_network_with_the_same_gradients(
    conditions: int,
) -> None:
    """Part-by-part products and gathered conditions compute the concatenating network."""
    generator = build(lambda: Generator(5, conditions, [16, 8], 11), CPU, torch.Generator())
    noise = torch.randn(32, 5)
    category = torch.randint(conditions, (32,)) if conditions else None
    cond = functional.one_hot(category, conditions).float() if category is not None else None
    paper_input = torch.cat([noise, cond], dim=1) if cond is not None else noise
    target = torch.randn(32, 11)

    def gradients(output: torch.Tensor) -> list[torch.Tensor]:
        generator.zero_grad()
        (output * target).sum().backward()
        return [p.grad.clone() for p in generator.parameters() if p.grad is not None]

    ours = generator(noise, category)  # training mode: batch statistics
    ours_grads = gradients(ours)
    paper = generator.output(generator.blocks(paper_input))  # Residual.forward concatenates
    paper_grads = gradients(paper)
    torch.testing.assert_close(ours, paper, rtol=1e-5, atol=1e-5)
    assert len(ours_grads) == len(paper_grads) == len(list(generator.parameters()))
    for mine, theirs in zip(ours_grads, paper_grads, strict=True):
        torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5)


def test_generator_refuses_conditions_it_was_not_built_for() -> None:
    generator = build(lambda: Generator(5, 0, [8], 3), CPU, torch.Generator())
    with pytest.raises(ValueError, match="category ids exactly when"):
        generator(torch.randn(4, 5), torch.zeros(4, dtype=torch.long))


def test_build_draws_weights_from_the_generator_only() -> None:
    def weights(seed: int, global_seed: int) -> list[torch.Tensor]:
        torch.manual_seed(global_seed)
        network = build(
            lambda: Discriminator(9, [8], pac=2), CPU, torch.Generator().manual_seed(seed)
        )
        return [p.detach().clone() for p in network.parameters()]

    same = weights(1, 100), weights(1, 200)
    assert all(torch.equal(a, b) for a, b in zip(*same, strict=True))
    other = weights(2, 100)
    assert not torch.equal(same[0][0], other[0])
    bound = 1 / math.sqrt(18)  # PyTorch's default scale for fan_in = 9 * pac
    assert float(same[0][0].abs().max()) <= bound


def test_dropout_masks_are_seeded_and_off_in_eval() -> None:
    critic = build(lambda: Discriminator(4, [64], pac=1), CPU, torch.Generator())
    inputs = torch.randn(30, 4)
    scores = []
    for _ in range(2):
        critic.use_generator(torch.Generator().manual_seed(5))
        scores.append(critic(inputs))
    assert torch.equal(scores[0], scores[1])
    assert not torch.equal(scores[0], critic(inputs))  # a new mask on the next call
    critic.eval()
    assert torch.equal(critic(inputs), critic(inputs))


def _span_by_span(raw: torch.Tensor, layout: Layout) -> torch.Tensor:
    """The plain reference: tanh or softmax, one span at a time."""
    parts = []
    for span in layout.spans:
        logits = raw[:, span.start : span.end]
        parts.append(torch.tanh(logits) if span.activation == "tanh" else logits.softmax(dim=1))
    return torch.cat(parts, dim=1)


def test_span_heads_match_span_by_span_activations_without_noise() -> None:
    layout = _layout()
    raw = torch.randn(64, layout.width) * 30  # large logits: the per-span shift matters
    expected = _span_by_span(raw, layout)
    torch.testing.assert_close(SpanHeads(layout)(raw, gumbel=False), expected)


def test_span_heads_make_one_hots_and_scalars() -> None:
    layout = _layout()
    raw = torch.randn(500, layout.width, requires_grad=True)
    activated = SpanHeads(layout)(raw * 40, generator=torch.Generator().manual_seed(0))
    out = activated.detach()
    assert torch.all(torch.isfinite(out))
    assert torch.all(out[:, 0].abs() <= 1)
    for span in layout.spans[1:]:
        block = out[:, span.start : span.end]
        torch.testing.assert_close(block.sum(dim=1), torch.ones(500))
        assert float(block.max(dim=1).values.mean()) > 0.9  # tau 0.2: nearly one-hot
    torch.autograd.backward(activated.sum())
    assert raw.grad is not None and torch.all(torch.isfinite(raw.grad))


def test_gumbel_heads_sample_the_softmax_distribution() -> None:
    span = Span(column="a", start=0, width=3, activation="softmax", role="category")
    layout = Layout(spans=(span,))
    logits = torch.log(torch.tensor([0.6, 0.3, 0.1])).expand(40_000, 3)
    out = SpanHeads(layout)(logits, generator=torch.Generator().manual_seed(1))
    shares = torch.bincount(out.argmax(dim=1), minlength=3) / 40_000
    torch.testing.assert_close(shares, torch.tensor([0.6, 0.3, 0.1]), atol=0.01, rtol=0)


def test_gradient_penalty_of_a_linear_critic() -> None:
    critic = build(lambda: Discriminator(3, [], pac=2), CPU, torch.Generator().manual_seed(0))
    weight = _first_linear(critic).weight.detach()
    real, fake = torch.randn(10, 3), torch.randn(10, 3)
    penalty = gradient_penalty(critic, real, fake, torch.Generator().manual_seed(0))
    # a linear critic's gradient is its weight everywhere, whatever the mixing weights
    expected = 10 * (weight.norm() - 1) ** 2
    torch.testing.assert_close(penalty, expected)


def test_gradient_penalty_is_differentiable() -> None:
    critic = build(lambda: Discriminator(3, [8], pac=2), CPU, torch.Generator().manual_seed(0))
    critic.eval()
    penalty = gradient_penalty(critic, torch.randn(6, 3), torch.randn(6, 3), torch.Generator())
    torch.autograd.backward(penalty)
    first = _first_linear(critic).weight.grad
    assert first is not None and float(first.abs().sum()) > 0


def test_conditional_loss_is_the_chosen_columns_cross_entropy() -> None:
    layout = _layout()
    data = np.zeros((4, layout.width), dtype=np.float32)
    data[:, [4, 9]] = 1.0
    sampler = ConditionalSampler.from_data(layout, data)
    raw = torch.randn(6, layout.width)
    column = torch.tensor([0, 1, 0, 1, 1, 0])
    category = torch.tensor([4, 1, 0, 0, 1, 2])
    loss = conditional_loss(raw, column, category, sampler.span_index, sampler.span_padding)
    spans = layout.discrete_spans
    expected = torch.stack(
        [
            functional.cross_entropy(
                raw[i : i + 1, spans[c].start : spans[c].end], category[i : i + 1]
            )
            for i, c in enumerate(column.tolist())
        ]
    ).mean()
    torch.testing.assert_close(loss, expected)


@pytest.mark.parametrize("pac", [1, 3])
def test_critic_scores_each_pack_once(pac: int) -> None:
    critic = build(lambda: Discriminator(2, [4], pac=pac), CPU, torch.Generator())
    critic.eval()
    rows = torch.randn(6 * pac, 2)
    whole = critic(rows)
    first_pack = critic(rows[:pac])
    torch.testing.assert_close(whole[:1], first_pack)


@pytest.mark.parametrize("training", [True, False])
def test_generator_without_gradients_computes_the_same_function(training: bool) -> None:
    generator = build(lambda: Generator(5, 7, [16, 8], 11), CPU, torch.Generator().manual_seed(0))
    noise, category = torch.randn(64, 5), torch.randint(7, (64,))
    inputs = torch.cat([noise, functional.one_hot(category, 7).float()], dim=1)
    generator(noise, category)  # training mode: batch statistics, running averages updated
    generator.train(training)
    with torch.no_grad():
        concatenated = generator.output(generator.blocks(inputs))
        torch.testing.assert_close(generator(noise, category), concatenated)
