"""CTGAN's trainer: its Adam against PyTorch's, and no ``torch._dynamo`` import while fitting."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import torch
from torch import nn

from synthgen_core.nn.adam import Adam

ADAM_BETAS = (0.5, 0.9)


def _twin_networks() -> tuple[nn.Module, nn.Module]:
    torch_rng = torch.Generator().manual_seed(0)
    first = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2))
    with torch.no_grad():
        for param in first.parameters():
            param.copy_(torch.randn(param.shape, generator=torch_rng))
    second = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2))
    second.load_state_dict(first.state_dict())
    return first, second


@pytest.mark.parametrize("decay", [0.0, 1e-3])
@pytest.mark.parametrize("fused", [True, False])
def test_adam_matches_torch_optim_adam_exactly(decay: float, fused: bool) -> None:
    ours_net, reference_net = _twin_networks()
    ours = Adam(ours_net.parameters(), lr=1e-2, betas=ADAM_BETAS, weight_decay=decay)
    ours.fused = fused  # the foreach path serves devices without the fused kernel
    reference = torch.optim.Adam(
        reference_net.parameters(),
        lr=1e-2,
        betas=ADAM_BETAS,
        weight_decay=decay,
        fused=fused,
        foreach=not fused,
    )
    torch_rng = torch.Generator().manual_seed(1)
    for _ in range(25):
        inputs = torch.randn(16, 6, generator=torch_rng)
        for network, optimizer in ((ours_net, ours), (reference_net, reference)):
            optimizer.zero_grad()
            torch.autograd.backward(network(inputs).square().sum())
            optimizer.step()
    for mine, theirs in zip(ours_net.parameters(), reference_net.parameters(), strict=True):
        torch.testing.assert_close(mine, theirs, rtol=0.0, atol=0.0)


def test_adam_leaves_parameters_without_gradient_alone() -> None:
    network = nn.Linear(3, 1)
    frozen_bias = network.bias.detach().clone()
    optimizer = Adam(network.parameters(), lr=0.1)
    optimizer.zero_grad()
    torch.autograd.backward(network.weight.sum() * 2.0)  # the bias gets no gradient
    before = network.weight.detach().clone()
    optimizer.step()
    assert not torch.equal(network.weight, before)
    torch.testing.assert_close(network.bias.detach(), frozen_bias, rtol=0.0, atol=0.0)


@pytest.mark.slow
@pytest.mark.parametrize(
    "model", ["CTGAN(epochs=1, batch_size=20, pac=2, seed=0)", "TVAE(epochs=1, batch_size=20)"]
)
def test_fit_does_not_import_dynamo(model: str) -> None:
    # Building a torch.optim optimiser imports torch._dynamo: seconds per fresh process.
    script = textwrap.dedent(
        """
        import sys
        import pandas as pd
        import torch
        from synthgen_core.models.ctgan.model import CTGAN
        from synthgen_core.models.tvae.model import TVAE
        torch.set_num_threads(1)
        frame = pd.DataFrame({"x": [float(i % 7) for i in range(40)], "c": list("ab") * 20})
        MODEL.fit(frame)
        print("torch._dynamo" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script.replace("MODEL", model)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.strip() == "False"
