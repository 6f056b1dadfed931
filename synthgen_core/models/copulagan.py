"""CopulaGAN: CTGAN trained on the table's Gaussian-copula scores.

Every numerical and datetime column is first mapped to normal scores ``z = Phi^-1(F(x))``
through a univariate marginal ``F`` fitted as the Gaussian Copula model fits it
(:func:`~synthgen_core.models.gaussian_copula.marginals.fit_marginal`: closed-form or
empirical fits on a capped sample). Skewed, heavy-tailed or bounded columns become
bell-shaped, which suits the GAN's mode-specific normalisation; CTGAN (the very same
training code, by inheritance) then learns the table of scores, and sampling maps each
generated score back through ``F^-1`` and restores the column's dtype, format and range.
Discrete, id and constant columns pass through CTGAN unchanged.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import pandas as pd

from synthgen_core.kinds import kind_of
from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata
from synthgen_core.models.base import ModelState
from synthgen_core.models.config import CopulaGANConfig
from synthgen_core.models.ctgan.model import CTGAN
from synthgen_core.models.gaussian_copula.marginals import Marginal, fit_marginal
from synthgen_core.transform.codec import TableCodec


class CopulaColumn(msgspec.Struct, frozen=True, kw_only=True):
    """One column seen through its marginal: the source spec (to restore it) and ``F``."""

    spec: ColumnSpec
    marginal: Marginal


class CopulaGAN(CTGAN):
    """CTGAN on normal scores; options in :class:`~synthgen_core.models.config.CopulaGANConfig`."""

    model_type = "copulagan"
    config_type = CopulaGANConfig
    config: CopulaGANConfig

    def _encode_table(
        self, data: pd.DataFrame, metadata: Metadata, rng: np.random.Generator
    ) -> tuple[pd.DataFrame, Metadata]:
        codec = TableCodec(metadata).fit(data)
        encoded = codec.encode(data)
        table = data.copy(deep=False)
        specs: list[ColumnSpec] = []
        columns: dict[str, CopulaColumn] = {}
        for spec in codec.metadata_.columns:
            if kind_of(spec).family != "continuous":
                specs.append(metadata.column(spec.name))
                continue
            values = encoded.continuous[spec.name]  # (N,) NaN where missing
            present = ~np.isnan(values)
            marginal = fit_marginal(values[present], self.config.numerical_distribution, rng)
            columns[spec.name] = CopulaColumn(spec=spec, marginal=marginal)
            table[spec.name] = _apply(marginal.to_normal, values)
            specs.append(ColumnSpec(name=spec.name, kind=ColumnKind.NUMERICAL, dtype="float64"))
        self.copula_columns_ = columns
        return table, Metadata(columns=specs)

    def _decode_table(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        for name, column in self.copula_columns_.items():
            scores = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
            values = _apply(column.marginal.from_normal, scores)  # (N,) NaN where missing
            spec = column.spec
            frame[name] = kind_of(spec).decode(spec, values, len(values), rng, None)
        return frame

    def _get_state(self) -> ModelState:
        state = super()._get_state()
        state.values["copula_columns"] = msgspec.to_builtins(list(self.copula_columns_.values()))
        return state

    def _set_state(self, state: ModelState) -> None:
        super()._set_state(state)
        try:
            columns = msgspec.convert(state.values["copula_columns"], list[CopulaColumn])
        except msgspec.ValidationError as error:
            raise ValueError(f"invalid copula columns: {error}") from None
        self.copula_columns_ = {column.spec.name: column for column in columns}


def _apply(transform: Any, values: np.ndarray) -> np.ndarray:
    """``transform`` on the present values of ``values`` (N,), NaN kept where missing."""
    out = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    out[present] = transform(values[present])
    return out
