"""The trained CTGAN generator frozen for sampling: batch norm folded, conditions gathered.

Sampling runs the generator in eval mode, where it is a fixed function and three things
that training needs cost time for nothing:

* **Batch norm** uses its running statistics, ``y = (x - mean) * gamma / sqrt(var + eps) +
  beta``: an affine map that folds into the preceding linear layer's weights and bias.
* **The conditional vector** is a one-hot (one category of one discrete column), so its
  product with a weight matrix is one weight column. Each layer gathers that column (with
  the bias added) per row instead of multiplying C mostly-zero inputs: about a quarter
  of the generator's multiply-adds on a table like adult.
* **The residual concatenations** ``[h, x]`` are not built per layer: every hidden output
  is written once into a buffer laid out ``[h_L, ..., h_1, noise]`` (newest first, the
  order :class:`~.networks.Residual` concatenates), so each layer is one matrix product
  over a suffix of that buffer.

The result is the generator's function up to float rounding (the sums run in another
order); nothing here is trained, so fitting is untouched.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from synthgen_core.models.ctgan.networks import Generator, Residual
from synthgen_core.nn.chunks import row_blocks

#: Rows per product on a CPU: a block's activations (256 rows of [h_2, h_1, noise], 640 KiB
#: at the default widths) stay in the core's L2 cache; 4,096-row blocks ran at half the speed.
CPU_PRODUCT_ROWS = 256


class _Layer(NamedTuple):
    """One affine layer split into its dense inputs and its one-hot condition inputs."""

    dense: torch.Tensor  # (I, O): weights of [h_(l-1), ..., h_1, noise], transposed
    table: torch.Tensor  # (max(C, 1), O): bias plus each category's weight column


class FrozenGenerator:
    """A :class:`Generator`'s eval-mode function over (noise, category ids); see module."""

    def __init__(self, generator: Generator, output_order: torch.Tensor | None = None) -> None:
        """``output_order`` (D,): the output column found at each position of the logits.

        Permuting the output layer's units costs nothing at sampling time and hands the
        logits over in the order the sampler wants (:class:`~synthgen_core.nn.spans.SpanIndex`).
        """
        self.noise_dim = generator.noise_dim
        condition_width = generator.condition_width
        self._activations: torch.Tensor | None = None  # (B, H + E), see _buffer
        with torch.no_grad():
            self.hidden = [_split(*_folded(block), condition_width) for block in _blocks(generator)]
            weight, bias = generator.output.weight.detach(), generator.output.bias.detach()
            if output_order is not None:
                weight, bias = weight[output_order], bias[output_order]
            output = _split(weight, bias, condition_width)
            self.output_weight = output.dense.t().contiguous()  # (D, I)
            self.output_table_t = output.table.t().contiguous()  # (D, max(C, 1))
        self._logits: torch.Tensor | None = None  # flat (D * b) scratch, see _scratch

    def __call__(self, noise: torch.Tensor, category: torch.Tensor | None) -> torch.Tensor:
        """Raw span logits (B, D) for noise (B, E) and global category ids (B,) or ``None``.

        ``None`` means the table has no discrete column, so there is no condition. The
        logits come as a view of a (D, B) tensor, the layout that
        :func:`~synthgen_core.nn.spans.draw_rows` works in. On a CPU the products run over
        blocks of ``CPU_PRODUCT_ROWS`` rows, whose activations stay in the core's cache.
        """
        rows = noise.shape[0]
        logits = noise.new_empty(self.output_weight.shape[0], rows)  # (D, B)
        with torch.inference_mode():
            for block in row_blocks(rows, noise.device, CPU_PRODUCT_ROWS):
                ids = None if category is None else category[block]
                self._forward(noise[block], ids, logits[:, block])
        return logits.t()  # (B, D) view

    def _forward(
        self, noise: torch.Tensor, category: torch.Tensor | None, out: torch.Tensor
    ) -> None:
        """The generator on one block of rows: logits (D, b) written into ``out``."""
        buffer = self._buffer(noise)  # (b, H + E)
        start = buffer.shape[1] - self.noise_dim
        buffer[:, start:] = noise
        for layer in self.hidden:
            width = layer.dense.shape[1]
            hidden = buffer[:, start - width : start]  # (b, O), written in place
            if category is None:
                hidden.copy_(layer.table[0].expand_as(hidden))
            else:
                torch.index_select(layer.table, 0, category, out=hidden)
            hidden.addmm_(buffer[:, start:], layer.dense).relu_()
            start -= width
        # The last product as (D, b): per-span work downstream reads whole rows. It runs
        # in a contiguous scratch that starts as the gathered bias columns; a transposed
        # (b, D) bias handed to addmm would cost a strided copy per block.
        logits = self._scratch(out)
        if category is None:
            logits.copy_(self.output_table_t[:, :1].expand_as(logits))
        else:
            torch.index_select(self.output_table_t, 1, category, out=logits)
        logits.addmm_(self.output_weight, buffer.t())
        out.copy_(logits)

    def _scratch(self, out: torch.Tensor) -> torch.Tensor:
        """A contiguous (D, b) tensor for the last product, reused like the buffer."""
        size = out.numel()  # flat storage: a column slice of a wider (D, b') is not contiguous
        if self._logits is None or self._logits.numel() < size:
            self._logits = out.new_empty(size)
        return self._logits[:size].view(out.shape)

    def _buffer(self, noise: torch.Tensor) -> torch.Tensor:
        """The activations buffer for this block, reused across blocks and batches.

        A fresh tensor per block is fresh memory from the system, and faulting its pages
        in cost more than the products that fill it.
        """
        rows = noise.shape[0]
        width = sum(layer.dense.shape[1] for layer in self.hidden) + self.noise_dim
        if self._activations is None or self._activations.shape[0] < rows:
            self._activations = noise.new_empty(rows, width)
        return self._activations[:rows]


def _blocks(generator: Generator) -> list[Residual]:
    blocks = [block for block in generator.blocks if isinstance(block, Residual)]
    assert len(blocks) == len(generator.blocks), "the generator holds only Residual blocks"
    return blocks


def _folded(block: Residual) -> tuple[torch.Tensor, torch.Tensor]:
    """Weights (O, I) and bias (O,) of ``norm(linear(x))`` with running statistics."""
    linear, norm = block.linear, block.norm
    assert isinstance(norm, nn.BatchNorm1d)
    assert norm.running_var is not None
    assert norm.running_mean is not None
    scale = torch.rsqrt(norm.running_var + norm.eps)  # (O,)
    if norm.weight is not None:
        scale = scale * norm.weight
    bias = (linear.bias - norm.running_mean) * scale
    if norm.bias is not None:
        bias = bias + norm.bias
    return linear.weight * scale[:, None], bias


def _split(weight: torch.Tensor, bias: torch.Tensor, condition_width: int) -> _Layer:
    """The condition is the input's last C columns (the generator reads [noise, cond])."""
    dense_width = weight.shape[1] - condition_width
    dense = weight[:, :dense_width].t().contiguous()  # (I, O)
    table = (weight[:, dense_width:].t() + bias).contiguous()  # (C, O)
    if condition_width == 0:
        table = bias[None, :].clone()  # (1, O)
    return _Layer(dense=dense, table=table)
