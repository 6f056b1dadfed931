"""Training checkpoints: a killed training resumes where it stopped, not at epoch 0.

A checkpoint is one safetensors file whose metadata holds a JSON header: the epochs done,
their loss history, the seconds spent, the seed the fit used, and a key naming what is
being trained (model type, options, and a fingerprint of the table). The tensors are the
training state of every part that trains: network weights, the optimiser's moments and step
counts, the random generators' states, and the early-stopping bookkeeping with its best
weights. Safetensors and JSON only, so reading a checkpoint never executes code.

Restoring all of that at an epoch boundary makes a resumed fit continue the very same
random streams, so on the same device and thread count it ends with the same weights as an
uninterrupted fit. A file that is missing, unreadable or written for another table or other
options is ignored, and training starts from epoch 0.

Writes are atomic (a temp file, then ``os.replace``), so a kill mid-write leaves the
previous checkpoint intact.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import secrets
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

logger = logging.getLogger("synthgen")

#: Bump when the header's layout changes; other versions are ignored (training restarts).
CHECKPOINT_VERSION = 1
_HEADER_KEY = "synthgen_checkpoint"
#: Save after this many epochs since the last save...
DEFAULT_EVERY_EPOCHS = 10
#: ...or once this many seconds have passed since it, whichever comes first.
DEFAULT_EVERY_SECONDS = 30.0


class Stateful(Protocol):
    """A part of a training run that a checkpoint saves and restores."""

    def checkpoint_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        """JSON-able values and named tensors that restore this part exactly."""
        ...

    def restore_checkpoint_state(
        self, values: dict[str, Any], tensors: dict[str, torch.Tensor]
    ) -> None: ...


class Resumed(NamedTuple):
    """Where a resumed training starts: epochs done, their losses, seconds already spent."""

    epoch: int
    history: list[dict[str, float]]
    elapsed: float


class Checkpoint:
    """One training's checkpoint file.

    ``key`` names what is trained (:func:`training_key`); a file with another key belongs
    to another training and is not resumed from.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        key: str,
        every_epochs: int = DEFAULT_EVERY_EPOCHS,
        every_seconds: float = DEFAULT_EVERY_SECONDS,
    ) -> None:
        self.path = Path(path)
        self.key = key
        self.every_epochs = every_epochs
        self.every_seconds = every_seconds
        self._header, self._tensors = self._read()
        self._last_epoch = int(self._header["epoch"]) if self._header else 0
        self._last_time = time.monotonic()
        #: Set when a callback stopped training: the file is kept for the next fit.
        self.interrupted = False

    @property
    def seed(self) -> int | None:
        """The seed of the training this file continues (None: no usable file)."""
        return None if self._header is None else int(self._header["seed"])

    @property
    def stage(self) -> int | None:
        """Which of a fit's trainings the file holds (None: no usable file).

        A fit that trains several networks in turn (one per choice of bins, say) numbers
        them; a fit of one network is stage 0.
        """
        return None if self._header is None else int(self._header.get("stage", 0))

    def resume(self, parts: Mapping[str, Stateful], stage: int = 0) -> Resumed | None:
        """Restore ``parts`` from the file; None when it holds nothing of ``stage``."""
        if self._header is None or self._tensors is None or self.stage != stage:
            return None
        values = self._header["parts"]
        for name, part in parts.items():
            prefix = f"{name}."
            tensors = {
                key.removeprefix(prefix): tensor
                for key, tensor in self._tensors.items()
                if key.startswith(prefix)
            }
            part.restore_checkpoint_state(values[name], tensors)
        history = [_finite_losses(epoch) for epoch in self._header["history"]]
        return Resumed(int(self._header["epoch"]), history, float(self._header["elapsed"]))

    def due(self, epoch: int) -> bool:
        """Whether to save after ``epoch`` (1-based) epochs."""
        return (
            epoch - self._last_epoch >= self.every_epochs
            or time.monotonic() - self._last_time >= self.every_seconds
        )

    def save(
        self,
        parts: Mapping[str, Stateful],
        *,
        epoch: int,
        history: list[dict[str, float]],
        elapsed: float,
        seed: int,
        stage: int = 0,
    ) -> None:
        """Write the state of training ``stage`` after ``epoch`` epochs, atomically."""
        values: dict[str, Any] = {}
        tensors: dict[str, torch.Tensor] = {}
        for name, part in parts.items():
            part_values, part_tensors = part.checkpoint_state()
            values[name] = part_values
            for key, tensor in part_tensors.items():
                tensors[f"{name}.{key}"] = tensor.detach().to("cpu").contiguous().clone()
        header = {
            "version": CHECKPOINT_VERSION,
            "key": self.key,
            "seed": seed,
            "stage": stage,
            "epoch": epoch,
            "elapsed": elapsed,
            "history": [_json_losses(losses) for losses in history],
            "parts": values,
        }
        self._write(tensors, header)
        self._last_epoch, self._last_time = epoch, time.monotonic()

    def remove(self) -> None:
        """Delete the file (a finished training has no use for it)."""
        self.path.unlink(missing_ok=True)

    def _write(self, tensors: dict[str, torch.Tensor], header: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        os.close(fd)
        try:
            save_file(tensors, name, metadata={_HEADER_KEY: json.dumps(header)})
            os.replace(name, self.path)
        finally:
            Path(name).unlink(missing_ok=True)

    def _read(self) -> tuple[dict[str, Any] | None, dict[str, torch.Tensor] | None]:
        if not self.path.is_file():
            return None, None
        try:
            with safe_open(str(self.path), framework="pt") as handle:
                header = json.loads((handle.metadata() or {})[_HEADER_KEY])
                tensors = {key: handle.get_tensor(key) for key in list(handle.keys())}
        except Exception as error:  # a torn or foreign file: train from scratch
            logger.warning("ignoring unreadable checkpoint (%s)", type(error).__name__)
            return None, None
        if header.get("version") != CHECKPOINT_VERSION or header.get("key") != self.key:
            logger.info("the checkpoint belongs to another training; starting from epoch 0")
            return None, None
        return header, tensors


class ModuleState:
    """A network's weights (and buffers) as a checkpoint part."""

    def __init__(self, module: nn.Module) -> None:
        self.module = module

    def checkpoint_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        return {}, dict(self.module.state_dict())

    def restore_checkpoint_state(
        self, values: dict[str, Any], tensors: dict[str, torch.Tensor]
    ) -> None:
        self.module.load_state_dict(tensors, strict=True)


class TorchRandomState:
    """A ``torch.Generator``'s position in its stream."""

    def __init__(self, generator: torch.Generator) -> None:
        self.generator = generator

    def checkpoint_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        return {}, {"state": self.generator.get_state()}

    def restore_checkpoint_state(
        self, values: dict[str, Any], tensors: dict[str, torch.Tensor]
    ) -> None:
        self.generator.set_state(tensors["state"])


class NumpyRandomState:
    """A ``numpy.random.Generator``'s position in its stream (JSON: big integers)."""

    def __init__(self, generator: np.random.Generator) -> None:
        self.generator = generator

    def checkpoint_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        return {"state": self.generator.bit_generator.state}, {}

    def restore_checkpoint_state(
        self, values: dict[str, Any], tensors: dict[str, torch.Tensor]
    ) -> None:
        self.generator.bit_generator.state = values["state"]


class TrainingCheckpoint(NamedTuple):
    """What ``run_epochs`` needs to resume and save: the file, the parts, the fit's seed.

    ``stage`` numbers the training among those of one fit (see :attr:`Checkpoint.stage`).
    """

    file: Checkpoint
    parts: Mapping[str, Stateful]
    seed: int
    stage: int = 0


def training_key(model_type: str, options: Mapping[str, Any], data: pd.DataFrame) -> str:
    """What a checkpoint must match: the model type, its options and the table's content.

    Options that do not change what is learned (the device, the time budget) are left out,
    so a training moved to another device or given more time still resumes.
    """
    kept = {
        name: value
        for name, value in options.items()
        if name not in ("device", "max_training_seconds")
    }
    digest = hashlib.sha256()
    digest.update(json.dumps([model_type, kept], sort_keys=True, default=str).encode())
    digest.update(json.dumps([str(column) for column in data.columns]).encode())
    digest.update(pd.util.hash_pandas_object(data, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def fresh_seed() -> int:
    """A seed for a training that was given none, recorded so a resume can reuse it."""
    return secrets.randbelow(2**63)


def _json_losses(losses: dict[str, float]) -> dict[str, float | None]:
    return {name: value if math.isfinite(value) else None for name, value in losses.items()}


def _finite_losses(losses: dict[str, float | None]) -> dict[str, float]:
    return {name: float("nan") if value is None else float(value) for name, value in losses.items()}


__all__ = [
    "Checkpoint",
    "ModuleState",
    "NumpyRandomState",
    "Resumed",
    "Stateful",
    "TorchRandomState",
    "TrainingCheckpoint",
    "fresh_seed",
    "training_key",
]
