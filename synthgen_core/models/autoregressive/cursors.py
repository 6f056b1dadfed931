"""One chunk of rows being drawn column by column: what each network keeps between columns.

The sampler (:mod:`.sampling`) asks a cursor for the network's output at the next column
of the order (:meth:`Cursor.hidden`), draws that column's tokens from its head, and hands
them back (:meth:`Cursor.advance`). The transformer keeps its keys and values per block;
the MLP keeps the embeddings of the columns drawn so far. Rows that share the tokens drawn
so far (:class:`~.prefixes.Prefixes`) share the output, so it is computed once per prefix.
"""

from __future__ import annotations

from typing import Protocol

import torch

from synthgen_core.models.autoregressive.mlp import EMBEDDING_WIDTH, AnyOrderMLP
from synthgen_core.models.autoregressive.networks import AnyOrderNetwork
from synthgen_core.models.autoregressive.prefixes import Prefixes, shared_step
from synthgen_core.models.autoregressive.transformer import AnyOrderTransformer

#: Bytes of transformer key/value cache per chunk of rows: bounds sampling memory.
CACHE_BYTES = 64 * 2**20
#: Rows per chunk at least and at most.
MIN_CHUNK_ROWS, MAX_CHUNK_ROWS = 256, 16_384
#: Rows per chunk of the MLP: its state is small, and 1,024-2,048 rows ran 1.1-1.3x as
#: fast as 4,096 or more on adult (the products' operands stay in the CPU's caches).
MLP_CHUNK_ROWS = 2048


class Cursor(Protocol):
    def hidden(self, prefixes: Prefixes | None) -> torch.Tensor:
        """(n, W): the network's output for the next column of the order, every row."""
        ...

    def advance(self, drawn: torch.Tensor) -> None:
        """Record the next column's (n,) drawn tokens and move on to the one after."""
        ...

    def reorder(self, rows: torch.Tensor) -> None:
        """Keep the state of ``rows`` (n,) only, in that order (repeats allowed)."""
        ...


def chunk_rows(network: AnyOrderNetwork) -> int:
    """Rows drawn together: bounded by the transformer's cache, fixed for the MLP."""
    if isinstance(network, AnyOrderMLP):
        return MLP_CHUNK_ROWS
    per_row = 2 * len(network.blocks) * max(network.n_columns, 1) * network.width * 4
    return max(MIN_CHUNK_ROWS, min(MAX_CHUNK_ROWS, CACHE_BYTES // per_row))


def cursor(network: AnyOrderNetwork, n_rows: int, order: list[int]) -> Cursor:
    """A cursor at the first column of ``order`` for ``n_rows`` rows."""
    if isinstance(network, AnyOrderMLP):
        return MLPCursor(network, n_rows, order)
    return TransformerCursor(network, n_rows, order)


class TransformerCursor:
    """Keys and values of the positions run so far, and the next position's input."""

    def __init__(self, network: AnyOrderTransformer, n_rows: int, order: list[int]) -> None:
        self.network, self.order, self.position = network, order, 0
        self.cache = network.new_cache(n_rows)
        self.inputs = network.first_input(n_rows, order[0])  # (n, W)

    def hidden(self, prefixes: Prefixes | None) -> torch.Tensor:
        if prefixes is None:
            return self.network.step(self.inputs, self.cache)
        return shared_step(self.network, self.inputs, self.cache, prefixes)

    def reorder(self, rows: torch.Tensor) -> None:
        """Reorder every cached position, the one just run included."""
        length = self.cache.length
        for layer in range(len(self.cache.keys)):
            self.cache.keys[layer][:length] = self.cache.keys[layer][:length, rows]
            self.cache.values[layer][:length] = self.cache.values[layer][:length, rows]

    def advance(self, drawn: torch.Tensor) -> None:
        column, self.position = self.order[self.position], self.position + 1
        if self.position < len(self.order):
            self.inputs = self.network.next_input(column, drawn, self.order[self.position])


class MLPCursor:
    """The embeddings of the columns drawn so far, side by side in the order drawn.

    Column ``c``'s first layer is a sum over the columns before it, so the one at position
    ``p`` reads the first ``p`` embeddings against the matching rows of its weights, plus
    the weights of their presence bits (the same for every row).
    """

    def __init__(self, network: AnyOrderMLP, n_rows: int, order: list[int]) -> None:
        self.network, self.order, self.position = network, order, 0
        width = EMBEDDING_WIDTH
        self.drawn = torch.empty((n_rows, len(order) * width), device=network.device)
        # Rows of a first-layer weight matrix, in the order the embeddings are laid out.
        self.weight_rows = torch.cat(
            [torch.arange(c * width, (c + 1) * width, device=network.device) for c in order]
        )

    def hidden(self, prefixes: Prefixes | None) -> torch.Tensor:
        network, position = self.network, self.position
        column = self.order[position]
        present = torch.as_tensor(self.order[:position], dtype=torch.long, device=network.device)
        presence_rows = network.n_columns * EMBEDDING_WIDTH + present
        bias = network.input_bias[column] + network.input_weight[column, presence_rows].sum(0)
        n_rows = self.drawn.shape[0]
        if position == 0:  # nothing drawn yet: the same output for every row
            return network.column_hidden(bias[None], column).expand(n_rows, -1)
        rows = None if prefixes is None else prefixes.representatives()
        read = self.drawn[:, : position * EMBEDDING_WIDTH]
        weight = network.input_weight[column, self.weight_rows[: position * EMBEDDING_WIDTH]]
        first = torch.addmm(bias, read if rows is None else read[rows], weight)  # (n or G, W)
        hidden = network.column_hidden(first, column)
        return hidden if prefixes is None else hidden[prefixes.group]

    def reorder(self, rows: torch.Tensor) -> None:
        self.drawn = self.drawn[rows]

    def advance(self, drawn: torch.Tensor) -> None:
        column, position = self.order[self.position], self.position
        embedded = self.network.token_embeddings(column)[drawn]  # (n, E)
        self.drawn[:, position * EMBEDDING_WIDTH : (position + 1) * EMBEDDING_WIDTH] = embedded
        self.position += 1
