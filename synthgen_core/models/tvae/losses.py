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
from torch.nn import functional

from synthgen_core.models.tvae.spans import SpanIndex


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


def one_hot_cross_entropy(raw: list[torch.Tensor], target: list[torch.Tensor]) -> torch.Tensor:
    """Summed cross-entropy of one-hot groups, each (B, G, w) (a 0-dim tensor)."""
    terms = [
        -(part_target * functional.log_softmax(part_raw, dim=2)).sum()
        for part_raw, part_target in zip(raw, target, strict=True)
    ]
    # A 0-dim CPU zero combines with tensors on any device.
    return torch.stack(terms).sum() if terms else torch.zeros(())


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
    raw_scalars, raw_groups = index.split(raw)
    target_scalars, target_groups = index.split(target)
    reconstruction = (
        scalar_nll(raw_scalars, target_scalars, sigma)
        + one_hot_cross_entropy(raw_groups, target_groups)
    ) / batch_size
    kl = kl_to_prior(mean, log_var) / batch_size
    return ELBOTerms(loss_factor * reconstruction + kl, reconstruction, kl)
