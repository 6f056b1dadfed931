"""A continuous column as one discrete token: exact values, or quantile bins.

Values that repeat keep exact tokens, the rest fall into quantile bins, and a fine quantile
grid inside each bin brings the marginal back exact.

Autoregressive models (TabularARGN, arXiv 2501.12012; ORiGAMi, arXiv 2603.01444) predict
every column as a categorical distribution. A number becomes a token in three ways:

* a column with at most ``max_bins`` distinct values, most rows sharing theirs with
  another row, keeps each value as a token (adult's ``age`` has 73): nothing is lost. A
  value seen once is no category: on a table of a few dozen rows, an exact token for every
  value let the model rebuild training rows (on statsmodels' heart, 55 rows, 2-4% of the
  synthetic rows were exact copies; binned, none);
* otherwise a value repeated in many rows (a point mass: the 0 of a mostly-zero amount,
  40 hours a week) keeps an exact token of its own, as in the mixture's point masses
  (:mod:`~synthgen_core.transform.mixture`);
* the other values fall into quantile bins of equal mass.

Decoding a bin draws a value from the values the bin held in training, by inverse CDF over
:data:`GRID_POINTS` of their quantiles with linear interpolation, so the whole marginal is
reproduced to ``1 / (bins * GRID_POINTS)`` of its mass without storing or copying the
values themselves. Missing values are one more token.

A range condition ``[low, high]`` keeps the tokens whose values reach into it
(:func:`tokens_in_range`), and decoding draws inside a bin by inverse CDF between the
bin's CDF at ``low`` and at ``high``: the bin's own distribution truncated to the range.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from synthgen_core.transform.mixture import MIN_ATOM_ROWS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Quantile points stored per bin (its inverse CDF, piecewise linear between them).
GRID_POINTS = 17
#: A bin holds at least this many training values by default: a table of 500 rows gets 25
#: bins. Small tables may bin more coarsely (``AutoregressiveConfig.bin_rows``).
MIN_BIN_ROWS = 20


class NumericBins(msgspec.Struct, frozen=True, kw_only=True):
    """A fitted continuous column as tokens: ``[atoms..., bins..., missing?]``."""

    name: str
    #: Exact values, ascending: token ``i`` is ``atoms[i]``.
    atoms: list[float]
    #: Bin edges, ascending: bin ``k`` (token ``len(atoms) + k``) holds ``[e_k, e_k+1)``.
    edges: list[float]
    #: (bins, GRID_POINTS) quantiles of the training values inside each bin.
    grid: list[list[float]]
    has_missing: bool

    @property
    def n_atoms(self) -> int:
        return len(self.atoms)

    @property
    def n_bins(self) -> int:
        return len(self.grid)

    @property
    def vocab_size(self) -> int:
        return self.n_atoms + self.n_bins + int(self.has_missing)

    @property
    def missing_token(self) -> int | None:
        return self.n_atoms + self.n_bins if self.has_missing else None


def fit_bins(
    name: str, values: FloatArray, max_bins: int, min_bin_rows: int = MIN_BIN_ROWS
) -> NumericBins:
    """Tokens for ``values`` (NaN where missing); see the module docstring.

    Each bin holds at least ``min_bin_rows`` values (or all of them, in one bin).
    """
    present = values[~np.isnan(values)]
    distinct, counts = np.unique(present, return_counts=True)
    repeated = counts[counts > 1].sum() * 2 >= present.size  # most rows share their value
    few = len(distinct) <= max_bins and bool(repeated)
    atoms = distinct if few else distinct[_point_masses(counts, max_bins)]
    rest = present[~np.isin(present, atoms)]
    edges, grid = _quantile_bins(rest, max_bins - len(atoms), min_bin_rows)
    return NumericBins(
        name=name,
        atoms=atoms.tolist(),
        edges=edges.tolist(),
        grid=grid.tolist(),
        has_missing=bool(np.isnan(values).any()),
    )


def encode_bins(bins: NumericBins, values: FloatArray) -> IntArray:
    """(N,) tokens of ``values``; a value outside the bins goes to the nearest one."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    if missing.any() and not bins.has_missing:
        raise ValueError(f"column {bins.name!r} had no missing values in training")
    tokens = np.full(len(values), bins.missing_token or 0, dtype=np.int64)
    present = values[~missing]
    atoms = np.asarray(bins.atoms)
    found = np.searchsorted(atoms, present).clip(0, max(bins.n_atoms - 1, 0))
    exact = (atoms[found] == present) if bins.n_atoms else np.zeros(len(present), dtype=bool)
    if bins.n_bins == 0 and not exact.all():  # only atoms: the nearest one
        found = _nearest(atoms, present)
        exact[:] = True
    chosen = np.where(exact, found, bins.n_atoms + _bin_of(bins, present))
    tokens[~missing] = chosen
    return tokens


