"""Pictures of a report: real vs synthetic marginals and correlation heatmaps.

A report must redraw from its stored JSON alone (the service keeps reports, not tables), so
:func:`marginal` condenses each column into a small histogram at evaluation time and the
heatmaps are rebuilt from the pair correlations. matplotlib (the ``plots`` extra) is imported
only when drawing, with the file-only Agg backend, so servers and the core import never need
it or a display; without it, drawing raises :class:`MissingDependencyError` naming the extra.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from synthgen_core.errors import MissingDependencyError
from synthgen_core.evaluation.columns import Column
from synthgen_core.evaluation.shapes import frequencies
from synthgen_core.evaluation.trends import PairTrend

#: Continuous columns are drawn as this many equal-width bins over the real range.
HISTOGRAM_BINS = 20
#: Discrete columns show their most frequent real categories, the rest as "(other)".
TOP_CATEGORIES = 12
#: What a user runs to get plotting.
PLOTS_INSTALL = "pip install 'synthgen-core[plots]'"


class Marginal(msgspec.Struct, frozen=True, kw_only=True):
    """One column's distribution in both tables, as shares of its non-missing values."""

    column: str
    labels: list[str]
    real: list[float]
    synthetic: list[float]


def _counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Values per bin of ``edges`` (equal-width, from ``np.linspace``).

    A bin count and a range give numpy these same edges and let it count in one pass, where
    given edges would sort the values first; but around a huge value (datetimes in ns) the
    edges can coincide, which only the given-edges form accepts.
    """
    if np.all(edges[:-1] < edges[1:]):
        bins: int | np.ndarray = len(edges) - 1
        return np.histogram(values, bins=bins, range=(edges[0], edges[-1]))[0]
    return np.histogram(values, bins=edges)[0]


def _histogram(column: Column) -> Marginal:
    low, high = np.nanmin(column.real), np.nanmax(column.real)
    edges = np.linspace(low, high if high > low else low + 1.0, HISTOGRAM_BINS + 1)
    shares = []
    for values in (column.real, column.synthetic):
        present = np.clip(values[~np.isnan(values)], edges[0], edges[-1])  # outliers at the ends
        counts = _counts(present, edges)
        shares.append((counts / max(counts.sum(), 1)).tolist())
    if column.unit is not None:  # datetime ticks -> readable instants
        labels = [str(pd.Timestamp(int(edge), unit=column.unit))[:16] for edge in edges[:-1]]
    else:
        labels = [f"{edge:.4g}" for edge in edges[:-1]]
    return Marginal(column=column.name, labels=labels, real=shares[0], synthetic=shares[1])


def _categories(column: Column) -> Marginal:
    real = frequencies(column.real, column.n_categories)
    synthetic = frequencies(column.synthetic, column.n_categories)
    top = np.argsort(-real, kind="stable")[:TOP_CATEGORIES]
    labels = [column.labels[code] for code in top]
    real_shares, synthetic_shares = real[top].tolist(), synthetic[top].tolist()
    if column.n_categories > len(top):
        labels.append("(other)")
        real_shares.append(max(1.0 - sum(real_shares), 0.0))
        synthetic_shares.append(max(1.0 - sum(synthetic_shares), 0.0))
    return Marginal(column=column.name, labels=labels, real=real_shares, synthetic=synthetic_shares)


def marginal(column: Column) -> Marginal:
    return _histogram(column) if column.is_continuous else _categories(column)


def _correlations(pairs: list[PairTrend]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Real and synthetic Pearson matrices of the continuous columns, NaN where undefined."""
    pairs = [p for p in pairs if p.metric == "CorrelationSimilarity"]
    names = list(dict.fromkeys([n for p in pairs for n in (p.column_1, p.column_2)]))
    index = {name: i for i, name in enumerate(names)}
    matrices = [np.eye(len(names)), np.eye(len(names))]
    for pair in pairs:
        i, j = index[pair.column_1], index[pair.column_2]
        values = (pair.real_correlation, pair.synthetic_correlation)
        for matrix, value in zip(matrices, values, strict=True):
            matrix[i, j] = matrix[j, i] = math.nan if value is None else value
    return names, matrices[0], matrices[1]


def _draw_marginal(axis: Any, item: Marginal) -> None:
    positions = np.arange(len(item.labels))
    axis.bar(positions - 0.2, item.real, width=0.4, label="real", color="#4c72b0")
    axis.bar(positions + 0.2, item.synthetic, width=0.4, label="synthetic", color="#dd8452")
    step = max(1, len(item.labels) // 8)
    axis.set_xticks(positions[::step], item.labels[::step], rotation=45, ha="right", fontsize=7)
    axis.set_title(item.column, fontsize=9)


def _draw_heatmaps(figure: Any, grid: Any, row: int, pairs: list[PairTrend]) -> None:
    names, real, synthetic = _correlations(pairs)
    image = None
    for half, (title, matrix) in enumerate((("real", real), ("synthetic", synthetic))):
        axis = figure.add_subplot(grid[row, 2 * half : 2 * half + 2])
        image = axis.imshow(matrix, vmin=-1, vmax=1, cmap="coolwarm")
        axis.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=7)
        axis.set_yticks(range(len(names)), names, fontsize=7)
        axis.set_title(f"Pearson correlation ({title})", fontsize=9)
    figure.colorbar(image, ax=figure.axes[-2:], shrink=0.8)


def pyplot() -> Any:
    """The pyplot module on the Agg backend; callers check early, before writing anything."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ModuleNotFoundError:
        raise MissingDependencyError(
            f"plotting a report needs matplotlib, from the 'plots' extra: {PLOTS_INSTALL}"
        ) from None
    matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def plot_report(marginals: list[Marginal], pairs: list[PairTrend], path: str | Path) -> Path:
    """Write a report's picture as a PNG: a grid of marginals, then the two heatmaps."""
    plt = pyplot()
    has_heatmaps = any(p.metric == "CorrelationSimilarity" for p in pairs)
    n_cols = 4
    n_rows = max(math.ceil(len(marginals) / n_cols) + has_heatmaps, 1)
    figure = plt.figure(figsize=(4 * n_cols, 3.2 * n_rows), layout="constrained")
    grid = figure.add_gridspec(n_rows, n_cols)
    for k, item in enumerate(marginals):
        _draw_marginal(figure.add_subplot(grid[k // n_cols, k % n_cols]), item)
    if marginals:
        figure.axes[0].legend(fontsize=7)
    if has_heatmaps:
        _draw_heatmaps(figure, grid, n_rows - 1, pairs)
    out = Path(path)
    figure.savefig(out, dpi=90)
    plt.close(figure)
    return out
