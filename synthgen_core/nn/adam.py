"""Adam (Kingma & Ba, arXiv 1412.6980) for the neural models, without ``torch.optim``.

Building any ``torch.optim`` optimiser imports ``torch._dynamo`` (``add_param_group`` is
wrapped in a dynamo guard): a one-off 1.5 s on an idle machine and several seconds on a
busy one, paid by every fresh process that fits a model (each CLI call, each worker job).
No ``fused``/``foreach`` flag avoids it. This class calls the very kernel that
``torch.optim.Adam(fused=True)`` calls (``torch._fused_adam_``, a private PyTorch op: the
tests compare it with ``torch.optim.Adam`` bit for bit, so an upgrade that changes it
fails loudly), and a ``foreach`` form on other devices.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

ADAM_EPS = 1e-8


class Adam:
    """Adam (Kingma & Ba, arXiv 1412.6980) with L2 weight decay, as ``torch.optim.Adam``.

    Bit for bit the update of ``torch.optim.Adam(fused=True)`` on CPU and CUDA (the same
    fused kernel, one call for all parameters) and of its ``foreach`` variant elsewhere,
    without the ``torch.optim`` machinery (see the module docstring for why).
    """

    def __init__(
        self,
        params: Iterable[nn.Parameter],
        *,
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        weight_decay: float = 0.0,
        eps: float = ADAM_EPS,
    ) -> None:
        self.params = [param for param in params if param.requires_grad]
        self.lr, self.betas, self.weight_decay, self.eps = lr, betas, weight_decay, eps
        self.exp_avg = [torch.zeros_like(param) for param in self.params]
        self.exp_avg_sq = [torch.zeros_like(param) for param in self.params]
        # per-parameter step counts, on the device as the fused kernel wants them
        self.steps = [torch.zeros((), device=param.device) for param in self.params]
        self.fused = all(param.device.type in ("cpu", "cuda") for param in self.params)

    def zero_grad(self) -> None:
        """Drop the gradients, so the next backward writes them instead of adding."""
        for param in self.params:
            param.grad = None

    def checkpoint_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        """The learning rate and, per parameter, both moments and the step count."""
        tensors: dict[str, torch.Tensor] = {}
        for index, moments in enumerate(
            zip(self.exp_avg, self.exp_avg_sq, self.steps, strict=True)
        ):
            for name, tensor in zip(("exp_avg", "exp_avg_sq", "steps"), moments, strict=True):
                tensors[f"{name}.{index}"] = tensor
        return {"lr": self.lr}, tensors

    @torch.no_grad()
    def restore_checkpoint_state(
        self, values: dict[str, Any], tensors: dict[str, torch.Tensor]
    ) -> None:
        self.lr = float(values["lr"])
        for name, own in (
            ("exp_avg", self.exp_avg),
            ("exp_avg_sq", self.exp_avg_sq),
            ("steps", self.steps),
        ):
            for index, tensor in enumerate(own):
                tensor.copy_(tensors[f"{name}.{index}"])

    @torch.no_grad()
    def step(self) -> None:
        """One update from the gradients the last backward left on the parameters."""
        state = zip(self.params, self.exp_avg, self.exp_avg_sq, self.steps, strict=True)
        # a parameter the loss did not reach keeps its moments, as in torch.optim
        live = [(p, p.grad, m, v, t) for p, m, v, t in state if p.grad is not None]
        if not live:
            return
        params, grads, exp_avg, exp_avg_sq, steps = (
            list(group) for group in zip(*live, strict=True)
        )
        torch._foreach_add_(steps, 1.0)
        if self.fused:
            torch._fused_adam_(
                params,
                grads,
                exp_avg,
                exp_avg_sq,
                [],
                steps,
                lr=self.lr,
                beta1=self.betas[0],
                beta2=self.betas[1],
                weight_decay=self.weight_decay,
                eps=self.eps,
                amsgrad=False,
                maximize=False,
            )
        else:
            self._foreach_step(params, grads, exp_avg, exp_avg_sq, [float(t) for t in steps])

    def _foreach_step(
        self,
        params: list[torch.Tensor],
        grads: list[torch.Tensor],
        exp_avg: list[torch.Tensor],
        exp_avg_sq: list[torch.Tensor],
        steps: list[float],
    ) -> None:
        beta1, beta2 = self.betas
        if self.weight_decay:
            grads = list(torch._foreach_add(grads, params, alpha=self.weight_decay))
        torch._foreach_lerp_(exp_avg, grads, 1.0 - beta1)
        torch._foreach_mul_(exp_avg_sq, beta2)
        torch._foreach_addcmul_(exp_avg_sq, grads, grads, value=1.0 - beta2)
        denom = torch._foreach_sqrt(exp_avg_sq)
        torch._foreach_div_(denom, [math.sqrt(1.0 - beta2**step) for step in steps])
        torch._foreach_add_(denom, self.eps)
        step_sizes = [-self.lr / (1.0 - beta1**step) for step in steps]
        torch._foreach_addcdiv_(params, exp_avg, denom, step_sizes)
