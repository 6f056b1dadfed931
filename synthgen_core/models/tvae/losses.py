"""TVAE's training loss: the negative ELBO over the spans of the encoded table.

For a batch of encoded rows ``r`` (arXiv 1907.00503, section 4.4 and appendix)::

    loss = (loss_factor * reconstruction + KL) / B

* reconstruction, per row: for each scalar span the Gaussian negative log-likelihood of the
  true value under ``N(tanh(raw), sigma^2)`` (up to the constant ``log sqrt(2 pi)``), and for
  each one-hot span (mode of a continuous column, category, missing indicator) the
  cross-entropy between its softmax and the true one-hot;
* KL: the divergence of ``q(z | r) = N(mean, exp(log_var))`` from the prior ``N(0, I)``.

``loss_factor`` weighs reconstruction against the prior (2 by default, as the authors'
experiments): a larger factor fits the table more closely at the cost of a latent space
that matches the prior less well, which is what sampling from ``N(0, I)`` relies on.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from synthgen_core.nn.spans import SpanIndex


class ELBOTerms(NamedTuple):
    """The loss to minimise and its two parts, each averaged over the batch."""

    loss: torch.Tensor
    reconstruction: torch.Tensor
    kl: torch.Tensor


def scalar_nll(raw: torch.Tensor, target: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Summed Gaussian NLL of the scalars, raw and target (B, S) (a 0-dim tensor)."""
    error = target - torch.tanh(raw)  # (B, S)
    per_value = error.square() / (2.0 * sigma.square()) + torch.log(sigma)  # (B, S)
    return per_value.sum()


def one_hot_cross_entropy(
    raw: torch.Tensor, target: torch.Tensor, index: SpanIndex
) -> torch.Tensor:
    """Summed cross-entropy of every one-hot span: logits and exact one-hots (B, K) (0-dim).

    ``raw`` and ``target`` are the one-hot block of the grouped order, after the scalars.
    With an exact one-hot target, a span's cross-entropy is the log of the sum of its
    exponentiated logits minus the true logit, and both terms are computed for all spans at
    once: the per-span maxima shift the logits (without a gradient: the shift cancels out),
    one ``exp`` covers the block, and one product with the column-to-span membership sums
    every span. A softmax per group of spans costs several small kernels per group, forward
    and backward, which made up a fifth of a training step on a table like adult.
    """
    with torch.no_grad():
        peak = index.span_maxima(raw)  # (B, n)
    shifted = raw - peak.index_select(1, index.segment)  # (B, K), each span's max is 0
    log_normalisers = (shifted.exp() @ index.membership).log()  # (B, n)
    return log_normalisers.sum() + peak.sum() - (raw * target).sum()


def kl_to_prior(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """Summed KL(N(mean, exp(log_var)) || N(0, I)) (a 0-dim tensor)."""
    return -0.5 * (1.0 + log_var - mean.square() - log_var.exp()).sum()


def elbo_loss(
    raw: torch.Tensor,
    target: torch.Tensor,
    *,
    sigma: torch.Tensor,
    mean: torch.Tensor,
    log_var: torch.Tensor,
    index: SpanIndex,
    loss_factor: float,
) -> ELBOTerms:
    """The negative ELBO of a batch: decoder output (B, D) against encoded rows (B, D).

    Both matrices are in the grouped column order of :class:`SpanIndex`.
    """
    batch_size = target.shape[0]
    blocks = [index.num_scalars, raw.shape[1] - index.num_scalars]
    raw_scalars, raw_one_hots = torch.split(raw, blocks, dim=1)
    target_scalars, target_one_hots = torch.split(target, blocks, dim=1)
    reconstruction = (
        scalar_nll(raw_scalars, target_scalars, sigma)
        + one_hot_cross_entropy(raw_one_hots, target_one_hots, index)
    ) / batch_size
    kl = kl_to_prior(mean, log_var) / batch_size
    return ELBOTerms(loss_factor * reconstruction + kl, reconstruction, kl)
