"""A private column order for the neural models that turns every span of a Layout into a view.

A table like adult encodes into ~15 one-hot spans and ~6 scalars. Looping over spans costs
a handful of tiny kernels per span per batch, and gathering them by index costs a copy
forward and a scatter backward; either dominates an epoch on a GPU. So a model can keep its
encoded rows with their columns permuted once into a *grouped order*: all scalars first,
then the one-hot spans sorted by width. A group of ``G`` spans of width ``w`` is then a
contiguous slice that reshapes for free into ``(B, G, w)``, and a loss or a sampler launches
a number of kernels that grows with the number of distinct widths, not of columns. TVAE
trains in that order (its decoder's output layer simply learns in it); both TVAE and CTGAN
draw their samples in it. Rows go back to the layout's order once, at the end. The order is
a pure function of the layout, so a loaded model recomputes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from synthgen_core.nn.categorical import draw_one_hots
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
    #: (K,) one-hot span (numbered in grouped order) of each one-hot column, K = D - S.
    segment: torch.Tensor
    #: (K, number of one-hot spans) float: 1 where a one-hot column belongs to a span.
    membership: torch.Tensor
    #: Per group, where each of its spans starts in layout order.
    span_starts: tuple[tuple[int, ...], ...]

    @classmethod
    def from_layout(cls, layout: Layout, device: torch.device) -> SpanIndex:
        scalars = [span.start for span in layout.spans if span.activation == "tanh"]
        by_width: dict[int, list[int]] = {}
        for span in layout.spans:
            if span.activation == "softmax":
                by_width.setdefault(span.width, []).extend(range(span.start, span.end))
        order = list(scalars)
        groups, span_starts = [], []
        for width, columns in sorted(by_width.items()):
            groups.append(Group(len(order), len(columns) // width, width))
            span_starts.append(tuple(columns[::width]))
            order.extend(columns)
        order_tensor = torch.tensor(order, dtype=torch.long, device=device)
        widths = torch.tensor([g.width for g in groups for _ in range(g.count)], dtype=torch.long)
        segment = torch.repeat_interleave(torch.arange(len(widths)), widths)  # (K,)
        membership = (segment[:, None] == torch.arange(len(widths))).float()  # (K, n)
        return cls(
            order_tensor,
            torch.argsort(order_tensor),
            len(scalars),
            tuple(groups),
            segment.to(device),
            membership.to(device),
            tuple(span_starts),
        )

    def span_maxima(self, one_hots: torch.Tensor) -> torch.Tensor:
        """The largest value of every one-hot span (B, n) of the one-hot block (B, K)."""
        sizes = [group.count * group.width for group in self.groups]
        parts = [
            part.view(one_hots.shape[0], group.count, group.width).amax(dim=2)
            for part, group in zip(torch.split(one_hots, sizes, dim=1), self.groups, strict=True)
        ]
        return torch.cat(parts, dim=1) if parts else one_hots.new_zeros(one_hots.shape[0], 0)

    def to_grouped(self, matrix: torch.Tensor) -> torch.Tensor:
        """Layout order (N, D) -> grouped order (N, D)."""
        return matrix[:, self.order]

    def to_layout(self, matrix: torch.Tensor) -> torch.Tensor:
        """Grouped order (N, D) -> layout order (N, D), as a view of a (D, N) tensor.

        Gathering whole rows of the transpose streams memory; gathering columns of
        ``matrix`` strides through it, several times slower on the CPU.
        """
        return matrix.t().contiguous().index_select(0, self.inverse).t()


def draw_rows(
    raw: torch.Tensor,
    index: SpanIndex,
    generator: torch.Generator | None,
    *,
    sigma: torch.Tensor | None = None,
    out: torch.Tensor | None = None,
) -> torch.Tensor:
    """Rows (N, D) in layout order, drawn from the distribution of the raw output (N, D).

    ``raw`` is in grouped order. Each one-hot span is a draw from its softmax (not its
    argmax, which would never produce a category that the network finds less likely than
    another for every input, so rare categories would vanish from the synthetic table).
    Each scalar is ``tanh(raw)``, plus, given ``sigma`` (S,), Gaussian noise of that
    standard deviation clipped to [-1, 1], the support of the encoding: TVAE's generative
    model, whose mean would shrink every continuous column towards its modes.

    The work runs on the transpose (D, N), where a group is a contiguous (G, w, N) block
    (see :mod:`synthgen_core.nn.categorical`), and each span's draw is written straight to
    its place in layout order, so the rows never need reordering. Pass ``raw`` as a view
    of a (D, N) tensor to skip a copy; the rows come back as one too: ``out`` (D, N), each
    of its rows contiguous, when given on ``raw``'s device (elsewhere a new tensor).
    """
    columns = raw.t().contiguous()  # (D, N) grouped, no copy when raw is a transposed view
    if out is None or out.device != columns.device:
        out = torch.empty_like(columns)  # (D, N) layout order: every row is written below
    count = columns.shape[1]
    if index.num_scalars:
        scalars = torch.tanh(columns[: index.num_scalars])  # (S, N)
        if sigma is not None:
            noise = torch.randn(
                scalars.shape, generator=generator, device=raw.device, dtype=raw.dtype
            )  # (S, N)
            scalars.addcmul_(noise, sigma[:, None]).clamp_(-1.0, 1.0)
        out.index_copy_(0, index.order[: index.num_scalars], scalars)
    for group, starts in zip(index.groups, index.span_starts, strict=True):
        logits = columns[group.start : group.end].view(group.count, group.width, count)
        draw_one_hots(logits, [out[start : start + group.width] for start in starts], generator)
    return out.t()  # (N, D)
