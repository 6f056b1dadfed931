"""Exact functional dependencies between columns, found at fit and kept in every row.

Real tables often hold a column that another one determines: ``education`` and
``education-num`` name the same thing, a ``logpopul`` column is ``log(popul + 0.1)``, a zone
id fixes its borough. A model that learns such a column as a distribution gets it right in
most rows and wrong in a few, and those few are what a classifier (or a user) spots first:
on statsmodels' anes96 table, a ``logpopul`` that did not match ``popul`` let a classifier
separate the synthetic rows almost perfectly.

So the tokens of the training table are searched for pairs where every value of one column
comes with a single value of the other (``A -> B``), seen often enough not to be chance.
Sampling then keeps each dependency exactly, whatever the order the columns are drawn in:
``B`` drawn after ``A`` is looked up; ``A`` drawn after ``B`` may only take the values that
lead to ``B``'s; and two columns that determine the same undrawn one must agree on it.
"""

from __future__ import annotations

import msgspec
import numpy as np
import numpy.typing as npt
import torch

#: Rows looked at to find dependencies (a seeded sample of larger tables).
MAX_ROWS = 50_000
#: A determinant value must be seen this many times to count as evidence...
MIN_REPEATS = 3
#: ...and the values seen that often must cover this share of the rows: a column of
#: near-unique values "determines" every other column by accident.
MIN_COVERED_SHARE = 0.9

IntArray = npt.NDArray[np.int64]


class Dependency(msgspec.Struct, frozen=True, kw_only=True):
    """Column ``dependent``'s token is ``lookup[token of determinant]`` in every row."""

    determinant: int
    dependent: int
    #: (V_determinant,) the dependent token for each determinant token; -1 if never seen.
    lookup: list[int]


def find_dependencies(
    tokens: IntArray, vocab_sizes: list[int], rng: np.random.Generator
) -> list[Dependency]:
    """Every exact, well-supported dependency ``A -> B`` between two columns of ``tokens``."""
    if len(tokens) > MAX_ROWS:
        tokens = tokens[rng.choice(len(tokens), MAX_ROWS, replace=False)]
    found = []
    for determinant in _determinants(tokens):
        for dependent in range(tokens.shape[1]):
            if dependent == determinant or len(np.unique(tokens[:, dependent])) < 2:
                continue
            size = vocab_sizes[determinant]
            lookup = _lookup(tokens[:, determinant], tokens[:, dependent], size)
            if lookup is not None:
                found.append(
                    Dependency(determinant=determinant, dependent=dependent, lookup=lookup)
                )
    return found


def _determinants(tokens: IntArray) -> list[int]:
    """Columns whose values repeat enough to determine anything (see MIN_COVERED_SHARE)."""
    usable = []
    for column in range(tokens.shape[1]):
        counts = np.bincount(tokens[:, column])
        covered = counts[counts >= MIN_REPEATS].sum() / max(len(tokens), 1)
        if (counts > 0).sum() >= 2 and covered >= MIN_COVERED_SHARE:
            usable.append(column)
    return usable


def _lookup(determinant: IntArray, dependent: IntArray, size: int) -> list[int] | None:
    """The dependent token of each of the ``size`` determinant tokens (-1: never seen).

    None if some determinant value comes with two dependent values.
    """
    base = int(dependent.max()) + 1
    pairs = np.unique(determinant * base + dependent)
    keys = pairs // base
    if len(np.unique(keys)) != len(keys):
        return None
    lookup = np.full(size, -1, dtype=np.int64)
    lookup[keys] = pairs % base
    return lookup.tolist()


class DependencyGuard:
    """Applies the dependencies while a chunk of rows is drawn, column by column."""

    def __init__(self, dependencies: list[Dependency], device: torch.device) -> None:
        self.dependencies = dependencies
        self.lookups = [torch.as_tensor(d.lookup, device=device) for d in dependencies]

    def forced(self, column: int, tokens: torch.Tensor, drawn: set[int]) -> torch.Tensor | None:
        """(n,) the tokens that drawn determinants fix for ``column`` (-1 where none does).

        None when no drawn column determines it.
        """
        out: torch.Tensor | None = None
        for dependency, lookup in zip(self.dependencies, self.lookups, strict=True):
            if dependency.dependent == column and dependency.determinant in drawn:
                values = lookup[tokens[:, dependency.determinant]]  # (n,)
                out = values if out is None else torch.where(out >= 0, out, values)
        return out

    def allowed(self, column: int, tokens: torch.Tensor, drawn: set[int]) -> torch.Tensor | None:
        """(n, V) which tokens of ``column`` agree with the drawn columns, or None if all."""
        mask: torch.Tensor | None = None
        for dependency, lookup in zip(self.dependencies, self.lookups, strict=True):
            if dependency.determinant != column:
                continue
            target = self._target(dependency.dependent, tokens, drawn)  # (n,) or None
            if target is None:
                continue
            agrees = (lookup[None, :] == target[:, None]) | (target[:, None] < 0)  # (n, V)
            mask = agrees if mask is None else mask & agrees
        if mask is not None:
            mask[~mask.any(dim=1)] = True  # never leave a row without a token
        return mask

    def _target(self, dependent: int, tokens: torch.Tensor, drawn: set[int]) -> torch.Tensor | None:
        """(n,) the token ``dependent`` has or must have, or None while it is open."""
        if dependent in drawn:
            return tokens[:, dependent]
        return self.forced(dependent, tokens, drawn)
