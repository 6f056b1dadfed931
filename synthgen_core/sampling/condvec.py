"""Conditional vectors and training-by-sampling (CTGAN, arXiv 1907.00503, section 4.3).

A conditional vector is the concatenation of one zero vector per discrete column (the
layout's ``category`` spans) with a single 1 at the chosen category of the chosen column.
With ``modes=True`` the vector goes on with the mode spans of the continuous columns
(:attr:`~synthgen_core.transform.layout.Layout.mode_spans`), each mode a "category" of
its column, so training also balances rare modes. During training a batch is drawn in
three vectorised steps:

1. a conditioned column per row, uniformly;
2. a category of that column, from its log-frequency (so rare categories are seen often
   enough to be learned) or its frequency;
3. a real row holding that category, so the critic compares like with like.

Step 3 uses a CSR-style index built once: all row numbers sorted by their global category
id, with ``starts``/``counts`` per category, so a batch of rows is
``order[starts[g] + floor(u * counts[g])]`` -- one gather, no Python loop per row.
At sampling time the category is drawn from the real frequencies instead, so the
synthetic table keeps the real marginals.

Everything lives on the training device and draws from an explicit ``torch.Generator``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from synthgen_core.transform.layout import Layout, Span


class TrainingBatch(NamedTuple):
    """One batch of training-by-sampling draws."""

    cond: torch.Tensor  # (B, C) one-hot conditional vectors
    column: torch.Tensor  # (B,) index of the chosen conditioned column
    category: torch.Tensor  # (B,) index of the chosen category inside that column's span
    rows: torch.Tensor  # (B,) real rows holding that category
    global_id: torch.Tensor | None  # (B,) where each 1 of ``cond`` is; None when C is 0


class ConditionalSampler:
    """Draws conditional vectors (and matching real rows) for one :class:`Layout`.

    ``counts`` holds, per global category id (position in the conditional vector), how
    many real rows have that category. ``order`` is the CSR row index needed to draw real
    rows; a sampler restored from a model file has none and only serves sampling.
    ``modes`` adds the continuous columns' mode spans after the discrete ones.
    """

    def __init__(
        self,
        layout: Layout,
        counts: np.ndarray,
        *,
        modes: bool = False,
        order: np.ndarray | None = None,
        log_frequency: bool = True,
        device: torch.device | str = "cpu",
    ) -> None:
        spans = condition_spans(layout, modes=modes)
        width = sum(span.width for span in spans)
        if counts.shape != (width,):
            raise ValueError(f"counts must have shape ({width},)")
        self.layout = layout
        self.spans = spans
        self.modes = modes
        self.device = torch.device(device)
        self.counts = counts.astype(np.int64)
        self.widths = np.array([span.width for span in spans], dtype=np.int64)
        self.offsets = np.cumsum(self.widths) - self.widths  # (K,) start in the vector
        train_weights = np.log1p(self.counts) if log_frequency else self.counts.astype(float)
        self._train_cdf = self._padded_cdf(train_weights)  # (K, W)
        self._real_cdf = self._padded_cdf(self.counts.astype(float))  # (K, W)
        self._offsets = self._tensor(self.offsets)
        self._widths = self._tensor(self.widths)
        self.span_index, self.span_padding = self._span_index()
        self._order = None if order is None else self._tensor(order)
        self._starts = self._tensor(np.cumsum(self.counts) - self.counts)
        self._counts = self._tensor(self.counts)

    @classmethod
    def from_data(
        cls,
        layout: Layout,
        data: np.ndarray,
        *,
        modes: bool = False,
        log_frequency: bool = True,
        device: torch.device | str = "cpu",
    ) -> ConditionalSampler:
        """Index the encoded table ``data`` (N, D): each row's category per conditioned column."""
        spans = condition_spans(layout, modes=modes)
        if spans:
            codes = np.stack([data[:, s.start : s.end].argmax(axis=1) for s in spans], axis=1)
            widths = np.array([span.width for span in spans])
            global_ids = codes + np.concatenate([[0], np.cumsum(widths)[:-1]])  # (N, K)
            flat = global_ids.T.reshape(-1)  # (K * N,) column by column
            counts = np.bincount(flat, minlength=int(widths.sum()))
            order = np.argsort(flat, kind="stable") % len(data)  # rows sorted by category id
        else:
            counts, order = np.zeros(0, dtype=np.int64), np.arange(len(data), dtype=np.int64)
        return cls(
            layout,
            counts,
            modes=modes,
            order=order,
            log_frequency=log_frequency,
            device=device,
        )

    @property
    def n_columns(self) -> int:
        """K, the number of columns a condition can name."""
        return len(self.widths)

    @property
    def width(self) -> int:
        """C, the width of a conditional vector."""
        return int(self.counts.shape[0])

    @property
    def discrete_width(self) -> int:
        """Width of the conditional vector's first part, the discrete columns' categories."""
        return sum(span.width for span in self.spans if span.role == "category")

    def offset(self, column: str) -> int:
        """Where ``column``'s categories (or modes) start inside the conditional vector."""
        for span, offset in zip(self.spans, self.offsets, strict=True):
            if span.column == column:
                return int(offset)
        raise KeyError(column)

    def sample_training(self, batch: int, generator: torch.Generator) -> TrainingBatch:
        """Column uniformly, category by (log-)frequency, then a real row of that category."""
        if self._order is None:
            raise RuntimeError("this sampler has no row index; build it with from_data")
        if self.n_columns == 0:
            rows = self._uniform_index(len(self._order), batch, generator)
            empty = torch.zeros(batch, dtype=torch.long, device=self.device)
            return TrainingBatch(self._one_hot(empty, batch), empty, empty, rows, None)
        column = torch.randint(
            self.n_columns, (batch,), generator=generator, device=self.device
        )  # (B,)
        category = self._draw_category(self._train_cdf, column, generator)  # (B,)
        global_id = self._offsets[column] + category  # (B,)
        offset = self._uniform_index(self._counts[global_id], batch, generator)  # (B,)
        rows = self._order[self._starts[global_id] + offset]  # (B,)
        return TrainingBatch(self._one_hot(global_id, batch), column, category, rows, global_id)

    def sample_original(self, batch: int, generator: torch.Generator) -> torch.Tensor:
        """Conditional vectors (B, C) with categories drawn from the real frequencies."""
        if self.n_columns == 0:
            return torch.zeros(batch, 0, device=self.device)
        return self._one_hot(self.sample_original_ids(batch, generator), batch)

    def sample_original_ids(self, batch: int, generator: torch.Generator) -> torch.Tensor:
        """The 1 of each vector :meth:`sample_original` draws (B,), from the same stream.

        Sampling can gather weights by this id instead of multiplying by the one-hot.
        """
        if self.n_columns == 0:
            raise ValueError("a layout without discrete columns has no category ids")
        column = torch.randint(self.n_columns, (batch,), generator=generator, device=self.device)
        category = self._draw_category(self._real_cdf, column, generator)
        return self._offsets[column] + category  # (B,)

    def fixed(self, global_id: int, batch: int) -> torch.Tensor:
        """Conditional vectors (B, C) that all name the category at ``global_id``."""
        ids = torch.full((batch,), global_id, dtype=torch.long, device=self.device)
        return self._one_hot(ids, batch)

    def _draw_category(
        self, cdf: torch.Tensor, column: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        uniform = torch.rand(len(column), 1, generator=generator, device=self.device)
        category = torch.searchsorted(cdf[column], uniform, right=True).squeeze(1)  # (B,)
        # float rounding can leave a cdf's last entry just below u: stay inside the span
        return torch.minimum(category, self._widths[column] - 1)

    def _uniform_index(
        self, size: torch.Tensor | int, batch: int, generator: torch.Generator
    ) -> torch.Tensor:
        uniform = torch.rand(batch, generator=generator, device=self.device)
        index = (uniform * size).long()  # (B,)
        # float32 rounding can turn u * n into n for very large n: stay below n
        return torch.minimum(index, torch.as_tensor(size, device=self.device) - 1)

    def _one_hot(self, global_id: torch.Tensor, batch: int) -> torch.Tensor:
        cond = torch.zeros(batch, self.width, device=self.device)
        if self.width:
            cond.scatter_(1, global_id.unsqueeze(1), 1.0)
        return cond  # (B, C)

    def _padded_cdf(self, weights: np.ndarray) -> torch.Tensor:
        """Per column, the cumulative distribution over its categories, padded with 1."""
        width = int(self.widths.max(initial=1))
        cdf = np.ones((self.n_columns, width), dtype=np.float64)
        for k, (start, size) in enumerate(zip(self.offsets, self.widths, strict=True)):
            column = weights[start : start + size]
            total = column.sum()
            cdf[k, :size] = np.cumsum(column) / total if total > 0 else 1.0
        return self._tensor(cdf.astype(np.float32))

    def _span_index(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Where each conditioned column's logits sit in the generator output, padded.

        Returns positions (K, W) into the D columns and a mask (K, W) that is ``True`` on
        the padding, so a gather yields every chosen column's logits in one (B, W) tensor.
        """
        width = int(self.widths.max(initial=1))
        index = np.zeros((self.n_columns, width), dtype=np.int64)
        padding = np.ones((self.n_columns, width), dtype=bool)
        for k, span in enumerate(self.spans):
            index[k, : span.width] = np.arange(span.start, span.end)
            index[k, span.width :] = span.start
            padding[k, : span.width] = False
        return self._tensor(index), self._tensor(padding)

    def _tensor(self, array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(array)).to(self.device)


def condition_spans(layout: Layout, *, modes: bool) -> tuple[Span, ...]:
    """The spans a conditional vector covers: the discrete columns', then the modes."""
    return layout.discrete_spans + layout.mode_spans if modes else layout.discrete_spans
