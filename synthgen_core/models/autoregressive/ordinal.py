"""Smooth features of a numerical token's position on its column's axis, for every network.

A number's tokens are bins along its axis, and a free embedding per bin knows nothing of
its neighbours. Both networks add to a numerical token's embedding and output weights a
learned function of these features, which neighbouring bins share.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch

#: Radial basis functions over a numerical token's position on its column's axis.
ORDINAL_FEATURES = 32


def ordinal_features(
    positions: list[npt.NDArray[np.float64] | None], vocab_sizes: list[int]
) -> torch.Tensor:
    """(V, F) radial basis features of every token's position; zeros where it has none.

    Neighbouring bins of a number get overlapping features, so what the network learns for
    one bin carries over to the next: with a few dozen rows per bin, that is what lets it
    learn a sharp relation (y = 3x) instead of a noisy one, bin by bin.
    """
    centres = np.linspace(0.0, 1.0, ORDINAL_FEATURES)
    blocks = []
    for position, size in zip(positions, vocab_sizes, strict=True):
        if position is None:
            blocks.append(np.zeros((size, ORDINAL_FEATURES)))
            continue
        distance = (position[:, None] - centres) * (ORDINAL_FEATURES - 1)  # in bump widths
        blocks.append(np.nan_to_num(np.exp(-0.5 * distance**2)))  # a missing token: zeros
    table = np.concatenate(blocks) if blocks else np.zeros((0, ORDINAL_FEATURES))
    padded = np.zeros((max(len(table), 1), ORDINAL_FEATURES))
    padded[: len(table)] = table
    return torch.as_tensor(padded, dtype=torch.float32)
