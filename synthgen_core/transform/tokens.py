"""TableTokenizer: a table <-> one integer token per learned column, exactly reversible.

The data layer of the autoregressive model. On top of
:class:`~synthgen_core.transform.codec.TableCodec` (which already turns every column into
numbers or codes, and back with the source's dtypes, formats and missing markers),
categorical and boolean columns keep their codes as tokens (missing is the last one) and
numerical and datetime columns become :mod:`~synthgen_core.transform.bins` tokens. Ids and
constants are not tokens: the codec regenerates and restores them. Decoding places each
binned value inside its bin by :mod:`~synthgen_core.transform.bin_copula`, so the numbers
of a row keep moving together inside the bins the tokens chose.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.errors import ConditionError, DataError, NotFittedError
from synthgen_core.metadata.metadata import Metadata
from synthgen_core.transform.bin_copula import BinCopula, fit_bin_copula, inside_bins
from synthgen_core.transform.bins import (
    MIN_BIN_ROWS,
    NumericBins,
    decode_bins,
    encode_bins,
    fit_bins,
    positions_in_bins,
    token_positions,
    tokens_in_range,
)
from synthgen_core.transform.codec import EncodedTable, TableCodec

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
FORMAT_VERSION = 1


class TokenizerState(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A fitted tokenizer as JSON-able data (stored in model files)."""

    format_version: int
    max_bins: int
    codec: dict[str, Any]
    bins: list[NumericBins]
    #: Absent in states written before the copula existed: values drawn independently.
    copula: BinCopula | None = None


