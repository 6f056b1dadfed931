"""Exact one-hot draws from softmax logits: the last step of sampling, never of training.

Every neural model ends sampling by drawing one category per one-hot span and row from the
softmax of the network's logits. The layout here is the transposed one, ``(G, w, N)``: ``G``
spans of the same width ``w`` over ``N`` rows, rows innermost. Each kernel then streams
whole contiguous rows of ``N`` values, where the ``(N, D)`` layout would make every span a
strided slice that the elementwise kernels walk a few values at a time.

The draw is inverse-CDF sampling: one uniform per span and row, against the running sum of
the unnormalised probabilities. The Gumbel-max trick draws the same distribution but needs a
uniform and two logarithms for every column; the running sum needs one ``exp`` per column.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def draw_one_hots(
    logits: torch.Tensor,
    out: torch.Tensor | Sequence[torch.Tensor],
    generator: torch.Generator | None,
) -> None:
    """Write one exact one-hot per span and row of ``logits`` (G, w, N) into ``out``.

    Row ``n`` of span ``g`` gets category ``k`` with probability ``softmax(logits[g, :, n])[k]``.
    ``out`` is a (G, w, N) tensor or G tensors (w, N), one per span: the spans of a group
    lie apart in a layout-ordered result, and writing each straight there saves a copy of
    every one-hot column. ``out`` may not overlap ``logits``.
    """
    count, width, rows = logits.shape
    # (G, w, N) unnormalised probabilities, shifted so the largest is 1: exp stays finite
    cumulative = (logits - logits.amax(dim=1, keepdim=True)).exp_()
    # A running sum over the few categories: torch's cumsum along a middle dimension walks
    # the tensor with a stride and costs several times these contiguous row additions.
    for category in range(1, width):
        cumulative[:, category].add_(cumulative[:, category - 1])
    uniform = torch.rand(
        (count, 1, rows), generator=generator, device=logits.device, dtype=logits.dtype
    )
    target = uniform.mul_(cumulative[:, -1:])  # (G, 1, N) in [0, total)
    # 1 from the drawn category on: the first k whose cumulative mass exceeds the target
    above = torch.gt(cumulative, target, out=cumulative)
    above[:, -1] = 1.0  # when rounding puts the target at the total, the last category
    for span, destination in zip(above, out, strict=True):  # span, destination: (w, N)
        destination[:1] = span[:1]
        torch.sub(span[1:], span[:-1], out=destination[1:])  # the step: exactly one 1
