"""CTGAN's two extra loss terms (arXiv 1907.00503, section 4.3).

* :func:`gradient_penalty`: WGAN-GP (Gulrajani et al., arXiv 1704.00028) keeps the critic
  1-Lipschitz by pushing the norm of its gradient towards 1 on points between real and
  fake samples. With PacGAN the critic's input is a pack of ``pac`` rows, so the mixing
  weight is drawn per pack and the norm is taken over the whole pack.
* :func:`conditional_loss`: the generator must output the category its conditional vector
  asked for; the cross-entropy between the chosen column's logits and that category.
"""

from __future__ import annotations

import torch
from torch.nn import functional

from synthgen_core.models.ctgan.networks import Discriminator

PENALTY_WEIGHT = 10.0


def gradient_penalty(
    critic: Discriminator,
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator,
    weight: float = PENALTY_WEIGHT,
) -> torch.Tensor:
    """``weight * E[(||grad critic(x_mix)|| - 1)^2]`` over packs mixed from (B, D + C) rows."""
    packs = real.shape[0] // critic.pac
    alpha = torch.rand(packs, 1, 1, generator=generator, device=real.device)  # (P, 1, 1)
    mixed = torch.lerp(
        fake.reshape(packs, critic.pac, -1), real.reshape(packs, critic.pac, -1), alpha
    ).reshape(real.shape)  # (B, D + C)
    mixed.requires_grad_(True)
    scores = critic(mixed)  # (P, 1)
    (gradients,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)  # (B, D + C)
    norms = gradients.reshape(packs, -1).norm(dim=1)  # (P,)
    penalty: torch.Tensor = weight * (norms - 1.0).square().mean()
    return penalty


def conditional_loss(
    raw: torch.Tensor,
    column: torch.Tensor,
    category: torch.Tensor,
    span_index: torch.Tensor,
    span_padding: torch.Tensor,
) -> torch.Tensor:
    """Mean cross-entropy of each row's chosen column logits against its chosen category.

    ``raw`` (B, D) holds the generator's logits before activation; ``span_index`` and
    ``span_padding`` (K, W) come from :class:`~synthgen_core.sampling.condvec.ConditionalSampler`
    and let one gather collect every row's logits, whatever column it conditions on.
    """
    logits = raw.gather(1, span_index[column])  # (B, W)
    logits = logits.masked_fill(span_padding[column], float("-inf"))
    return functional.cross_entropy(logits, category)
