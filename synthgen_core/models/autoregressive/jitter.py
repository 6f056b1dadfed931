"""Rank noise on binned numbers while training: the model learns a smoothed table.

A number in a quantile bin is one token, so a network fitted to a small table learns how
many training rows fell in each combination of bins, and gives those combinations back:
on tables of a few hundred rows the synthetic rows sat nearer the training rows than the
held-out rows did (closer-to-train 0.56 on statsmodels' engel and macrodata, 0.50 ideal),
about as near as the training rows' own tokens, redrawn inside their bins.

So every batch moves each binned value by Gaussian noise of ``jitter_rows`` rows (one
standard deviation) in the sorted column, and a value pushed past its bin's edge takes the
neighbouring bin's token for that batch: a kernel density estimate in rank space, with a
bandwidth in rows. A bin of 20 rows (the fewest a bin holds) passes about a third of its
rows to its neighbours and gets as many back. The validation rows, which drive early
stopping, keep their own tokens.

By default the noise is on below 1,000 training rows only
(:data:`~synthgen_core.models.config.JITTER_TABLE_ROWS`). On nine statsmodels tables of
32-755 rows (six seeds each) it lowered the closer-to-train share (macrodata 0.565 to
0.542, engel 0.562 to 0.554) with detection as high on average; on adult and taxis, where
early stopping alone keeps rows from being memorised, it cost 0.01 of detection
(benchmarks/notes/2026-12-07-bin-jitter.md).
"""

from __future__ import annotations

import copy

import numpy as np
import numpy.typing as npt
import torch

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class BinJitter:
    """Moves the binned tokens of training batches to neighbouring bins, by rank noise.

    Built from the tokens of the rows the bins were fitted on and their places inside their
    bins (:meth:`~synthgen_core.transform.tokens.TableTokenizer.bin_positions`), then
    narrowed to the training rows (:meth:`subset`); only columns with two bins or more
    take part.
    """

    def __init__(
        self,
        tokens: IntArray,
        positions: FloatArray,
        bin_tokens: list[tuple[int, int] | None],
        vocab_sizes: list[int],
        *,
        rows: float,
        device: torch.device,
    ) -> None:
        columns = [j for j, span in enumerate(bin_tokens) if span and span[1] > span[0]]
        spans = [bin_tokens[j] for j in columns]
        vocab = max((vocab_sizes[j] for j in columns), default=1)
        spread = np.zeros((len(columns), vocab), dtype=np.float32)
        for k, (j, span) in enumerate(zip(columns, spans, strict=True)):
            assert span is not None
            counts = np.bincount(tokens[:, j], minlength=vocab)[span[0] : span[1] + 1]
            spread[k, span[0] : span[1] + 1] = np.where(counts > 0, rows / np.maximum(counts, 1), 0)
        self.columns = torch.as_tensor(columns, dtype=torch.int64, device=device)
        #: (C_b, V) noise in units of each bin's width: ``rows / rows in the bin``
        self.spread = torch.as_tensor(spread, device=device)
        #: (N, C_b) where each value sits in its bin, 0.5 (never moved) outside bins
        place = np.nan_to_num(positions[:, columns], nan=0.5) if columns else positions[:, :0]
        self.positions = torch.as_tensor(place, dtype=torch.float32, device=device)
        self.low = torch.as_tensor([s[0] for s in spans if s], dtype=torch.int64, device=device)
        self.high = torch.as_tensor([s[1] for s in spans if s], dtype=torch.int64, device=device)

    def subset(self, rows: IntArray) -> BinJitter:
        """The same noise for the training ``rows`` only (their positions, in that order)."""
        part = copy.copy(self)
        index = torch.as_tensor(rows, dtype=torch.int64, device=self.positions.device)
        part.positions = self.positions.index_select(0, index)
        return part

    @property
    def active(self) -> bool:
        """Whether any column has bins to move between."""
        return self.columns.numel() > 0

    def apply(
        self, batch: torch.Tensor, rows: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        """``batch`` (B, C), the tokens of training ``rows`` (B,), with fresh rank noise."""
        if not self.active:
            return batch
        tokens = batch.index_select(1, self.columns)  # (B, C_b)
        spread = self.spread[torch.arange(len(self.columns), device=batch.device), tokens]
        noise = torch.randn(tokens.shape, generator=generator, device=batch.device)
        moved = self.positions.index_select(0, rows) + noise * spread
        step = (moved > 1).to(torch.int64) - (moved < 0).to(torch.int64)
        shifted = torch.minimum(torch.maximum(tokens + step, self.low), self.high)
        out = batch.clone()
        out[:, self.columns] = torch.where(step != 0, shifted, tokens)
        return out