def decode_bins(
    bins: NumericBins,
    tokens: IntArray,
    rng: np.random.Generator,
    within: tuple[float, float] = (-np.inf, np.inf),
    uniforms: FloatArray | None = None,
) -> FloatArray:
    """(N,) values of ``tokens``: atoms exactly, bins by their within-bin quantiles.

    Bin values are drawn inside ``within`` (inclusive), which every token must reach into
    (see :func:`tokens_in_range`). ``uniforms`` (N,) in [0, 1), when given, place each
    value inside its bin instead of fresh draws from ``rng`` (see :mod:`.bin_copula`).
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    out = np.full(len(tokens), np.nan)
    is_atom = tokens < bins.n_atoms
    out[is_atom] = np.asarray(bins.atoms)[tokens[is_atom]]
    in_bin = (tokens >= bins.n_atoms) & (tokens < bins.n_atoms + bins.n_bins)
    if in_bin.any():
        chosen = rng.random(int(in_bin.sum())) if uniforms is None else uniforms[in_bin]
        out[in_bin] = _draw_in_bins(bins, tokens[in_bin] - bins.n_atoms, chosen, within)
    return out


def tokens_in_range(bins: NumericBins, low: float, high: float) -> npt.NDArray[np.bool_]:
    """(V,) the tokens that can decode to a value in ``[low, high]``; never missing.

    An atom is its value; a bin spans the least to the greatest training value it held
    (its grid's ends), which is where its draws fall.
    """
    atoms = np.asarray(bins.atoms, dtype=np.float64)
    grid = np.asarray(bins.grid, dtype=np.float64).reshape(bins.n_bins, GRID_POINTS)
    in_atoms = (atoms >= low) & (atoms <= high)
    in_bins = (grid[:, 0] <= high) & (grid[:, -1] >= low)
    return np.concatenate([in_atoms, in_bins, np.zeros(int(bins.has_missing), dtype=bool)])


def token_positions(bins: NumericBins) -> FloatArray:
    """(V,) where each token sits on the column's axis, as a rank in [0, 1]; NaN: missing.

    Atoms and bins interleave by value (an atom at 0 comes before the bins of positive
    amounts), so neighbouring tokens are neighbouring values.
    """
    starts = np.concatenate([np.asarray(bins.atoms), np.asarray(bins.edges[:-1])])
    ranks = np.empty(len(starts))
    ranks[np.argsort(starts, kind="stable")] = np.arange(len(starts))
    positions = ranks / max(len(starts) - 1, 1)
    return np.append(positions, np.nan) if bins.has_missing else positions


def positions_in_bins(bins: NumericBins, values: FloatArray) -> FloatArray:
    """(N,) where each value sits among the ``values`` of its bin: ``(rank + 0.5) / rows``.

    The rank counts the values of the same bin below it (ties in the order given), so the
    positions of a bin's values spread evenly over (0, 1). NaN for atoms and missing
    values, which have no place inside a bin. Training noise on these positions moves a
    value across its bin's edge in proportion to how near the edge it lies
    (:mod:`synthgen_core.models.autoregressive.jitter`).
    """
    values = np.asarray(values, dtype=np.float64)
    tokens = encode_bins(bins, values)
    positions = np.full(len(values), np.nan)
    in_bin = (tokens >= bins.n_atoms) & (tokens < bins.n_atoms + bins.n_bins)
    which, binned = tokens[in_bin], values[in_bin]
    order = np.lexsort((binned, which))  # by bin, then by value
    sorted_bins = which[order]
    starts = np.searchsorted(sorted_bins, sorted_bins, side="left")
    rows = np.searchsorted(sorted_bins, sorted_bins, side="right") - starts
    ranks = np.arange(len(order)) - starts
    placed = np.empty(len(order))
    placed[order] = (ranks + 0.5) / rows
    positions[in_bin] = placed
    return positions


def bins_from_dict(data: dict[str, Any]) -> NumericBins:
    return msgspec.convert(data, NumericBins)


def _point_masses(counts: IntArray, max_bins: int) -> npt.NDArray[np.bool_]:
    """Values holding more than half a bin's share of the rows (and MIN_ATOM_ROWS rows).

    Spread over a bin, such a value would become a cloud of values the data never hold.
    """
    threshold = max(MIN_ATOM_ROWS, counts.sum() / (2 * max_bins))
    heavy: npt.NDArray[np.bool_] = counts >= threshold
    if heavy.sum() >= max_bins:  # keep one bin for the others
        keep = np.argsort(-counts, kind="stable")[: max_bins - 1]
        heavy = np.zeros(len(counts), dtype=bool)
        heavy[keep] = True
    return heavy


def _quantile_bins(
    rest: FloatArray, max_bins: int, min_bin_rows: int
) -> tuple[FloatArray, FloatArray]:
    """Edges (B + 1,) and within-bin grids (B, GRID_POINTS) of equal-mass bins of ``rest``."""
    if rest.size == 0:
        return np.zeros(0), np.zeros((0, GRID_POINTS))
    n_bins = int(np.clip(rest.size // min_bin_rows, 1, max(max_bins, 1)))
    edges = np.unique(np.quantile(rest, np.linspace(0.0, 1.0, n_bins + 1)))
    if len(edges) == 1:  # one value left: one degenerate bin
        edges = np.repeat(edges, 2)
    which = np.searchsorted(edges, rest, side="right").clip(1, len(edges) - 1) - 1
    order = np.argsort(which, kind="stable")
    grouped = np.split(rest[order], np.searchsorted(which[order], np.arange(1, len(edges) - 1)))
    levels = np.linspace(0.0, 1.0, GRID_POINTS)
    grid = np.stack(
        [
            np.quantile(g, levels) if g.size else np.full(GRID_POINTS, e)
            for g, e in zip(grouped, edges[:-1], strict=True)
        ]
    )
    return edges, grid


def _bin_of(bins: NumericBins, values: FloatArray) -> IntArray:
    edges = np.asarray(bins.edges)
    which: IntArray = np.searchsorted(edges, values, side="right").clip(1, bins.n_bins) - 1
    return which


def _nearest(atoms: FloatArray, values: FloatArray) -> IntArray:
    if len(atoms) == 1:
        return np.zeros(len(values), dtype=np.int64)
    right = np.searchsorted(atoms, values).clip(1, len(atoms) - 1)
    left = right - 1
    nearest: IntArray = np.where(
        np.abs(values - atoms[left]) <= np.abs(atoms[right] - values), left, right
    )
    return nearest


def _draw_in_bins(
    bins: NumericBins, which: IntArray, uniforms: FloatArray, within: tuple[float, float]
) -> FloatArray:
    """Inverse-CDF draws inside the given bins (piecewise linear over their grids).

    Each uniform is mapped between the bin's CDF at ``within``'s ends, so the draw is the
    bin's distribution truncated to ``within``; the clip only absorbs float rounding.
    """
    grid = np.asarray(bins.grid)[which]  # (n, GRID_POINTS)
    start = _grid_cdf(grid, within[0], upper=False)  # (n,) in [0, 1]
    stop = _grid_cdf(grid, within[1], upper=True)  # (n,)
    position = (start + uniforms * (stop - start)) * (GRID_POINTS - 1)
    left = np.minimum(position.astype(np.int64), GRID_POINTS - 2)
    fraction = position - left
    rows = np.arange(len(which))
    drawn: FloatArray = grid[rows, left] * (1.0 - fraction) + grid[rows, left + 1] * fraction
    return np.clip(drawn, within[0], within[1])


def _grid_cdf(grid: FloatArray, value: float, *, upper: bool) -> FloatArray:
    """(n,) the piecewise-linear CDF of each grid row (n, GRID_POINTS) at ``value``.

    A flat run of the grid (a value repeated within the bin) is a jump of the CDF; ``value``
    on it takes the run's lowest level as a lower bound and its highest as an upper one, so
    an inclusive range keeps the whole run.
    """
    if np.isinf(value):
        return np.zeros(len(grid)) if value < 0 else np.ones(len(grid))
    below = grid <= value if upper else grid < value
    right = np.sum(below, axis=1)  # (n,) grid points below (or at) the value
    left = np.maximum(right - 1, 0)
    right = np.minimum(right, GRID_POINTS - 1)
    rows = np.arange(len(grid))
    low, high = grid[rows, left], grid[rows, right]
    width = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(width > 0, (value - low) / width, 0.0)
    fraction = np.clip(fraction, 0.0, 1.0)
    return np.asarray((left + fraction) / (GRID_POINTS - 1), dtype=np.float64)
