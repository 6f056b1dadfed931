"""TableTransformer: a table <-> one float32 matrix for the neural models.

On top of :class:`~synthgen_core.transform.codec.TableCodec`, continuous columns get CTGAN's
mode-specific normalisation (arXiv 1907.00503, section 4.2; see ``continuous.py``) and
discrete codes a one-hot. The :class:`~synthgen_core.transform.layout.Layout` says which
slice of the matrix is which, so the generator can put tanh or softmax on each.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.errors import ConditionError, ConfigError, DataError, NotFittedError
from synthgen_core.metadata.metadata import Metadata
from synthgen_core.rng import Seed, numpy_rng
from synthgen_core.transform.codec import DiscreteColumn, EncodedTable, TableCodec
from synthgen_core.transform.continuous import (
    MODE_CHOICES,
    ContinuousState,
    ModeChoice,
    decode_continuous,
    encode_continuous,
    fit_continuous,
)
from synthgen_core.transform.layout import Layout, Span

FloatArray = npt.NDArray[np.float64]
FORMAT_VERSION = 1


class TransformerState(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A fitted transformer as JSON-able data (stored in model files)."""

    format_version: int
    max_modes: int
    weight_threshold: float
    mixture_sample_rows: int
    seed: int | None
    codec: dict[str, Any]
    continuous: list[ContinuousState]
    mode_choice: ModeChoice = "sample"  # states written before the option existed sampled


class TableTransformer:
    """Reversible table <-> ``(N, D)`` float32 matrix (see module docstring)."""

    def __init__(
        self,
        metadata: Metadata,
        *,
        max_modes: int = 10,
        weight_threshold: float = 0.005,
        mixture_sample_rows: int = 50_000,
        seed: Seed = 0,
        mode_choice: ModeChoice = "sample",
    ) -> None:
        """``mode_choice``: how a value that several modes reach gets one of them.

        ``"sample"`` (the paper's) or ``"likeliest"``; see
        :mod:`~synthgen_core.transform.continuous` for when each fits.
        """
        self.metadata = metadata
        self.max_modes = max_modes
        self.weight_threshold = weight_threshold
        self.mixture_sample_rows = mixture_sample_rows
        self.seed = seed
        self.mode_choice = mode_choice

    def fit(self, df: pd.DataFrame) -> TableTransformer:
        """Fit the codec, then one mixture per continuous column."""
        self._check_options()
        self.codec_ = TableCodec(self.metadata).fit(df)
        encoded = self.codec_.encode(df)
        rng = numpy_rng(self.seed)
        self.continuous_ = {
            name: fit_continuous(
                name,
                encoded.continuous[name],
                max_modes=self.max_modes,
                weight_threshold=self.weight_threshold,
                sample_rows=self.mixture_sample_rows,
                rng=rng,
            )
            for name in self.codec_.continuous_columns
        }
        self.layout_ = self._build_layout()
        return self

    def fit_transform(self, df: pd.DataFrame) -> npt.NDArray[np.float32]:
        return self.fit(df).transform(df)

    @property
    def layout(self) -> Layout:
        """What each slice of the encoded matrix means."""
        self._check_fitted()
        return self.layout_

    @property
    def codec(self) -> TableCodec:
        """The fitted codec underneath (category frequencies, column lists)."""
        self._check_fitted()
        return self.codec_

    @property
    def output_dimensions(self) -> int:
        return self.layout.width

    def transform(self, df: pd.DataFrame) -> npt.NDArray[np.float32]:
        """The ``(N, D)`` matrix; mode draws are seeded, so this is deterministic."""
        self._check_fitted()
        encoded = self.codec_.encode(df)
        rng = numpy_rng(self.seed)
        blocks = [self._encode_column(name, encoded, rng) for name in self.codec_.learned_columns]
        if not blocks:  # only ids and constants: nothing to learn
            return np.zeros((encoded.n_rows, 0), dtype=np.float32)
        return np.concatenate(blocks, axis=1).astype(np.float32)  # (N, D)

    def inverse_transform(self, matrix: npt.ArrayLike, rng: np.random.Generator) -> pd.DataFrame:
        """The table from generator output after activations (one-hots may be soft)."""
        self._check_fitted()
        data = np.asarray(matrix)
        if data.dtype not in (np.float32, np.float64):  # float32 stays: argmax needs no copy
            data = data.astype(np.float64)
        if data.ndim != 2 or data.shape[1] != self.layout_.width:
            raise DataError(
                f"expected a matrix of shape (N, {self.layout_.width}), "
                f"got {data.shape}; pass the generator output unchanged"
            )
        continuous: dict[str, FloatArray] = {}
        discrete: dict[str, npt.NDArray[np.int64]] = {}
        for name in self.codec_.learned_columns:
            spans = self.layout_.spans_of(name)
            block = data[:, spans[0].start : spans[-1].end]
            if name in self.continuous_:
                continuous[name] = decode_continuous(self.continuous_[name], block)
            else:
                discrete[name] = _argmax_rows(block)
        encoded = EncodedTable(n_rows=len(data), continuous=continuous, discrete=discrete)
        return self.codec_.decode(encoded, rng)

    def category_index(self, column: str, value: Any) -> int:
        """Where ``value`` sits inside ``column``'s one-hot span.

        None/NaN or one of the source's marker strings mean the missing category.
        """
        self._check_fitted()
        if column not in self.codec_.discrete_columns:
            raise ConditionError(
                f"{column!r} is not a discrete column; conditions on "
                f"categories take one of {self.codec_.discrete_columns[:10]}"
            )
        info = self.codec_.discrete_info(column)
        index = _find_category(info, self.codec_.metadata_.column(column).missing_markers, value)
        if index is None:
            shown = ", ".join(repr(c) for c in info.categories[:5])
            more = f" and {len(info.categories) - 5} more" if len(info.categories) > 5 else ""
            raise ConditionError(
                f"{value!r} is not a category of column {column!r}; "
                f"valid values include {shown}{more}"
            )
        return index

    def to_dict(self) -> dict[str, Any]:
        self._check_fitted()
        state = TransformerState(
            format_version=FORMAT_VERSION,
            max_modes=self.max_modes,
            weight_threshold=self.weight_threshold,
            mixture_sample_rows=self.mixture_sample_rows,
            seed=self.seed,
            codec=self.codec_.to_dict(),
            continuous=list(self.continuous_.values()),
            mode_choice=self.mode_choice,
        )
        out: dict[str, Any] = msgspec.to_builtins(state)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableTransformer:
        try:
            state = msgspec.convert(data, TransformerState)
        except msgspec.ValidationError as exc:
            raise DataError(f"invalid transformer state: {exc}") from exc
        if state.format_version > FORMAT_VERSION:
            raise DataError(
                f"transformer state format {state.format_version} is newer than "
                f"this SynthGen understands ({FORMAT_VERSION}); upgrade SynthGen"
            )
        codec = TableCodec.from_dict(state.codec)
        out = cls(
            codec.metadata,
            max_modes=state.max_modes,
            weight_threshold=state.weight_threshold,
            mixture_sample_rows=state.mixture_sample_rows,
            seed=state.seed,
            mode_choice=state.mode_choice,
        )
        out.codec_ = codec
        out.continuous_ = {s.name: s for s in state.continuous}
        out.layout_ = out._build_layout()
        return out

    def _encode_column(
        self, name: str, encoded: EncodedTable, rng: np.random.Generator
    ) -> FloatArray:
        if name in self.continuous_:
            return encode_continuous(
                self.continuous_[name], encoded.continuous[name], rng, self.mode_choice
            )
        codes = encoded.discrete[name]
        block = np.zeros((encoded.n_rows, self.codec_.discrete_info(name).n_codes))
        block[np.arange(encoded.n_rows), codes] = 1.0
        return block

    def _build_layout(self) -> Layout:
        spans: list[Span] = []
        for name in self.codec_.learned_columns:
            start = spans[-1].end if spans else 0
            if name in self.continuous_:
                spans.extend(_continuous_spans(self.continuous_[name], start))
            else:
                width = self.codec_.discrete_info(name).n_codes
                spans.append(
                    Span(
                        column=name, start=start, width=width, activation="softmax", role="category"
                    )
                )
        return Layout(spans=tuple(spans))

    def _check_options(self) -> None:
        if not isinstance(self.max_modes, int) or self.max_modes < 1:
            raise ConfigError(f"max_modes must be an integer >= 1, got {self.max_modes!r}")
        if not 0.0 <= self.weight_threshold < 1.0:
            raise ConfigError(
                f"weight_threshold must be within [0, 1), got {self.weight_threshold!r}"
            )
        if not isinstance(self.mixture_sample_rows, int) or self.mixture_sample_rows < 1:
            raise ConfigError(
                f"mixture_sample_rows must be an integer >= 1, got {self.mixture_sample_rows!r}"
            )
        if self.mode_choice not in MODE_CHOICES:
            raise ConfigError(
                f"mode_choice must be one of {', '.join(MODE_CHOICES)}, got {self.mode_choice!r}"
            )

    def _check_fitted(self) -> None:
        if not hasattr(self, "layout_"):
            raise NotFittedError("the transformer is not fitted; call fit(df) first")


