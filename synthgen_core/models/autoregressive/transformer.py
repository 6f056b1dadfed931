"""An any-order causal transformer over one token per column (``architecture="transformer"``).

A row of ``C`` tokens is read in an order ``o`` (a permutation of the columns). Position
``t`` of the sequence holds the token of column ``o[t-1]`` (position 0 a learned start
vector) plus a *query* embedding of column ``o[t]``, the column it must predict; causal
self-attention lets it see the columns before it, so the output at position ``t`` is
``p(x[o[t]] | x[o[0]], ..., x[o[t-1]])`` through column ``o[t]``'s own output head. The
query embedding is what makes one network serve every order (the target-aware inputs of
XLNet and sigma-GPT): the same weights learn ``p(income | age)`` and ``p(age | income)``, so
sampling can start from any set of columns given as conditions, exactly. There is no
positional embedding: each token's column is in its embedding, and the conditional of a
column given a set of others does not depend on the order in which they were read.

A number's tokens are bins along its axis, and a free embedding per bin knows nothing of
its neighbours: with a few dozen rows per bin, a sharp relation such as ``y = 3x`` came
back noisy (3-10% of the rows 4 standard deviations off the line). So the embedding and
the output weights of a numerical token also get a learned function of radial basis
features of its position (:func:`~.ordinal.ordinal_features`), shared by neighbouring bins. On a
3,000-row table with ``y = 3x + noise`` the rows far off the line fell from 9.7% to 3.2%;
on taxis the detection score rose from 0.92 to 0.95, and on adult it stayed (0.93).

Sampling runs one position at a time for all rows at once, with the keys and values of
earlier positions cached per layer, so a row of ``C`` columns costs ``C`` single-position
passes instead of ``C`` passes over a growing prefix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import torch
import torch.nn.functional as F
from torch import nn

from synthgen_core.models.autoregressive.heads import ColumnHeads
from synthgen_core.models.autoregressive.ordinal import ORDINAL_FEATURES
from synthgen_core.nn.dropout import seeded_dropout

#: Hidden width of each block's feed-forward layer, in multiples of the model width.
MLP_RATIO = 4
INIT_STD = 0.02


@dataclass
class KVCache:
    """Keys and values of the positions run so far, one pair per block."""

    keys: list[torch.Tensor]  # per block (C, n, W): position-major, so writes are contiguous
    values: list[torch.Tensor]
    length: int = 0


class Block(nn.Module):
    """Pre-norm transformer block: causal self-attention, then a GELU feed-forward."""

    def __init__(self, width: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.dropout = dropout
        self.attention_norm = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.attention_out = nn.Linear(width, width)
        self.mlp_norm = nn.LayerNorm(width)
        self.mlp_in = nn.Linear(width, MLP_RATIO * width)
        self.mlp_out = nn.Linear(MLP_RATIO * width, width)

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """(B, T, W) -> (B, T, W), every position attending to itself and those before.

        In training, dropout masks come from ``generator`` (never the global RNG).
        """
        q, k, v = self._split_heads(self.attention_norm(x))  # each (B, H, T, W/H)
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, T, W/H)
        batch, _, length, _ = attended.shape
        merged = attended.transpose(1, 2).reshape(batch, length, -1)  # (B, T, W)
        return self._finish(x, merged, generator)

    def step(self, x: torch.Tensor, cache: KVCache, layer: int) -> torch.Tensor:
        """(n, W) -> (n, W): the next position, reading earlier ones from ``cache``.

        One query per row attends to at most C keys: elementwise products over the cache
        beat a batched matrix product (n * H products of one row) or a flash-attention
        kernel built for long queries, several times over on a CPU.
        """
        n_rows, width = x.shape
        q, k, v = self.qkv(self.attention_norm(x)).split(width, dim=1)  # each (n, W)
        position = cache.length
        cache.keys[layer][position] = k
        cache.values[layer][position] = v
        shape = (position + 1, n_rows, self.heads, width // self.heads)
        keys = cache.keys[layer][: position + 1].view(shape)  # (t+1, n, H, W/H)
        values = cache.values[layer][: position + 1].view(shape)
        query = q.reshape(1, n_rows, self.heads, -1) * (shape[-1] ** -0.5)  # (1, n, H, W/H)
        weights = torch.softmax((keys * query).sum(dim=-1, keepdim=True), dim=0)  # (t+1, n, H, 1)
        attended = (weights * values).sum(dim=0).reshape(n_rows, width)  # (n, W)
        return self._finish(x, attended)

    def _split_heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        batch, length, width = x.shape
        qkv = self.qkv(x).view(batch, length, 3, self.heads, width // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (B, H, T, W/H)
        return q, k, v

    def _finish(
        self, x: torch.Tensor, merged: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """The residual additions after attention: ``merged`` is its output, (..., W)."""
        x = x + self._dropout(self.attention_out(merged), generator)
        hidden = F.gelu(self.mlp_in(self.mlp_norm(x)))  # (..., 4W)
        return x + self._dropout(self.mlp_out(hidden), generator)

    def _dropout(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        return seeded_dropout(x, self.dropout, training=self.training, generator=generator)


class AnyOrderTransformer(ColumnHeads):
    """``p(x[o[t]] | x[o[:t]])`` for any column order ``o`` (see the module docstring)."""

    def __init__(
        self,
        vocab_sizes: list[int],
        *,
        width: int,
        depth: int,
        heads: int,
        dropout: float,
        ordinal: list[bool] | None = None,
    ) -> None:
        super().__init__(vocab_sizes, ordinal)
        self.width, self.heads = width, heads
        bounds = self.bounds
        self.token_embedding = nn.Embedding(max(bounds[-1], 1), width)
        self.query_embedding = nn.Embedding(max(len(vocab_sizes), 1), width)
        self.start = nn.Parameter(torch.zeros(width))
        self.blocks = nn.ModuleList(Block(width, heads, dropout) for _ in range(depth))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, max(bounds[-1], 1))
        # Numbers: embeddings and output weights also get a smooth function of the token's
        # position (see ordinal_features), shared by neighbouring bins.
        columns, features = max(len(vocab_sizes), 1), ORDINAL_FEATURES
        self.ordinal_in = nn.Parameter(torch.zeros(columns, features, width))
        self.ordinal_out = nn.Parameter(torch.zeros(columns, width, features))
        self.register_buffer(
            "features", torch.zeros(max(bounds[-1], 1), features), persistent=False
        )

    @property
    def layers(self) -> list[Block]:
        """The blocks, typed."""
        return [cast(Block, block) for block in self.blocks]

    def column_losses(
        self, tokens: torch.Tensor, order: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """(B, C) tokens read in ``order`` (C,) -> (C,) mean negative log-likelihood per column.

        The result is indexed by column, not position; dropout masks (in training) come
        from ``generator``.
        """
        hidden = self._inputs(tokens, order)  # (B, C, W)
        for block in self.blocks:
            hidden = block(hidden, generator)
        hidden = self.norm(hidden)
        losses = torch.empty(self.n_columns, device=tokens.device)
        for position, column in enumerate(order.tolist()):
            logits = self.logits(hidden[:, position], column)  # (B, V_c)
            losses[column] = F.cross_entropy(logits, tokens[:, column])
        return losses

    def new_cache(self, n_rows: int) -> KVCache:
        shape = (max(self.n_columns, 1), n_rows, self.width)
        device = self.start.device
        return KVCache(
            keys=[torch.empty(shape, device=device) for _ in self.blocks],
            values=[torch.empty(shape, device=device) for _ in self.blocks],
        )

    def step(self, x: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """(n, W) input of the next position -> (n, W) normalised output there."""
        hidden = x
        for layer, block in enumerate(self.layers):
            hidden = block.step(hidden, cache, layer)
        cache.length += 1
        out: torch.Tensor = self.norm(hidden)
        return out

    def first_input(self, n_rows: int, column: int) -> torch.Tensor:
        """(n, W): the start vector asking for ``column``."""
        start: torch.Tensor = self.start + self.query_embedding.weight[column]  # (W,)
        return start.expand(n_rows, -1)

    def next_input(self, column: int, tokens: torch.Tensor, next_column: int) -> torch.Tensor:
        """(n, W): ``column``'s drawn ``tokens`` (n,) asking for ``next_column``."""
        ids = tokens + self.bounds[column]
        embedded: torch.Tensor = self.token_embedding(ids)  # (n, W)
        if self.ordinal[column]:
            embedded = embedded + self.features[ids] @ self.ordinal_in[column]
        return embedded + self.query_embedding.weight[next_column]

    def _inputs(self, tokens: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
        """(B, C) tokens -> (B, C, W): start, then every column but the last, with queries."""
        batch = tokens.shape[0]
        read = order[:-1]  # (C-1,) the columns whose tokens are inputs
        offsets = torch.as_tensor(self.bounds[:-1], device=tokens.device)[read]  # (C-1,)
        ids = tokens[:, read] + offsets  # (B, C-1)
        smooth = torch.einsum("bcf,cfw->bcw", self.features[ids], self.ordinal_in[read])
        embedded = self.token_embedding(ids) + smooth  # (B, C-1, W)
        start = self.start.expand(batch, 1, -1)  # (B, 1, W)
        inputs: torch.Tensor = torch.cat([start, embedded], dim=1) + self.query_embedding(order)
        return inputs  # (B, C, W)

    def reset_parameters(self, generator: torch.Generator) -> None:
        """GPT-2's initialisation, drawn from ``generator``.

        Small normal weights, zero biases, unit norms, and residual projections scaled down
        with depth.
        """
        residual_std = INIT_STD / math.sqrt(2 * max(len(self.blocks), 1))
        for name, module in self.named_modules():
            if isinstance(module, nn.Linear | nn.Embedding):
                std = residual_std if name.endswith(("attention_out", "mlp_out")) else INIT_STD
                nn.init.normal_(module.weight, std=std, generator=generator)
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        nn.init.zeros_(self.start)
        nn.init.normal_(self.ordinal_in, std=INIT_STD, generator=generator)
        nn.init.normal_(self.ordinal_out, std=INIT_STD, generator=generator)
