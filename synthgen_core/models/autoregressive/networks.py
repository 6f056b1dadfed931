"""The two networks of the autoregressive model, and building one by name.

Both learn ``p(x[o[t]] | x[o[:t]])`` for any column order ``o`` and share the tokenizer,
the trainer (``column_losses``), the output heads (``logits``) and the sampler (through
:mod:`.cursors`): :class:`~.mlp.AnyOrderMLP`, one MLP per column over the columns before
it, and :class:`~.transformer.AnyOrderTransformer`, a causal transformer over the columns.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import torch

from synthgen_core.models.autoregressive.mlp import AnyOrderMLP
from synthgen_core.models.autoregressive.ordinal import ordinal_features
from synthgen_core.models.autoregressive.transformer import AnyOrderTransformer

AnyOrderNetwork = AnyOrderMLP | AnyOrderTransformer
Architecture = Literal["mlp", "transformer"]


def build_network(
    vocab_sizes: list[int],
    *,
    architecture: Architecture = "transformer",
    width: int,
    depth: int,
    heads: int = 1,
    dropout: float,
    device: torch.device,
    positions: list[npt.NDArray[np.float64] | None] | None = None,
    generator: torch.Generator | None = None,
) -> AnyOrderNetwork:
    """A network on ``device``: initialised from ``generator``, or left empty for loading.

    ``positions`` are the tokenizer's ordinal positions (None for a column of categories);
    ``heads`` is the transformer's. Built on the meta device first, so construction draws
    nothing from the global RNG.
    """
    positions = positions or [None] * len(vocab_sizes)
    ordinal = [p is not None for p in positions]
    network: AnyOrderNetwork
    with torch.device("meta"):
        if architecture == "mlp":
            network = AnyOrderMLP(
                vocab_sizes, width=width, depth=depth, dropout=dropout, ordinal=ordinal
            )
        else:
            network = AnyOrderTransformer(
                vocab_sizes,
                width=width,
                depth=depth,
                heads=heads,
                dropout=dropout,
                ordinal=ordinal,
            )
    network.to_empty(device=device)
    network.features.copy_(ordinal_features(positions, vocab_sizes))
    if generator is not None:
        network.reset_parameters(generator)
    return network