def _continuous_spans(state: ContinuousState, start: int) -> list[Span]:
    spans = [
        Span(column=state.name, start=start, width=1, activation="tanh", role="value"),
        Span(
            column=state.name,
            start=start + 1,
            width=state.n_modes,
            activation="softmax",
            role="mode",
        ),
    ]
    if state.has_missing:
        spans.append(
            Span(
                column=state.name,
                start=start + 1 + state.n_modes,
                width=2,
                activation="softmax",
                role="missing",
            )
        )
    return spans


def _argmax_rows(block: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.int64]:
    """``np.argmax(block, axis=1)``, faster on the column-major blocks the models sample.

    There a running maximum streams each of the span's few contiguous columns once, where
    ``argmax`` hops between them row by row. A NaN stops the running maximum, so rows
    holding one take ``argmax`` itself (which picks the first NaN).
    """
    if not block.flags.f_contiguous or block.shape[1] == 0:
        plain: npt.NDArray[np.int64] = np.argmax(block, axis=1).astype(np.int64)
        return plain
    best = block[:, 0].copy()  # (N,) the largest value so far
    index = np.zeros(len(block), dtype=np.int64)
    better = np.empty(len(block), dtype=bool)
    for position in range(1, block.shape[1]):
        np.greater(block[:, position], best, out=better)  # strictly: ties keep the first
        np.copyto(index, position, where=better)
        np.maximum(best, block[:, position], out=best)
    stopped = np.isnan(best)
    if stopped.any():
        index[stopped] = np.argmax(block[stopped], axis=1)
    return index


def _find_category(info: DiscreteColumn, markers: dict[str, float], value: Any) -> int | None:
    """The code of ``value`` (per category, not per row: categories are few)."""
    if isinstance(value, np.generic):
        value = value.item()
    is_missing = value is None or (isinstance(value, float) and np.isnan(value))
    if is_missing or (isinstance(value, str) and value in markers):
        return len(info.categories) if info.has_missing else None
    for code, category in enumerate(info.categories):
        if category == value and isinstance(category, str) == isinstance(value, str):
            return code
    return None
