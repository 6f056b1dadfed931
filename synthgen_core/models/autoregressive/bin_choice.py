"""How finely a small table's numbers are binned: fitted each way, kept by how real it looks.

A binned number is one token (:mod:`synthgen_core.transform.bins`), and on a table of a few
hundred rows no single bin size serves every table
(benchmarks/notes/2026-12-08-bin-choice.md). Two numbers in a smooth, monotone relation
(statsmodels' engel, 188 training rows) are best left to the copula that places values
inside bins: with one bin a column the model is a Gaussian copula over the columns' quantile
grids and scored 0.947 on detection against 0.841 with 20-row bins, which also let it land
closer to the training rows than to unseen ones (0.578 of its rows against 0.533). Firms'
levels over the years (grunfeld) or fourteen trending series (macrodata) need the fine
bins: one bin a column scored 0.324 and 0.034 there.

So a table of fewer than ``CHOOSE_BINS_BELOW_ROWS`` rows is fitted with each of
``AutoregressiveConfig.bin_row_choices`` (choices that bin every column alike are fitted
once), and each fit's samples are scored by how well a real-vs-synthetic classifier tells
them from the training rows: the detection score of
:mod:`synthgen_core.evaluation.detection`, averaged over :data:`SCORED_SAMPLES` samples
drawn and classified with seeds of their own, because on a few hundred rows one sample's
score moves by a tenth. The fit kept is the coarsest whose score is within one standard
error of the best (the one-standard-error rule): over nine statsmodels tables at five seeds
it scored 0.923 on detection, against 0.913 keeping the best score and 0.891 for the
default bins alone. A held-out likelihood in the values' own space, the copula's density
inside the cells included, chose worse: it preferred one bin a column on star98, whose
samples a classifier then told apart at 0.242.

Every choice is coarser than the default, so none can hug the training rows more than the
default does, and the classifier reads the rows the model learned from, as the evaluation's
detection score does. The fits cost a few seconds each at these sizes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from synthgen_core.evaluation.columns import describe, encode_columns
from synthgen_core.evaluation.detection import detection
from synthgen_core.metadata import Metadata
from synthgen_core.nn.training import TrainingCallback, TrainingProgress
from synthgen_core.rng import child_seed

#: Samples of as many rows as the table drawn and scored per fit.
SCORED_SAMPLES = 4

SampleDrawer = Callable[[int, np.random.Generator], pd.DataFrame]


class Realism(NamedTuple):
    """How real a fit's samples look: their mean detection score and its standard error."""

    score: float
    error: float


def realism(
    draw: SampleDrawer, real: pd.DataFrame, metadata: Metadata, rng: np.random.Generator
) -> Realism:
    """The detection score (1: indistinguishable) of :data:`SCORED_SAMPLES` samples.

    ``draw(n_rows, rng)`` returns synthetic rows with ``real``'s columns.
    """
    infos = describe(real, metadata)
    scores = []
    for _ in range(SCORED_SAMPLES):
        synthetic = draw(len(real), np.random.default_rng(child_seed(rng)))[list(real.columns)]
        found = detection(encode_columns(real, synthetic, infos), int(rng.integers(2**32)))
        scores.append(1.0 if found is None else found.score)
    error = float(np.std(scores, ddof=1) / np.sqrt(len(scores)))
    return Realism(score=float(np.mean(scores)), error=error)


def simplest_real_enough(found: list[Realism]) -> int:
    """Index of the coarsest choice scoring within one standard error of the best.

    ``found`` runs from the finest bins to the coarsest. The one-standard-error rule of
    model selection: fits whose scores differ by less than the noise of measuring them are
    alike, and the one with fewer bins has fewer cells to learn by heart.
    """
    best = found[int(np.argmax([f.score for f in found]))]
    alike = [
        k for k, f in enumerate(found) if best.score - f.score <= math.hypot(f.error, best.error)
    ]
    return max(alike)


@dataclass
class ChoiceProgress:
    """One callback across the fits of every choice, with epochs counted from the first.

    The ``k``-th fit's epoch ``e`` is reported as ``k * max_epochs + e`` of
    ``choices * max_epochs``, and its seconds after those of the fits before it (a fit
    resumed from a checkpoint at its epoch ``r`` reports ``k * max_epochs + r`` restored
    epochs). Once the
    callback asks to stop, every later epoch stops too (:attr:`stopped`), so no further
    choice is fitted.
    """

    callback: TrainingCallback | None
    choices: int
    max_epochs: int
    fitting: int = 0
    stopped: bool = False
    spent: float = 0.0
    last_elapsed: float = 0.0

    def start(self, index: int) -> None:
        """Count the epochs and seconds of fit ``index`` after those before it."""
        self.fitting = index
        self.spent += self.last_elapsed
        self.last_elapsed = 0.0

    def __call__(self, progress: TrainingProgress) -> bool:
        self.last_elapsed = progress.elapsed
        if self.callback is None or self.stopped:
            return self.stopped
        offset = self.fitting * self.max_epochs
        shown = TrainingProgress(
            epoch=offset + progress.epoch,
            total_epochs=self.choices * self.max_epochs,
            losses=progress.losses,
            elapsed=self.spent + progress.elapsed,
            resumed_from_epoch=offset + progress.resumed_from_epoch
            if progress.resumed_from_epoch
            else 0,
        )
        self.stopped = bool(self.callback(shown))
        return self.stopped
