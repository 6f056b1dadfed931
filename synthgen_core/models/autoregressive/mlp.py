"""An any-order network of one small MLP per column over the columns before it.

The masked, "flat" design of TabularARGN (arXiv 2501.12012) and MADE: every column's token
has an embedding of :data:`EMBEDDING_WIDTH` numbers. To predict column ``c`` in an order
``o``, the embeddings of the columns read before ``c`` are laid side by side, those after it
are zeros, and one bit per column says which are present (a zero embedding is not a
missing one). Column ``c``'s own MLP (``depth`` layers of ``width`` GELU units) reads that
vector and its output head gives ``p(x[c] | the columns before c)``. Training masks by the
order, so one network serves every order, as the transformer does, and conditions on any
set of columns stay exact.

Why it exists beside the transformer: a row costs one matrix product per column and
nothing else (no attention, no cache, no norms), so it fits several times faster and
samples several times faster on a CPU. On adult (26,049 rows) it also reached a lower
held-out loss (1.308 against 1.314 nats per column) and higher quality and detection; on
tables of a few hundred rows, where each column's own MLP has few rows to learn from, the
transformer's weights shared across columns did better (see ``architecture`` in
:class:`~synthgen_core.models.config.AutoregressiveConfig`).

Sampling reads only the columns drawn so far: the column at position ``p`` sums, per row,
``p`` rows of a table of (token embedding) x (first-layer weights) built once per draw
(:class:`~.cursors.MLPLayout`), instead of multiplying ``p x E`` inputs by its weights.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from synthgen_core.models.autoregressive.heads import ColumnHeads
from synthgen_core.models.autoregressive.ordinal import ORDINAL_FEATURES
from synthgen_core.nn.dropout import seeded_dropout

#: Numbers per column embedding.
EMBEDDING_WIDTH = 16
EMBEDDING_STD = 0.1
HEAD_STD = 0.02


class AnyOrderMLP(ColumnHeads):
    """``p(x[o[t]] | x[o[:t]])`` for any column order ``o`` (see the module docstring)."""

    def __init__(
        self,
        vocab_sizes: list[int],
        *,
        width: int,
        depth: int,
        dropout: float,
        ordinal: list[bool] | None = None,
    ) -> None:
        super().__init__(vocab_sizes, ordinal)
        self.width, self.dropout = width, dropout
        columns, tokens, embedded = max(self.n_columns, 1), max(self.bounds[-1], 1), EMBEDDING_WIDTH
        self.token_embedding = nn.Embedding(tokens, embedded)
        self.ordinal_in = nn.Parameter(torch.zeros(columns, ORDINAL_FEATURES, embedded))
        # Column c's first layer reads [embeddings (C x E), presence bits (C)].
        self.input_weight = nn.Parameter(torch.zeros(columns, self.input_width, width))
        self.input_bias = nn.Parameter(torch.zeros(columns, width))
        self.hidden_weight = nn.Parameter(torch.zeros(depth - 1, columns, width, width))
        self.hidden_bias = nn.Parameter(torch.zeros(depth - 1, columns, width))
        self.head = nn.Linear(width, tokens)
        self.ordinal_out = nn.Parameter(torch.zeros(columns, width, ORDINAL_FEATURES))
        self.register_buffer("features", torch.zeros(tokens, ORDINAL_FEATURES), persistent=False)

    @property
    def input_width(self) -> int:
        """Inputs of a column's first layer: every column's embedding and presence bit."""
        return max(self.n_columns, 1) * (EMBEDDING_WIDTH + 1)

    def column_losses(
        self, tokens: torch.Tensor, order: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """(B, C) tokens read in ``order`` (C,) -> (C,) mean negative log-likelihood per column.

        The result is indexed by column, not position; dropout masks (in training) come
        from ``generator``.
        """
        batch, columns = tokens.shape
        rank = torch.empty_like(order)
        rank[order] = torch.arange(columns, device=tokens.device)
        visible = (rank[None, :] < rank[:, None]).to(self.input_bias.dtype)  # (C target, C read)
        embedded = self.embed(tokens, torch.arange(columns, device=tokens.device))  # (B, C, E)
        masked = visible[None, :, :, None] * embedded[:, None]  # (B, C, C, E)
        inputs = torch.cat(
            [masked.reshape(batch, columns, -1), visible.expand(batch, -1, -1)], dim=2
        )  # (B, C, C x E + C)
        first = torch.einsum("bci,cih->bch", inputs, self.input_weight) + self.input_bias
        hidden = self._dropout(F.gelu(first), generator)
        for layer in range(self.hidden_weight.shape[0]):
            inner = torch.einsum("bch,chk->bck", hidden, self.hidden_weight[layer])
            hidden = hidden + self._dropout(F.gelu(inner + self.hidden_bias[layer]), generator)
        losses = torch.empty(columns, device=tokens.device)
        for column in range(columns):
            logits = self.logits(hidden[:, column], column)
            losses[column] = F.cross_entropy(logits, tokens[:, column])
        return losses

    def embed(self, tokens: torch.Tensor, columns: torch.Tensor) -> torch.Tensor:
        """(..., K) tokens of ``columns`` (K,) -> (..., K, E) embeddings."""
        ids = tokens + torch.as_tensor(self.bounds[:-1], device=tokens.device)[columns]
        smooth = torch.einsum("...kf,kfe->...ke", self.features[ids], self.ordinal_in[columns])
        embedded: torch.Tensor = self.token_embedding(ids) + smooth
        return embedded

    def column_hidden(self, first: torch.Tensor, column: int) -> torch.Tensor:
        """(n, W) first-layer sums of ``column`` -> (n, W) its last hidden layer (inference)."""
        hidden = F.gelu(first)
        for layer in range(self.hidden_weight.shape[0]):
            inner = torch.addmm(
                self.hidden_bias[layer, column], hidden, self.hidden_weight[layer, column]
            )
            hidden = hidden + F.gelu(inner)
        return hidden

    def logits(self, hidden: torch.Tensor, column: int) -> torch.Tensor:
        """(n, W) -> (n, V_c): the head with its smooth profile folded into one product.

        The same numbers as :meth:`ColumnHeads.logits` up to rounding, for one product per
        row instead of two (3-5% of sampling on adult); the transformer keeps the two, so its
        seeded fits stay as they were.
        """
        low, high = self.bounds[column], self.bounds[column + 1]
        weight = self.head.weight[low:high]  # (V_c, W)
        if self.ordinal[column]:
            weight = weight + self.features[low:high] @ self.ordinal_out[column].t()
        return F.linear(hidden, weight, self.head.bias[low:high])

    def token_embeddings(self, column: int) -> torch.Tensor:
        """(V_c, E): the embedding of every token of ``column``, for lookups while sampling."""
        tokens = torch.arange(self.vocab_sizes[column], device=self.device)[:, None]
        return self.embed(tokens, torch.tensor([column], device=self.device))[:, 0]

    def _dropout(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        return seeded_dropout(x, self.dropout, training=self.training, generator=generator)

    def reset_parameters(self, generator: torch.Generator) -> None:
        """Layers scaled by their inputs, small embeddings and heads, from ``generator``."""
        nn.init.normal_(self.token_embedding.weight, std=EMBEDDING_STD, generator=generator)
        nn.init.normal_(self.ordinal_in, std=HEAD_STD, generator=generator)
        nn.init.normal_(self.input_weight, std=1 / math.sqrt(self.input_width), generator=generator)
        nn.init.normal_(self.hidden_weight, std=0.5 / math.sqrt(self.width), generator=generator)
        nn.init.normal_(self.head.weight, std=HEAD_STD, generator=generator)
        nn.init.normal_(self.ordinal_out, std=HEAD_STD, generator=generator)
        for bias in (self.input_bias, self.hidden_bias, self.head.bias):
            nn.init.zeros_(bias)
