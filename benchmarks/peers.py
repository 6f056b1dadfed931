"""The peer implementation measured beside SynthGen: SDV 2.x single-table synthesizers.

SDV is BSL-licensed and only an optional benchmark dependency, so this is the one module
that imports it, and only when a run asks for ``--peers sdv``. Each SynthGen model type maps
to the SDV synthesizer of the same design, built with the same epochs, device and metadata
(SDV's metadata is written from SynthGen's column kinds, so both model the same columns).
SDV draws from PyTorch's and NumPy's global generators, so they are seeded here, in the
peer's own benchmark process, to make its runs repeatable too. SDV saves with cloudpickle;
the file is only measured, never loaded back.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd

from benchmarks.measure import Measurement, RunSpec, sdmetrics_metadata
from synthgen_core.metadata import Metadata

PEERS = ("sdv",)
TABLE = "table"
SDV_CLASSES = {
    "gaussian_copula": "GaussianCopulaSynthesizer",
    "ctgan": "CTGANSynthesizer",
    "copulagan": "CopulaGANSynthesizer",
    "tvae": "TVAESynthesizer",
    # SDV has no autoregressive synthesizer: its CTGAN, the usual default, is the yardstick
    # (the tables name it "SDV CTGAN").
    "autoregressive": "CTGANSynthesizer",
}


def fit_key(spec: RunSpec) -> bytes:
    """What a peer's run fits: two SynthGen models with one SDV counterpart share its fit.

    SDV's CTGAN stands beside both ``ctgan`` and ``autoregressive``; a grid asking for both
    would otherwise fit the same synthesizer twice (about 20 minutes on adult at 300 epochs).
    SynthGen's own options never reach the peer, so they are not part of what it fits.
    """
    synthesizer = SDV_CLASSES.get(spec.model, spec.model)
    same = msgspec.structs.replace(spec, model=synthesizer, options={}, plot_path=None)
    return msgspec.json.encode(same, order="sorted")


def shared_fit(measured: Measurement, spec: RunSpec) -> Measurement:
    """``measured``, the peer's run for another model, as the row of ``spec``'s model."""
    note = f"the {SDV_CLASSES[spec.model]} fit of this run's {measured.model} row, measured once"
    return msgspec.structs.replace(
        measured, model=spec.model, spec=spec, notes=[*measured.notes, note]
    )


class SDVCandidate:
    """An SDV synthesizer driven through the benchmark's Candidate protocol."""

    def __init__(self, spec: RunSpec) -> None:
        if spec.model not in SDV_CLASSES:
            raise SystemExit(f"SDV has no counterpart of {spec.model!r}")
        warnings.simplefilter("ignore")  # SDV's deprecation and fitting chatter
        import numpy as np
        import torch
        from sdv import single_table

        self.spec = spec
        self.cls = getattr(single_table, SDV_CLASSES[spec.model])
        self.options: dict[str, Any] = {}
        if spec.model != "gaussian_copula":
            self.options["enable_gpu"] = spec.device != "cpu"
            if spec.epochs is not None:
                self.options["epochs"] = spec.epochs
        torch.manual_seed(spec.seed)
        np.random.seed(spec.seed)  # noqa: NPY002 - SDV reads NumPy's global generator
        self.synthesizer: Any = None

    def fit(self, train: pd.DataFrame, metadata: Metadata) -> None:
        from sdv.metadata import Metadata as SDVMetadata

        sdv_metadata = SDVMetadata.load_from_dict({"tables": {TABLE: sdmetrics_metadata(metadata)}})
        self.synthesizer = self.cls(sdv_metadata, **self.options)
        self.synthesizer.fit({TABLE: train})  # SDV 2 takes {table name: frame}

    def sample(self, num_rows: int, seed: int) -> pd.DataFrame:
        sampled = self.synthesizer.sample(num_rows)
        frame: pd.DataFrame = sampled[TABLE] if isinstance(sampled, dict) else sampled
        return frame

    def save(self, path: Path) -> int:
        self.synthesizer.save(str(path))
        return path.stat().st_size

    def loss_history(self) -> list[dict[str, float]]:
        """Per-epoch mean of every loss SDV logged (it logs per batch for TVAE)."""
        if not hasattr(self.synthesizer, "get_loss_values"):
            return []
        losses = self.synthesizer.get_loss_values()
        losses = losses.drop(columns=[c for c in ("Batch",) if c in losses.columns])
        per_epoch = losses.groupby("Epoch", sort=True).mean()
        return [{str(k): float(v) for k, v in row.items()} for row in per_epoch.to_dict("records")]

    def epochs_run(self) -> int | None:
        if self.spec.model == "gaussian_copula":
            return None
        return len(self.loss_history()) or self.options.get("epochs")

    def train_seconds_per_epoch(self) -> float | None:
        return None  # SDV reports no per-epoch timing


def peer_candidate(spec: RunSpec) -> SDVCandidate:
    if spec.implementation != "sdv":
        raise SystemExit(f"unknown peer {spec.implementation!r}; choose from {', '.join(PEERS)}")
    return SDVCandidate(spec)
