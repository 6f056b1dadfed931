"""TVAE's two networks: q(z | r) and p(r | z) over the encoded table (arXiv 1907.00503, 4.4).

The paper's appendix writes both as small ReLU MLPs. The encoder maps a row ``r`` (the
``(D,)`` vector of :class:`~synthgen_core.transform.table.TableTransformer`) to the mean and
log-variance of a diagonal Gaussian over ``z``. The decoder maps ``z`` back to one raw value
per encoded dimension: a logit for every one-hot span, and for every scalar span the
pre-``tanh`` mean of a Gaussian whose standard deviation ``sigma`` is a learned parameter per
scalar (the paper's ``delta_i``).

``sigma`` is parametrised as ``SIGMA_MIN + (SIGMA_MAX - SIGMA_MIN) * sigmoid(logit)``: it
stays inside a sane range without a hard clamp, so its gradient never vanishes at a bound
and it cannot collapse to zero (which would make the Gaussian likelihood unbounded).

Networks are built on PyTorch's ``meta`` device and initialised from an explicit
``torch.Generator``: building a model never reads or advances the global RNG, and the same
seed gives the same initial weights.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn

SIGMA_MIN = 0.01
SIGMA_MAX = 1.0
SIGMA_INIT = 0.1


def mlp(in_dim: int, hidden: Sequence[int]) -> nn.Sequential:
    """Linear + ReLU for each hidden size; empty ``hidden`` gives the identity."""
    layers: list[nn.Module] = []
    for width in hidden:
        layers += [nn.Linear(in_dim, width), nn.ReLU()]
        in_dim = width
    return nn.Sequential(*layers)


def init_linear(layer: nn.Linear, generator: torch.Generator) -> None:
    """PyTorch's default Linear initialisation, drawn from ``generator``.

    Weights are Kaiming-uniform with ``a = sqrt(5)`` (bound ``1 / sqrt(fan_in)``), biases
    uniform in the same bound, as ``nn.Linear.reset_parameters`` does with the global RNG.
    """
    fan_in = layer.in_features
    if layer.weight.numel() == 0:  # a table with nothing to learn: nothing to draw
        with torch.no_grad():
            layer.bias.zero_()
        return
    nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
    bound = 1.0 / math.sqrt(fan_in)
    nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


class Encoder(nn.Module):
    """q(z | r): a row of the encoded table -> mean and log-variance of z."""

    def __init__(self, data_dim: int, hidden: Sequence[int], latent_dim: int) -> None:
        super().__init__()
        last = hidden[-1] if hidden else data_dim
        self.body = mlp(data_dim, hidden)
        self.mean = nn.Linear(last, latent_dim)
        self.log_var = nn.Linear(last, latent_dim)

    def reset_parameters(self, generator: torch.Generator) -> None:
        for module in self.modules():
            if isinstance(module, nn.Linear):
                init_linear(module, generator)

    def forward(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.body(rows)  # (B, H)
        return self.mean(hidden), self.log_var(hidden)  # (B, L), (B, L)


class Decoder(nn.Module):
    """p(r | z): latent codes -> raw outputs (B, D) plus the scalar spans' learned sigma."""

    def __init__(
        self, latent_dim: int, hidden: Sequence[int], data_dim: int, num_scalars: int
    ) -> None:
        super().__init__()
        last = hidden[-1] if hidden else latent_dim
        self.body = mlp(latent_dim, hidden)
        self.out = nn.Linear(last, data_dim)
        self.sigma_logit = nn.Parameter(torch.empty(num_scalars))

    def reset_parameters(self, generator: torch.Generator) -> None:
        for module in self.modules():
            if isinstance(module, nn.Linear):
                init_linear(module, generator)
        with torch.no_grad():
            share = (SIGMA_INIT - SIGMA_MIN) / (SIGMA_MAX - SIGMA_MIN)
            self.sigma_logit.fill_(math.log(share / (1.0 - share)))

    def sigma(self) -> torch.Tensor:
        """Standard deviation of each scalar span's Gaussian, in [SIGMA_MIN, SIGMA_MAX]."""
        return SIGMA_MIN + (SIGMA_MAX - SIGMA_MIN) * torch.sigmoid(self.sigma_logit)  # (S,)

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        raw: torch.Tensor = self.out(self.body(latent))  # (B, D)
        return raw

    def forward_transposed(self, latent: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """``forward(latent).t()`` written into ``out`` (D, B), for sampling.

        The output product computed as ``W @ h^T`` lands in the (D, B) layout that drawing
        rows works in (:func:`~synthgen_core.nn.spans.draw_rows`), with no transpose.
        """
        hidden = self.body(latent)  # (B, H)
        return torch.addmm(self.out.bias[:, None], self.out.weight, hidden.t(), out=out)


@contextmanager
def _on_meta() -> Iterator[None]:
    """Build modules without storage; their default initialisation is discarded anyway.

    ``nn.Linear`` initialises itself on construction and warns when a layer has no weights
    (a table whose columns are all ids or constants encodes to zero columns).
    """
    with warnings.catch_warnings(), torch.device("meta"):
        warnings.filterwarnings("ignore", "Initializing zero-element tensors is a no-op")
        yield


def build_encoder(
    data_dim: int,
    hidden: Sequence[int],
    latent_dim: int,
    device: torch.device,
    generator: torch.Generator,
) -> Encoder:
    """A freshly initialised encoder on ``device``."""
    with _on_meta():
        encoder = Encoder(data_dim, hidden, latent_dim)
    encoder.to_empty(device=device)
    encoder.reset_parameters(generator)
    return encoder


def build_decoder(
    latent_dim: int,
    hidden: Sequence[int],
    data_dim: int,
    *,
    num_scalars: int,
    device: torch.device,
    generator: torch.Generator | None = None,
) -> Decoder:
    """A decoder on ``device``: initialised from ``generator``, or left empty for loading."""
    with _on_meta():
        decoder = Decoder(latent_dim, hidden, data_dim, num_scalars)
    decoder.to_empty(device=device)
    if generator is not None:
        decoder.reset_parameters(generator)
    return decoder
