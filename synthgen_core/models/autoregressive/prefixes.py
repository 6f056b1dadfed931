"""Rows that share the tokens drawn so far share every network state: run them once.

The network's state at position ``t`` of a row (the transformer's keys, values and output in
every block, the MLP's output) is a function of the tokens drawn before ``t`` alone. Early
in the order, few distinct prefixes exist: one at position 0, where every row holds the
start vector, at most ``V`` after a first column of ``V`` tokens, none more through a column
fixed by a condition. On adult (age, then workclass), a chunk of 1,941 rows holds 1, about 65
and about 320 distinct prefixes at its first three positions. While the distinct prefixes
are few, each step runs on one row per prefix and its keys, values and output are copied to
the rows that share it: the same numbers, for a fraction of the work.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from synthgen_core.models.autoregressive.transformer import AnyOrderTransformer, KVCache

#: Steps run once per prefix while there are at most this many prefixes per row; past
#: that, copying the cache to and from the prefixes' rows costs more than it saves.
MAX_PREFIX_SHARE = 0.5


@dataclass(frozen=True)
class Prefixes:
    """Which rows share the tokens drawn so far: ``group[i]`` numbers row ``i``'s prefix."""

    group: torch.Tensor  # (n,) int64 in [0, count)
    count: int

    @classmethod
    def start(cls, n_rows: int, device: torch.device) -> Prefixes:
        """Before the first position: one empty prefix for every row."""
        return cls(torch.zeros(n_rows, dtype=torch.long, device=device), 1)

    def extend(self, tokens: torch.Tensor, vocab_size: int) -> Prefixes | None:
        """The prefixes once ``tokens`` (n,) are drawn; None once too many to share."""
        key = self.group * vocab_size + tokens  # (n,) distinct per (prefix, token)
        distinct, group = torch.unique(key, return_inverse=True)
        if len(distinct) > MAX_PREFIX_SHARE * len(key):
            return None
        return Prefixes(group, len(distinct))

    def select(self, rows: torch.Tensor) -> Prefixes:
        """The prefixes of ``rows`` (n,), taken from this chunk (repeats allowed)."""
        distinct, group = torch.unique(self.group[rows], return_inverse=True)
        return Prefixes(group, len(distinct))

    def representatives(self) -> torch.Tensor:
        """(count,) one row of each prefix: the first."""
        rows = torch.arange(len(self.group), device=self.group.device)
        first = torch.full((self.count,), len(self.group), device=self.group.device)
        return first.scatter_reduce_(0, self.group, rows, reduce="amin")


def shared_step(
    network: AnyOrderTransformer,
    inputs: torch.Tensor,
    cache: KVCache,
    prefixes: Prefixes,
) -> torch.Tensor:
    """``network.step(inputs, cache)`` computed once per prefix: (n, W) -> (n, W).

    ``inputs`` must be the same for rows of one prefix, as the next position's input is.
    """
    rows = prefixes.representatives()  # (G,)
    position = cache.length
    shared = network.new_cache(len(rows))
    for layer in range(len(network.blocks)):
        shared.keys[layer][:position] = cache.keys[layer][:position].index_select(1, rows)
        shared.values[layer][:position] = cache.values[layer][:position].index_select(1, rows)
    shared.length = position
    hidden = network.step(inputs.index_select(0, rows), shared)  # (G, W)
    for layer in range(len(network.blocks)):
        cache.keys[layer][position] = shared.keys[layer][position].index_select(0, prefixes.group)
        cache.values[layer][position] = shared.values[layer][position].index_select(
            0, prefixes.group
        )
    cache.length += 1
    return hidden.index_select(0, prefixes.group)
