"""TVAE's private column order, which turns every span of a :class:`Layout` into a view.

A table like adult encodes into ~15 one-hot spans and ~6 scalars. Looping over spans costs
a handful of tiny kernels per span per batch, and gathering them by index costs a copy
forward and a scatter backward; either dominates an epoch on a GPU. So TVAE stores the
encoded table with its columns permuted once, at fit time, into a *grouped order*: all
scalars first, then the one-hot spans sorted by width. A group of ``G`` spans of width
``w`` is then a contiguous slice that reshapes for free into ``(B, G, w)``, and the loss
and the sampler launch a number of kernels that grows with the number of distinct widths,
not of columns. The decoder's output layer simply learns in that order; rows go back to
the layout's order once, after sampling. The order is a pure function of the layout, so a
loaded model recomputes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional

from synthgen_core.transform.layout import Layout


@dataclass(frozen=True)
class Group:
    """``count`` one-hot spans of ``width`` columns each, from ``start`` in grouped order."""

    start: int
    count: int
    width: int

    @property
    def end(self) -> int:
        return self.start + self.count * self.width

    def view(self, matrix: torch.Tensor) -> torch.Tensor:
        """The group's spans of ``matrix`` (B, D) as a (B, count, width) view."""
        return matrix[:, self.start : self.end].view(matrix.shape[0], self.count, self.width)


@dataclass(frozen=True)
class SpanIndex:
    """The grouped order of one layout."""

    #: (D,) layout column found at each grouped position.
    order: torch.Tensor
    #: (D,) grouped position of each layout column.
    inverse: torch.Tensor
    #: Scalars occupy grouped positions [0, num_scalars).
    num_scalars: int
    groups: tuple[Group, ...]

    @classmethod
    def from_layout(cls, layout: Layout, device: torch.device) -> SpanIndex:
        scalars = [span.start for span in layout.spans if span.activation == "tanh"]
        by_width: dict[int, list[int]] = {}
        for span in layout.spans:
            if span.activation == "softmax":
                by_width.setdefault(span.width, []).extend(range(span.start, span.end))
        order = list(scalars)
        groups = []
        for width, columns in sorted(by_width.items()):
            groups.append(Group(len(order), len(columns) // width, width))
            order.extend(columns)
        order_tensor = torch.tensor(order, dtype=torch.long, device=device)
        return cls(order_tensor, torch.argsort(order_tensor), len(scalars), tuple(groups))

    @property
    def sizes(self) -> list[int]:
        """Widths of the scalar block and of each group, in grouped order."""
        return [self.num_scalars] + [group.count * group.width for group in self.groups]

    def split(self, matrix: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """(B, D) -> scalars (B, S) and one (B, G, w) view per group.

        One ``split`` rather than a slice per group: autograd then joins the gradients
        with one concatenation instead of zero-filling a (B, D) tensor per slice.
        """
        scalars, *parts = torch.split(matrix, self.sizes, dim=1)
        views = [
            part.view(matrix.shape[0], group.count, group.width)
            for part, group in zip(parts, self.groups, strict=True)
        ]
        return scalars, views

    def to_grouped(self, matrix: torch.Tensor) -> torch.Tensor:
        """Layout order (N, D) -> grouped order (N, D)."""
        return matrix[:, self.order]

    def to_layout(self, matrix: torch.Tensor) -> torch.Tensor:
        """Grouped order (N, D) -> layout order (N, D), as a view of a (D, N) tensor.

        Gathering whole rows of the transpose streams memory; gathering columns of
        ``matrix`` strides through it, several times slower on the CPU.
        """
        return matrix.t().contiguous().index_select(0, self.inverse).t()


def generate(
    raw: torch.Tensor,
    sigma: torch.Tensor,
    index: SpanIndex,
    generator: torch.Generator,
) -> torch.Tensor:
    """Draw rows from the decoder's distribution p(r | z): raw (N, D) -> rows (N, D).

    Both are in grouped order. This is the paper's generative model, not its mean: a
    scalar is ``tanh(raw)`` plus Gaussian noise of the learned ``sigma`` (clipped to
    [-1, 1], the support of the encoding), and each one-hot span is a draw from its
    softmax. The mean and the argmax instead would shrink every continuous column towards
    its modes and would never produce a category that the decoder finds less likely than
    another for every ``z``, so rare categories would vanish from the synthetic table.
    """
    rows = torch.empty_like(raw)  # (N, D)
    scalars = slice(0, index.num_scalars)
    noise = torch.randn(
        (raw.shape[0], index.num_scalars), generator=generator, device=raw.device
    )  # (N, S)
    rows[:, scalars] = (torch.tanh(raw[:, scalars]) + noise * sigma).clamp(-1.0, 1.0)
    for group in index.groups:
        logits = group.view(raw)  # (N, G, w)
        uniform = torch.rand(logits.shape, generator=generator, device=raw.device)
        exponential = -torch.log(uniform.clamp_min(1e-20))  # Exp(1) draws
        gumbel = -torch.log(exponential.clamp_min(1e-20))  # Gumbel(0, 1) draws
        choice = (logits + gumbel).argmax(dim=2)  # (N, G): Gumbel-max = a softmax draw
        one_hot = functional.one_hot(choice, group.width).to(raw.dtype)  # (N, G, w)
        rows[:, group.start : group.end] = one_hot.flatten(1)
    return rows
