"""Restoring a network from stored arrays: exact names and shapes, checked on meta first."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from synthgen_core.nn.weights import restore_network


def _arrays(hidden: int) -> dict[str, np.ndarray]:
    layer = nn.Linear(3, hidden)
    return {f"net.{k}": v.detach().numpy() for k, v in layer.state_dict().items()}


class _Builds:
    """A build function that records the devices it was asked for."""

    def __init__(self, hidden: int) -> None:
        self.hidden = hidden
        self.devices: list[str] = []

    def __call__(self, device: torch.device) -> nn.Linear:
        self.devices.append(device.type)
        return nn.Linear(3, self.hidden, device=device)


def test_a_scalar_stored_as_one_element_is_accepted():
    norm = nn.BatchNorm1d(2)
    arrays = {k: v.numpy().reshape(-1) for k, v in norm.state_dict().items()}
    assert arrays["num_batches_tracked"].shape == (1,)
    restored = restore_network(
        lambda device: nn.BatchNorm1d(2, device=device), arrays, "", torch.device("cpu")
    )
    assert restored.num_batches_tracked is not None
    assert int(restored.num_batches_tracked) == 0


def test_matching_arrays_are_loaded_exactly():
    arrays = _arrays(4)
    network = restore_network(_Builds(4), arrays, "net.", torch.device("cpu"))
    assert np.array_equal(network.weight.detach().numpy(), arrays["net.weight"])
    assert np.array_equal(network.bias.detach().numpy(), arrays["net.bias"])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda a: a.pop("net.bias"), r"weight 'net.bias' is missing"),
        (lambda a: a.update({"net.extra": np.zeros(2)}), r"'net.extra' belongs to no layer"),
        (
            lambda a: a.update({"net.weight": np.zeros((4, 2), np.float32)}),
            r"'net.weight' has shape \(4, 2\), the network needs \(4, 3\)",
        ),
    ],
)
def test_wrong_names_or_shapes_are_refused_naming_the_weight(edit, message):
    arrays = _arrays(4)
    edit(arrays)
    with pytest.raises(ValueError, match=message):
        restore_network(_Builds(4), arrays, "net.", torch.device("cpu"))


def test_a_network_larger_than_its_weights_is_never_allocated():
    builds = _Builds(1 << 40)  # a header declaring a layer of 3 * 2**40 weights
    with pytest.raises(ValueError, match="the network needs"):
        restore_network(builds, _arrays(4), "net.", torch.device("cpu"))
    assert builds.devices == ["meta"]
