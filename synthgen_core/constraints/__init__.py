"""Constraints: rules every generated row keeps, exactly, whatever the model type.

A constraint is a JSON-able dict in a model's config (``sg.create("tvae",
constraints=[{"kind": "inequality", "low": "start", "high": "end"}])``), validated by the
Structs of :mod:`.specs`. At fit, :class:`~.plan.ConstraintPlan` rewrites the table the
model learns so that whatever it generates maps back onto rows that keep the constraints
(:mod:`.inequality`, :mod:`.combinations`, :mod:`.increments`, :mod:`.computed`), clips
into ranges (:mod:`.bounds`), and :mod:`.sampler` rejects, within a budget, the rows
no rewrite can fix (:mod:`.unique`). :func:`~.suggest.suggest_constraints` finds the
constraints a table already keeps. The hook is :class:`synthgen_core.models.base.Synthesizer`
(its ``fit`` and ``sample``), so every model type, built in or plugged in, keeps them.
"""

from synthgen_core.constraints.specs import (
    CONSTRAINT_TYPES,
    KINDS,
    Constraint,
    FixedCombinations,
    FixedIncrements,
    Formula,
    Inequality,
    Negative,
    Positive,
    Range,
    Unique,
)
from synthgen_core.constraints.suggest import Suggestion, suggest_constraints

__all__ = [
    "CONSTRAINT_TYPES",
    "KINDS",
    "Constraint",
    "FixedCombinations",
    "FixedIncrements",
    "Formula",
    "Inequality",
    "Negative",
    "Positive",
    "Range",
    "Suggestion",
    "Unique",
    "suggest_constraints",
]
