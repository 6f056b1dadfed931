"""Putting a model file's arrays into a freshly built network, checked before allocating.

A network's size follows from the model's options and the table's layout, both read from
the file's header; its weights come from the payload. The two must agree exactly. Building
the network first on PyTorch's meta device (shapes only, no memory) lets a file whose
weights are missing, extra or mis-shaped, or whose header declares a network far larger
than its weights, be refused before gigabytes are allocated for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import numpy as np
import torch
from torch import nn

M = TypeVar("M", bound=nn.Module)
_META = torch.device("meta")


def restore_network(
    build: Callable[[torch.device], M],
    arrays: Mapping[str, np.ndarray],
    prefix: str,
    device: torch.device,
) -> M:
    """``build(device)`` holding the arrays named ``prefix`` + its parameter names.

    Raises ValueError naming the first weight that is missing, unexpected or mis-shaped.
    """
    weights = {
        name.removeprefix(prefix): array
        for name, array in arrays.items()
        if name.startswith(prefix)
    }
    expected = {name: tuple(t.shape) for name, t in build(_META).state_dict().items()}
    check_weights(expected, {name: array.shape for name, array in weights.items()}, prefix)
    network = build(device)
    tensors = {name: torch.as_tensor(np.array(a), device=device) for name, a in weights.items()}
    network.load_state_dict(tensors, strict=True)
    return network


def check_weights(
    expected: Mapping[str, tuple[int, ...]], found: Mapping[str, tuple[int, ...]], prefix: str
) -> None:
    """The stored weights are exactly the network's: same names, same shapes."""
    missing = sorted(set(expected) - set(found))
    if missing:
        raise ValueError(f"weight {prefix + missing[0]!r} is missing")
    unexpected = sorted(set(found) - set(expected))
    if unexpected:
        raise ValueError(f"weight {prefix + unexpected[0]!r} belongs to no layer of the network")
    for name, shape in expected.items():
        # A scalar (batch norm's counter) may be stored as one element, as PyTorch accepts.
        if tuple(found[name]) != shape and not (shape == () and tuple(found[name]) == (1,)):
            stored = tuple(found[name])
            raise ValueError(
                f"weight {prefix + name!r} has shape {stored}, the network needs {shape}"
            )


__all__ = ["check_weights", "restore_network"]
