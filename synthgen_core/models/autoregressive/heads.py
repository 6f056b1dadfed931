"""The per-column output heads both networks end in.

Every column's logits come from one shared matrix, sliced to the column's tokens, plus,
for a number, a smooth profile over its axis (:mod:`.ordinal`), so neighbouring bins get
neighbouring scores.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn


class ColumnHeads(nn.Module):
    """The heads, ``n_columns`` and ``device`` of a network with these attributes."""

    head: nn.Linear  # (W -> V): every column's tokens, rows bounds[c]:bounds[c+1]
    ordinal_out: torch.Tensor  # (C, W, F)
    features: torch.Tensor  # (V, F) buffer: each token's ordinal features
    vocab_sizes: list[int]
    bounds: list[int]
    ordinal: list[bool]

    def __init__(self, vocab_sizes: list[int], ordinal: list[bool] | None) -> None:
        """The token layout: column ``c``'s tokens are rows ``bounds[c]:bounds[c+1]``."""
        super().__init__()
        self.vocab_sizes = list(vocab_sizes)
        self.ordinal = list(ordinal or [False] * len(vocab_sizes))
        self.bounds = [0, *itertools.accumulate(self.vocab_sizes)]

    @property
    def n_columns(self) -> int:
        return len(self.vocab_sizes)

    @property
    def device(self) -> torch.device:
        return self.head.weight.device

    def logits(self, hidden: torch.Tensor, column: int) -> torch.Tensor:
        """(n, W) -> (n, V_c): column ``column``'s head."""
        low, high = self.bounds[column], self.bounds[column + 1]
        logits = F.linear(hidden, self.head.weight[low:high], self.head.bias[low:high])
        if self.ordinal[column]:  # + a smooth profile over the column's axis
            profile = hidden @ self.ordinal_out[column]  # (n, F)
            logits = logits + profile @ self.features[low:high].t()  # (n, V_c)
        return logits
