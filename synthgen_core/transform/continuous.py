"""Mode-specific normalisation of one continuous column (arXiv 1907.00503, section 4.2).

A value ``x`` drawn from mode ``k`` of the column's Gaussian mixture is written as the pair
``(alpha, one-hot(k))`` with ``alpha = (x - mu_k) / (4 sigma_k)`` clipped to ``[-1, 1]``, so a
tanh output and a softmax output can produce it. A column with missing cells gets a two-wide
``(present, missing)`` one-hot after the mode.

Where modes overlap, a value could come from more than one, and the encoding has to pick:

* ``"sample"``: draw the mode from the value's posterior over modes, as the paper does. A
  GAN's critic judges whole rows, so the generator learns that either mode is used near
  the boundary, which keeps it soft instead of carving the column into hard intervals.
* ``"likeliest"``: the posterior's argmax. An autoencoder learns ``alpha`` by regression:
  given random modes, one value has several targets, the decoder predicts their average,
  and that average belongs to none of the modes, so decoded values land far from where
  they were meant to be. TVAE encodes so (see :mod:`synthgen_core.models.tvae.model`).
"""

from __future__ import annotations

from typing import Any, Literal, get_args

import msgspec
import numpy as np
import numpy.typing as npt

from synthgen_core.transform.mixture import cover, fit_modes

FloatArray = npt.NDArray[np.float64]
#: alpha = (x - mu) / (SPREAD * sigma): four standard deviations span the tanh range.
SPREAD = 4.0
#: Rows per chunk when choosing modes.
CHUNK_ROWS = 65_536

#: How :func:`encode_continuous` picks the mode of a value that several modes reach.
ModeChoice = Literal["sample", "likeliest"]
MODE_CHOICES: tuple[ModeChoice, ...] = get_args(ModeChoice)


class ContinuousState(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The fitted modes of one column (plain lists: this goes into model files)."""

    name: str
    weights: list[float]
    means: list[float]
    stds: list[float]
    has_missing: bool
    #: Per mode: it stands for one exact value (a point mass, or a column of few distinct
    #: values), which decoding writes back exactly. Empty in files that predate it.
    exact: list[bool] = msgspec.field(default_factory=list)

    @property
    def n_modes(self) -> int:
        return len(self.weights)

    @property
    def width(self) -> int:
        """Encoded width: value + mode one-hot (+ missing indicator)."""
        return 1 + self.n_modes + 2 * int(self.has_missing)


def fit_continuous(
    name: str,
    values: FloatArray,
    *,
    max_modes: int,
    weight_threshold: float,
    sample_rows: int,
    rng: np.random.Generator,
) -> ContinuousState:
    """Modes of ``values`` (NaN = missing), fitted on at most ``sample_rows`` of them."""
    missing = np.isnan(values)
    present = values[~missing]
    sample = present
    if present.size > sample_rows:
        sample = rng.choice(present, size=sample_rows, replace=False)
    if present.size == 0:  # an all-missing column: one harmless mode
        weights, means, stds, exact = [1.0], [0.0], [1.0], [False]
    else:
        modes = cover(fit_modes(sample, max_modes, weight_threshold), present, SPREAD * 0.999)
        weights, means, stds = modes.weights.tolist(), modes.means.tolist(), modes.stds.tolist()
        exact = modes.exact.tolist()
    return ContinuousState(
        name=name,
        weights=weights,
        means=means,
        stds=stds,
        has_missing=bool(missing.any()),
        exact=exact,
    )


def encode_continuous(
    state: ContinuousState,
    values: FloatArray,
    rng: np.random.Generator,
    mode_choice: ModeChoice = "sample",
) -> FloatArray:
    """The ``(N, width)`` block: alpha, mode one-hot, then (present, missing) if any."""
    means, stds = np.asarray(state.means), np.asarray(state.stds)
    missing = np.isnan(values)
    filled = np.where(missing, means[0], values)  # missing rows: heaviest mode, alpha 0
    modes = _choose_modes(state, filled, rng, mode_choice)  # (N,)
    alpha = np.clip((filled - means[modes]) / (SPREAD * stds[modes]), -1.0, 1.0)
    block = np.zeros((len(values), state.width))
    block[:, 0] = alpha
    block[np.arange(len(values)), 1 + modes] = 1.0
    if state.has_missing:
        block[:, 1 + state.n_modes + 1] = missing
        block[:, 1 + state.n_modes] = ~missing
    return block


def decode_continuous(state: ContinuousState, block: npt.NDArray[np.floating[Any]]) -> FloatArray:
    """Values back from a block of generator output (probabilities are argmaxed).

    ``block`` may be float32 (generator output): only the alpha column is widened.
    """
    means, stds = np.asarray(state.means), np.asarray(state.stds)
    alpha = np.clip(block[:, 0].astype(np.float64), -1.0, 1.0)
    modes = np.argmax(block[:, 1 : 1 + state.n_modes], axis=1)
    values: FloatArray = alpha * (SPREAD * stds)[modes] + means[modes]
    if state.exact:  # an exact mode's value, not a neighbour a hair away (all float digits)
        values = np.where(np.asarray(state.exact, dtype=bool)[modes], means[modes], values)
    if state.has_missing:
        indicator = block[:, 1 + state.n_modes : 1 + state.n_modes + 2]
        values[np.argmax(indicator, axis=1) == 1] = np.nan
    return values


def _choose_modes(
    state: ContinuousState, values: FloatArray, rng: np.random.Generator, mode_choice: ModeChoice
) -> npt.NDArray[np.int64]:
    """One mode per value, drawn from or maximising its posterior p(k | x) (see module).

    Only modes that can encode the value without clipping are considered (when one can).
    Rows go in chunks so that the (rows, modes) temporaries stay small on large tables.
    """
    draws = rng.random(len(values)) if mode_choice == "sample" else None
    chunks = [
        _choose_chunk(
            state,
            values[start : start + CHUNK_ROWS],
            None if draws is None else draws[start : start + CHUNK_ROWS],
        )
        for start in range(0, len(values), CHUNK_ROWS)
    ]
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)


def _choose_chunk(
    state: ContinuousState, values: FloatArray, uniforms: FloatArray | None
) -> npt.NDArray[np.int64]:
    """Modes of one chunk: inverse-CDF draws with ``uniforms``, the argmax without."""
    weights, means, stds = (np.asarray(a) for a in (state.weights, state.means, state.stds))
    z = (values[:, None] - means[None, :]) / stds[None, :]  # (N, K)
    log_post = np.log(weights)[None, :] - np.log(stds)[None, :] - 0.5 * z**2
    reachable = np.abs(z) <= SPREAD
    log_post = np.where(reachable | ~reachable.any(axis=1, keepdims=True), log_post, -np.inf)
    if uniforms is None:
        likeliest: npt.NDArray[np.int64] = np.argmax(log_post, axis=1)
        return likeliest
    log_post -= log_post.max(axis=1, keepdims=True)
    post = np.exp(log_post)
    cumulative = np.cumsum(post, axis=1) / post.sum(axis=1, keepdims=True)  # (N, K)
    below = (cumulative < uniforms[:, None]).sum(axis=1)
    chosen: npt.NDArray[np.int64] = np.minimum(below, state.n_modes - 1)
    return chosen
