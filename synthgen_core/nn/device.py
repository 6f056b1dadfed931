"""Where the neural models run: ``auto`` picks CUDA, then Apple MPS, then the CPU.

Third-party packages add devices through the ``synthgen.devices`` entry-point group: the
entry point names a callable that takes the device string and returns a ``torch.device``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

import torch

from synthgen_core.errors import ConfigError

DeviceFactory = Callable[[str], torch.device]


def _cuda(name: str) -> torch.device:
    if not torch.cuda.is_available():
        raise ConfigError(f"device {name!r} was requested but CUDA is not available; use 'cpu'")
    device = torch.device(name)
    if device.index is not None and device.index >= torch.cuda.device_count():
        raise ConfigError(
            f"device {name!r} does not exist: {torch.cuda.device_count()} CUDA device(s) found"
        )
    return device


def _mps(name: str) -> torch.device:
    if not torch.backends.mps.is_available():
        raise ConfigError(f"device {name!r} was requested but MPS is not available; use 'cpu'")
    return torch.device("mps")


def _cpu(name: str) -> torch.device:
    return torch.device("cpu")


def _auto(name: str) -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


_BUILTIN: dict[str, DeviceFactory] = {"auto": _auto, "cpu": _cpu, "cuda": _cuda, "mps": _mps}


def available_devices() -> dict[str, DeviceFactory]:
    """Built-in devices plus those registered under the ``synthgen.devices`` entry points."""
    devices = dict(_BUILTIN)
    for entry in entry_points(group="synthgen.devices"):
        devices.setdefault(entry.name, entry.load())
    return devices


def resolve_device(name: str) -> torch.device:
    """Turn a config string (``auto``, ``cpu``, ``cuda:1``, a plugin name) into a device."""
    family = name.split(":", 1)[0]
    factory = available_devices().get(family)
    if factory is None:
        known = ", ".join(sorted(available_devices()))
        raise ConfigError(f"unknown device {name!r}; choose one of: {known}")
    return factory(name)


def loading_device(name: str) -> torch.device:
    """Where a loaded model runs: its configured device, or the CPU when this machine lacks it.

    A model trained on ``cuda`` must still load on a laptop: its weights are stored on the
    host anyway, and sampling on the CPU gives rows from the same model.
    """
    try:
        return resolve_device(name)
    except ConfigError:
        return torch.device("cpu")
