"""Device names from configs resolve to torch devices, or fail with a fix."""

from __future__ import annotations

import pytest
import torch

from synthgen_core.errors import ConfigError
from synthgen_core.nn.device import available_devices, resolve_device


def test_auto_and_cpu_resolve_on_any_machine():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available() and torch.backends.mps.is_available():
        expected = "mps"
    assert resolve_device("auto").type == expected


def test_builtin_devices_are_listed():
    assert {"auto", "cpu", "cuda", "mps"} <= set(available_devices())


def test_unknown_device_names_the_choices():
    with pytest.raises(ConfigError, match="unknown device 'tpu'.*cpu"):
        resolve_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_a_gpu_says_to_use_the_cpu():
    with pytest.raises(ConfigError, match="CUDA is not available; use 'cpu'"):
        resolve_device("cuda:0")
