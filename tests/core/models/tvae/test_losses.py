"""The ELBO over spans, checked against torch.distributions and per-span cross-entropy."""

import math

import pytest
import torch
from scipy.stats import norm
from torch.distributions import Normal, kl_divergence
from torch.nn import functional

from synthgen_core.models.tvae.losses import (
    elbo_loss,
    kl_to_prior,
    one_hot_cross_entropy,
    scalar_nll,
)
from synthgen_core.nn.spans import SpanIndex
from synthgen_core.transform.layout import Layout
from tests.core.layouts import make_layout, random_rows

CPU = torch.device("cpu")


def _raw(rows: int, width: int, seed: int = 1) -> torch.Tensor:
    return torch.randn(rows, width, generator=torch.Generator().manual_seed(seed)) * 2


def test_cross_entropy_equals_a_loop_over_spans(mixed_layout: Layout) -> None:
    index = SpanIndex.from_layout(mixed_layout, CPU)
    target = random_rows(mixed_layout, 32)
    raw = _raw(32, mixed_layout.width)
    expected = sum(
        functional.cross_entropy(
            raw[:, span.start : span.end],
            target[:, span.start : span.end].argmax(dim=1),
            reduction="sum",
        )
        for span in mixed_layout.spans
        if span.activation == "softmax"
    )
    one_hots = slice(index.num_scalars, None)
    grouped_raw = index.to_grouped(raw)[:, one_hots].requires_grad_(True)
    found = one_hot_cross_entropy(grouped_raw, index.to_grouped(target)[:, one_hots], index)
    torch.testing.assert_close(found, expected)
    # the gradient of a span's cross-entropy: its softmax minus its one-hot
    (gradient,) = torch.autograd.grad(found, grouped_raw)
    softmax = torch.zeros_like(raw)  # per span, in layout order
    for span in mixed_layout.spans:
        if span.activation == "softmax":
            softmax[:, span.start : span.end] = functional.softmax(raw[:, span.start : span.end], 1)
    expected_gradient = index.to_grouped(softmax - target)[:, one_hots]
    torch.testing.assert_close(gradient, expected_gradient)


def test_cross_entropy_stays_finite_for_huge_logits(mixed_layout: Layout) -> None:
    index = SpanIndex.from_layout(mixed_layout, CPU)
    target = index.to_grouped(random_rows(mixed_layout, 8))[:, index.num_scalars :]
    raw = torch.full_like(target, -1e4)
    raw[:, 0] = 1e4  # one span sure of its first category, the others flat far below zero
    found = one_hot_cross_entropy(raw, target, index)
    assert torch.isfinite(found)


def test_scalar_nll_is_the_gaussian_log_likelihood_up_to_its_constant(mixed_layout: Layout) -> None:
    target = random_rows(mixed_layout, 16)
    raw = _raw(16, mixed_layout.width)
    sigma = torch.tensor([0.05, 0.3])
    index = SpanIndex.from_layout(mixed_layout, CPU)
    columns = [span.start for span in mixed_layout.spans if span.activation == "tanh"]
    log_prob = torch.as_tensor(
        norm.logpdf(target[:, columns].numpy(), torch.tanh(raw[:, columns]).numpy(), sigma.numpy()),
        dtype=torch.float32,
    )
    constant = 0.5 * math.log(2 * math.pi) * log_prob.numel()
    raw_scalars = index.to_grouped(raw)[:, : index.num_scalars]
    target_scalars = index.to_grouped(target)[:, : index.num_scalars]
    found = scalar_nll(raw_scalars, target_scalars, sigma)
    torch.testing.assert_close(found, -log_prob.sum() - constant)


def test_kl_matches_torch_distributions() -> None:
    generator = torch.Generator().manual_seed(0)
    mean = torch.randn(8, 5, generator=generator)
    log_var = torch.randn(8, 5, generator=generator)
    posterior = Normal(mean, torch.exp(0.5 * log_var))
    prior = Normal(torch.zeros_like(mean), torch.ones_like(mean))
    torch.testing.assert_close(kl_to_prior(mean, log_var), kl_divergence(posterior, prior).sum())


def test_elbo_weighs_reconstruction_and_averages_over_the_batch(mixed_layout: Layout) -> None:
    index = SpanIndex.from_layout(mixed_layout, CPU)
    target = random_rows(mixed_layout, 10)
    raw = _raw(10, mixed_layout.width)
    mean, log_var = _raw(10, 4, seed=2), _raw(10, 4, seed=3)
    sigma = torch.tensor([0.1, 0.2])
    terms = elbo_loss(
        raw, target, sigma=sigma, mean=mean, log_var=log_var, index=index, loss_factor=2.0
    )
    torch.testing.assert_close(terms.loss, 2.0 * terms.reconstruction + terms.kl)
    doubled = elbo_loss(
        raw.repeat(2, 1),
        target.repeat(2, 1),
        sigma=sigma,
        mean=mean.repeat(2, 1),
        log_var=log_var.repeat(2, 1),
        index=index,
        loss_factor=2.0,
    )
    torch.testing.assert_close(doubled.loss, terms.loss)  # per-row average, not a sum


def test_perfect_one_hot_logits_cost_nothing_and_wrong_ones_cost_a_lot() -> None:
    layout = make_layout(("category", 3), ("missing", 2))
    index = SpanIndex.from_layout(layout, CPU)
    target = index.to_grouped(random_rows(layout, 20))  # only one-hots: K = D
    right = one_hot_cross_entropy(target * 50.0, target, index)
    wrong = one_hot_cross_entropy((1 - target) * 50.0, target, index)
    assert right.item() == pytest.approx(0.0, abs=1e-6)
    assert wrong.item() > 20 * 2 * 40


def test_sigma_gradient_pushes_towards_the_residual_scale() -> None:
    target = torch.full((100, 1), 0.5)
    raw = torch.zeros(100, 1)  # residual 0.5 everywhere
    small = torch.tensor([0.1], requires_grad=True)
    torch.autograd.backward(scalar_nll(raw, target, small))
    assert small.grad is not None
    assert small.grad.item() < 0  # sigma below the residual: the loss wants it larger


def test_layouts_without_scalars_or_without_one_hots() -> None:
    only_categories = make_layout(("category", 3))
    only_scalars = make_layout(("value", 1), ("value", 1))
    for layout in (only_categories, only_scalars):
        index = SpanIndex.from_layout(layout, CPU)
        target = random_rows(layout, 4)
        sigma = torch.full((index.num_scalars,), 0.1)
        zeros = torch.zeros(4, 2)
        terms = elbo_loss(
            _raw(4, layout.width),
            target,
            sigma=sigma,
            mean=zeros,
            log_var=zeros,
            index=index,
            loss_factor=2.0,
        )
        assert torch.isfinite(terms.loss)
        assert terms.kl.item() == 0.0
