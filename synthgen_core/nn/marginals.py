"""How far generated rows sit from held-out real rows, in the encoded space.

A GAN's adversarial losses do not fall as its samples improve (the critic improves too), so
they cannot drive early stopping. These distances can; they are SDMetrics' two quality
ideas read on the encoded matrix, with one term per span of the
:class:`~synthgen_core.transform.layout.Layout`:

* :func:`marginal_distance` (column shapes): for a one-hot span (category, mode, missing
  flag), half the L1 distance between the mean one-hots, i.e. the total variation between
  the two frequency vectors; for a scalar span (a value within its mode, in [-1, 1]), the
  total variation between histograms of ``SCALAR_BINS`` equal bins. The mean over spans is
  0 for identical marginals and 1 for disjoint ones.
* :func:`dependence_distance` (pair trends): the mean absolute difference between the two
  tables' correlations of every pair of encoded dimensions that belong to different
  columns. A GAN matches the marginals within a few epochs, long before it has learned how
  the columns go together; marginals alone would stop it there.
"""

from __future__ import annotations

import torch

from synthgen_core.transform.layout import Layout

#: Histogram bins of a scalar span: fine enough for shape, coarse enough for 5,000 rows.
SCALAR_BINS = 20


def marginal_distance(fake: torch.Tensor, real: torch.Tensor, layout: Layout) -> torch.Tensor:
    """Mean total variation over spans between ``fake`` (B, D) and ``real`` (M, D); 0-dim."""
    terms = []
    for span in layout.spans:
        if span.activation == "tanh":
            terms.append(_histogram_distance(fake[:, span.start], real[:, span.start]))
        else:
            gap = fake[:, span.start : span.end].mean(0) - real[:, span.start : span.end].mean(0)
            terms.append(0.5 * gap.abs().sum())
    if not terms:
        return torch.zeros((), device=fake.device)
    return torch.stack(terms).mean()


def dependence_distance(fake: torch.Tensor, real: torch.Tensor, layout: Layout) -> torch.Tensor:
    """Mean |correlation difference| over dimension pairs of different columns; 0-dim."""
    owner = torch.tensor(
        [column for column, span in enumerate(layout.spans) for _ in range(span.width)],
        device=fake.device,
    )  # (D,) the span each encoded dimension belongs to
    names = [span.column for span in layout.spans]
    column = torch.tensor([names.index(name) for name in names], device=fake.device)[owner]
    across = column[:, None] != column[None, :]  # (D, D)
    if not across.any():
        return torch.zeros((), device=fake.device)
    gap = (_correlations(fake) - _correlations(real)).abs()  # (D, D)
    return gap[across].mean()


def _correlations(rows: torch.Tensor) -> torch.Tensor:
    """(D, D) Pearson correlations of the columns of ``rows`` (B, D); 0 for a constant one."""
    centred = rows - rows.mean(0)
    covariance = centred.t() @ centred / max(rows.shape[0] - 1, 1)  # (D, D)
    spread = covariance.diagonal().clamp(min=0).sqrt()  # (D,)
    scale = spread[:, None] * spread[None, :]
    return torch.where(scale > 1e-12, covariance / scale.clamp(min=1e-12), 0.0)


def _histogram_distance(fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Total variation between the (B,) and (M,) values' histograms on [-1, 1]."""
    return 0.5 * (_frequencies(fake) - _frequencies(real)).abs().sum()


def _frequencies(values: torch.Tensor) -> torch.Tensor:
    """(SCALAR_BINS,) share of ``values`` in each equal bin of [-1, 1] (outliers clipped)."""
    index = ((values.clamp(-1.0, 1.0) + 1.0) * (SCALAR_BINS / 2)).long().clamp_(max=SCALAR_BINS - 1)
    counts = torch.bincount(index, minlength=SCALAR_BINS).to(values.dtype)
    return counts / max(values.shape[0], 1)


__all__ = ["SCALAR_BINS", "dependence_distance", "marginal_distance"]
