"""Tiny seeded networks and random token rows for the network-level tests."""

from __future__ import annotations

from typing import Literal, overload

import numpy as np
import numpy.typing as npt
import torch

from synthgen_core.models.autoregressive.mlp import AnyOrderMLP
from synthgen_core.models.autoregressive.networks import build_network
from synthgen_core.models.autoregressive.transformer import AnyOrderTransformer

Positions = list[npt.NDArray[np.float64] | None]


@overload
def small_network(
    vocab: list[int],
    positions: Positions,
    architecture: Literal["mlp"],
    *,
    seed: int = ...,
    depth: int = ...,
) -> AnyOrderMLP: ...
@overload
def small_network(
    vocab: list[int],
    positions: Positions,
    architecture: Literal["transformer"],
    *,
    seed: int = ...,
    depth: int = ...,
) -> AnyOrderTransformer: ...
def small_network(
    vocab: list[int],
    positions: Positions,
    architecture: Literal["mlp", "transformer"],
    *,
    seed: int = 0,
    depth: int = 2,
) -> AnyOrderMLP | AnyOrderTransformer:
    """A width-16 network in eval mode, initialised from ``seed`` (two heads if a transformer)."""
    network = build_network(
        vocab,
        architecture=architecture,
        width=16,
        depth=depth,
        heads=2,
        dropout=0.0,
        device=torch.device("cpu"),
        positions=positions,
        generator=torch.Generator().manual_seed(seed),
    ).eval()
    assert isinstance(network, AnyOrderMLP if architecture == "mlp" else AnyOrderTransformer)
    return network


def random_tokens(vocab: list[int], rows: int) -> torch.Tensor:
    """(rows, C) tokens drawn uniformly per column, the same for the same arguments."""
    generator = torch.Generator().manual_seed(1)
    return torch.stack([torch.randint(0, v, (rows,), generator=generator) for v in vocab], 1)