class TableTokenizer:
    """Reversible table <-> ``(N, C)`` int64 tokens, one column per learned column."""

    def __init__(
        self,
        metadata: Metadata,
        *,
        max_bins: int = 100,
        copula: bool = True,
        min_bin_rows: int = MIN_BIN_ROWS,
    ) -> None:
        self.metadata = metadata
        self.max_bins = max_bins
        self.copula = copula
        self.min_bin_rows = min_bin_rows

    def fit(self, df: pd.DataFrame) -> TableTokenizer:
        """Fit the codec, the bins of every continuous column, then their copula."""
        self.codec_ = TableCodec(self.metadata).fit(df)
        encoded = self.codec_.encode(df)
        self.bins_ = {
            name: fit_bins(name, encoded.continuous[name], self.max_bins, self.min_bin_rows)
            for name in self.codec_.continuous_columns
        }
        self.copula_ = self._fit_copula(encoded) if self.copula else None
        return self

    @property
    def codec(self) -> TableCodec:
        self._check_fitted()
        return self.codec_

    @property
    def columns(self) -> list[str]:
        """The tokenized columns, in table order: token ``j`` of a row is ``columns[j]``."""
        return self.codec.learned_columns

    def same_tokens(self, other: TableTokenizer) -> bool:
        """Whether ``other`` turns every table into the same tokens as this one."""
        return self.columns == other.columns and self.bins_ == other.bins_

    @property
    def vocab_sizes(self) -> list[int]:
        """Distinct tokens of each column, in :attr:`columns` order."""
        return [self._vocab_size(name) for name in self.columns]

    def ordinal_positions(self) -> list[FloatArray | None]:
        """Per column, where each token sits on the column's axis.

        A rank in [0, 1], NaN for the missing token; None for columns whose tokens have no
        order (categories).
        """
        self._check_fitted()
        return [
            token_positions(self.bins_[name]) if name in self.bins_ else None
            for name in self.columns
        ]

    def encode(self, df: pd.DataFrame) -> IntArray:
        """The ``(N, C)`` tokens of ``df``."""
        encoded = self.codec.encode(df)
        if not self.columns:
            return np.zeros((encoded.n_rows, 0), dtype=np.int64)
        return np.stack([self._encode_column(name, encoded) for name in self.columns], axis=1)

    def bin_positions(self, df: pd.DataFrame) -> FloatArray:
        """``(N, C)`` where each binned value of ``df`` sits among the values of its bin.

        See :func:`~synthgen_core.transform.bins.positions_in_bins`; NaN outside bins.
        """
        encoded = self.codec.encode(df)
        positions = np.full((encoded.n_rows, len(self.columns)), np.nan)
        for j, name in enumerate(self.columns):
            if name in self.bins_:
                positions[:, j] = positions_in_bins(self.bins_[name], encoded.continuous[name])
        return positions

    def bin_tokens(self) -> list[tuple[int, int] | None]:
        """Per column, its first and last bin token; None where it has no bins."""
        self._check_fitted()
        spans: list[tuple[int, int] | None] = []
        for name in self.columns:
            bins = self.bins_.get(name)
            if bins is None or bins.n_bins == 0:
                spans.append(None)
            else:
                spans.append((bins.n_atoms, bins.n_atoms + bins.n_bins - 1))
        return spans

    def decode(
        self,
        tokens: npt.ArrayLike,
        rng: np.random.Generator,
        within: dict[str, tuple[float, float]] | None = None,
    ) -> pd.DataFrame:
        """The table of ``tokens`` ``(N, C)``.

        ``within`` holds continuous columns inside inclusive bounds on the codec's axis;
        their tokens must come from :meth:`tokens_in_range`.
        """
        within = within or {}
        matrix = np.asarray(tokens, dtype=np.int64)
        if matrix.ndim != 2 or matrix.shape[1] != len(self.columns):
            raise DataError(
                f"expected tokens of shape (N, {len(self.columns)}), got {matrix.shape}"
            )
        by_name = {name: matrix[:, j] for j, name in enumerate(self.columns)}
        placed: dict[str, FloatArray] = {}
        if self.copula_ is not None:
            placed = inside_bins(self.copula_, by_name, rng)
        continuous: dict[str, FloatArray] = {}
        discrete: dict[str, IntArray] = {}
        for name, column in by_name.items():
            if name in self.bins_:
                bounds = within.get(name, (-np.inf, np.inf))
                continuous[name] = decode_bins(
                    self.bins_[name], column, rng, bounds, placed.get(name)
                )
            else:
                discrete[name] = column
        encoded = EncodedTable(n_rows=len(matrix), continuous=continuous, discrete=discrete)
        return self.codec_.decode(encoded, rng)

    def token_of(self, column: str, value: float | int) -> int:
        """The token of one value: a category code, or a number on the codec's axis."""
        if column in self.bins_:
            return int(encode_bins(self.bins_[column], np.array([float(value)]))[0])
        return int(value)

    def tokens_in_range(self, column: str, low: float, high: float) -> BoolArray:
        """(V,) tokens of continuous ``column`` that decode into ``[low, high]`` (its axis)."""
        allowed = tokens_in_range(self.bins_[column], low, high)
        if not allowed.any():
            raise ConditionError(
                f"the model learned no values of column {column!r} within the range; it falls "
                "between values seen in training, widen it",
                column=column,
            )
        return allowed

    def to_dict(self) -> dict[str, Any]:
        state = TokenizerState(
            format_version=FORMAT_VERSION,
            max_bins=self.max_bins,
            codec=self.codec.to_dict(),
            bins=list(self.bins_.values()),
            copula=self.copula_,
        )
        out: dict[str, Any] = msgspec.to_builtins(state)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableTokenizer:
        try:
            state = msgspec.convert(data, TokenizerState)
        except msgspec.ValidationError as exc:
            raise DataError(f"invalid tokenizer state: {exc}") from exc
        if state.format_version > FORMAT_VERSION:
            raise DataError(
                f"tokenizer state format {state.format_version} is newer than this "
                f"SynthGen understands ({FORMAT_VERSION}); upgrade SynthGen"
            )
        codec = TableCodec.from_dict(state.codec)
        tokenizer = cls(codec.metadata, max_bins=state.max_bins, copula=state.copula is not None)
        tokenizer.codec_ = codec
        tokenizer.bins_ = {bins.name: bins for bins in state.bins}
        tokenizer.copula_ = state.copula
        return tokenizer

    def _fit_copula(self, encoded: EncodedTable) -> BinCopula | None:
        """The copula of every continuous column, exact values included.

        A column of exact values places nothing itself, but tells where the others sit.
        """
        values = {name: encoded.continuous[name] for name in self.bins_}
        return fit_bin_copula(
            {name: encode_bins(bins, values[name]) for name, bins in self.bins_.items()},
            {name: positions_in_bins(bins, values[name]) for name, bins in self.bins_.items()},
            {name: token_positions(bins) for name, bins in self.bins_.items()},
            np.random.default_rng(0),
        )

    def _encode_column(self, name: str, encoded: EncodedTable) -> IntArray:
        if name in self.bins_:
            return encode_bins(self.bins_[name], encoded.continuous[name])
        return encoded.discrete[name]

    def _vocab_size(self, name: str) -> int:
        if name in self.bins_:
            return self.bins_[name].vocab_size
        return self.codec_.discrete_info(name).n_codes

    def _check_fitted(self) -> None:
        if not hasattr(self, "codec_"):
            raise NotFittedError("the tokenizer is not fitted; call fit(df) first")
