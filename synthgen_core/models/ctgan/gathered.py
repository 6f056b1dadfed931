"""A linear layer over an input given in parts, the last one one-hot: products and a gather.

CTGAN's generator layers read concatenations, ``[h_k, ..., h_1, noise, cond]``. Written as
one ``nn.Linear`` over the concatenated tensor, every training step pays for

* copying the growing concatenations;
* the conditional vector's product, though it has a single 1 per row: that product is
  one weight column per row, a gather, and its weight gradient a scatter-add;
* the input gradient of the noise and of the conditions, which nothing reads.

:class:`PartsLinear` computes the same values and gradients without that work. Its weight
gradient is written block by block into one tensor: slicing the weight under autograd
would allocate and zero a full-size gradient per slice, which cost more than it saved.
It does not support double backward; nothing differentiates the generator twice.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.autograd.function import FunctionCtx, once_differentiable
from torch.nn import functional


class PartsLinear(torch.autograd.Function):
    """``cat([*parts, one_hot(ids)], dim=1) @ weight.T + bias`` without the concatenation.

    ``weight`` (O, I) has the parts' columns in order, then one column per category; ``ids``
    (B,) are category numbers into that last block, ``None`` when it is empty.
    """

    @staticmethod
    def forward(
        ctx: FunctionCtx,
        weight: torch.Tensor,
        bias: torch.Tensor,
        ids: torch.Tensor | None,
        *parts: torch.Tensor,
    ) -> torch.Tensor:
        dense = sum(part.shape[1] for part in parts)
        if ids is None:
            out = bias.expand(parts[0].shape[0], -1).clone()  # (B, O)
        else:  # each row's category column, gathered from a (C, O) copy: rows are contiguous
            table = weight[:, dense:].t().contiguous()
            out = table.index_select(0, ids).add_(bias)  # (B, O)
        start = 0
        for part in parts:
            out.addmm_(part, weight[:, start : start + part.shape[1]].t())
            start += part.shape[1]
        ctx.save_for_backward(weight, *parts)
        ctx.ids = ids  # type: ignore[attr-defined]
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        weight, *parts = ctx.saved_tensors
        ids = ctx.ids
        grad_weight = torch.empty_like(weight)  # (O, I), every block written below
        grad_parts: list[torch.Tensor | None] = []
        start = 0
        for k, part in enumerate(parts):
            block = slice(start, start + part.shape[1])
            torch.mm(grad_out.t(), part, out=grad_weight[:, block])
            needed = ctx.needs_input_grad[3 + k]
            grad_parts.append(grad_out @ weight[:, block] if needed else None)
            start += part.shape[1]
        if start < weight.shape[1]:  # the categories: a scatter-add of the rows' gradients
            grad_weight[:, start:] = _category_sums(grad_out, ids, weight.shape[1] - start).t()
        return grad_weight, grad_out.sum(dim=0), None, *grad_parts


def _category_sums(grad_out: torch.Tensor, ids: torch.Tensor | None, count: int) -> torch.Tensor:
    """(C, O): the sum of the rows of ``grad_out`` (B, O) of each category.

    A scatter-add on the CPU; elsewhere the product with the one-hot matrix, because
    atomic scatter-adds on a GPU sum in a different order each run and a seeded fit must
    give the same model every time.
    """
    if ids is None:
        return grad_out.new_zeros(count, grad_out.shape[1])
    if grad_out.device.type == "cpu":
        return grad_out.new_zeros(count, grad_out.shape[1]).index_add_(0, ids, grad_out)
    return functional.one_hot(ids, count).to(grad_out.dtype).t() @ grad_out


def parts_linear(
    weight: torch.Tensor, bias: torch.Tensor, ids: torch.Tensor | None, parts: list[torch.Tensor]
) -> torch.Tensor:
    """:class:`PartsLinear` with its types: ``Function.apply`` has none."""
    out: torch.Tensor = PartsLinear.apply(weight, bias, ids, *parts)  # type: ignore[no-untyped-call]
    return out
