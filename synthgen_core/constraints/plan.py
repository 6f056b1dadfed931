"""A model's constraints as one table-level transform: the only place models meet them.

:class:`ConstraintPlan` turns the user's table into the table the model learns (each
rewriting rule in turn) and every generated frame back (the rules in reverse), then
enforces the rules that only clip and reports which rows keep every constraint.

Each column is rewritten by at most one rule, and rules run in an order where a rule that
reads a column (an inequality's ``low``, a formula's operands) sees it before the rule
that rewrites it: forward in that order, inverse in the reverse one. A constraint whose
column is already taken, or that would close a cycle, is kept as a check: the sampler's
bounded rejection enforces it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from synthgen_core.constraints.bounds import RangeRule
from synthgen_core.constraints.combinations import CombinationsRule
from synthgen_core.constraints.computed import FormulaRule
from synthgen_core.constraints.increments import IncrementsRule
from synthgen_core.constraints.inequality import InequalityRule
from synthgen_core.constraints.rule import BoolArray, Conditions, Rule
from synthgen_core.constraints.specs import (
    Constraint,
    FixedCombinations,
    FixedIncrements,
    Formula,
    Inequality,
    Negative,
    Positive,
    Range,
    Unique,
    as_range,
    columns_of,
    describe,
)
from synthgen_core.constraints.unique import UniqueRule
from synthgen_core.constraints.validate import check_constraints
from synthgen_core.errors import DataError
from synthgen_core.kinds import complete
from synthgen_core.metadata import ColumnSpec, Metadata
from synthgen_core.metadata.missing import missing_mask
from synthgen_core.ranges import Range as RangeCondition


class PlanState(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a fitted plan stores in the model file, next to the constraints in the options."""

    table_metadata: dict[str, Any]
    order: list[int]
    rules: list[dict[str, Any]]


class ConstraintPlan:
    def __init__(self, constraints: list[Constraint], table_metadata: Metadata) -> None:
        self.constraints = constraints
        #: the user's table: column order and dtypes, constrained columns' statistics
        self.table_metadata = table_metadata
        specs = {spec.name: spec for spec in table_metadata.columns}
        self.rules = [make_rule(constraint, specs) for constraint in constraints]
        self.order = _rewrite_order(self.rules)
        #: rules that a generated row may still break, checked on every sample
        self.checked = _checked(constraints, self.rules, self.order)

    @classmethod
    def fit(
        cls, constraints: list[Constraint], data: pd.DataFrame, metadata: Metadata
    ) -> tuple[ConstraintPlan, pd.DataFrame, Metadata]:
        """The plan, the table the model learns, and that table's metadata."""
        check_constraints(constraints, metadata)
        data = data.reset_index(drop=True)
        plan = cls(constraints, _completed(metadata, constraints, data))
        for rule in plan.rules:
            rule.fit(data)
        plan._check_rows(data)
        frame, derived = data.copy(), {}
        for index in plan.order:
            frame, specs = plan.rules[index].forward(frame)
            derived.update({spec.name: spec for spec in specs})
        user = {spec.name: spec for spec in metadata.columns}
        inner = [derived.get(name) or user[name] for name in map(str, frame.columns)]
        return plan, frame, Metadata(columns=inner)

    def adopt(self, learned: Metadata) -> ConstraintPlan:
        """Take the model's learned specs for the columns no rule rewrites; return self.

        Conditions on those columns are then checked against what the model learned.
        """
        rewritten = {name for index in self.order for name in self.rules[index].writes}
        inner = {spec.name: spec for spec in learned.columns}
        self.table_metadata = Metadata(
            columns=[
                inner[spec.name] if spec.name in inner and spec.name not in rewritten else spec
                for spec in self.table_metadata.columns
            ]
        )
        return self

    def inverse(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """A generated frame of the model's table, as the user's table."""
        frame = frame.reset_index(drop=True).copy()
        for index in reversed(self.order):
            frame = self.rules[index].inverse(frame, rng)
        for rule in self.rules:
            frame = rule.enforce(frame, rng)
        return frame[self.table_metadata.names]

    def holds(self, frame: pd.DataFrame, written: Collection[str] = ()) -> BoolArray:
        """(N,) rows of a user-shaped frame that keep every constraint.

        Rules exact by construction are skipped, unless they name a column in ``written``
        (values written after the plan's inverse, such as a condition's exact value).
        """
        keep = np.ones(len(frame), dtype=bool)
        for index, constraint in enumerate(self.constraints):
            if index in self.checked or set(written) & set(columns_of(constraint)):
                keep &= self.rules[index].holds(frame)
        return keep

    def map_conditions(self, conditions: Conditions) -> tuple[Conditions, Conditions]:
        """(conditions on the model's table, user conditions left to rejection).

        A range condition on a constrained column is left to rejection: the rules map
        values, and a range on a rewritten column is no range on the model's table.
        """
        constrained = {name for c in self.constraints for name in columns_of(c)}
        residual = {
            name: value
            for name, value in conditions.items()
            if isinstance(value, RangeCondition) and name in constrained
        }
        mapped = {name: value for name, value in conditions.items() if name not in residual}
        for rule in self.rules:
            if not rule.rewrites:
                mapped, _ = rule.map_conditions(mapped)
        for index in self.order:
            mapped, left = self.rules[index].map_conditions(mapped)
            residual.update(left)
        return mapped, residual

    def to_state(self) -> dict[str, Any]:
        state = PlanState(
            table_metadata=self.table_metadata.to_dict(),
            order=self.order,
            rules=[rule.state() for rule in self.rules],
        )
        out: dict[str, Any] = msgspec.to_builtins(state)
        return out

    @classmethod
    def from_state(cls, constraints: list[Constraint], raw: dict[str, Any]) -> ConstraintPlan:
        state = msgspec.convert(raw, PlanState)
        plan = cls(constraints, Metadata.from_dict(state.table_metadata))
        if plan.order != state.order or len(state.rules) != len(plan.rules):
            raise ValueError("the stored constraint plan does not match the constraints")
        for rule, rule_state in zip(plan.rules, state.rules, strict=True):
            rule.load_state(rule_state)
        return plan

    def _check_rows(self, data: pd.DataFrame) -> None:
        for index, (constraint, rule) in enumerate(zip(self.constraints, self.rules, strict=True)):
            broken = np.flatnonzero(~rule.holds(data))
            if broken.size:
                raise DataError(
                    f"constraints[{index}] ({describe(constraint)}) does not hold in "
                    f"{broken.size:,} of {len(data):,} rows of the table (the first is row "
                    f"{int(broken[0])}); fix or drop those rows, or drop the constraint"
                )


def make_rule(constraint: Constraint, specs: dict[str, ColumnSpec]) -> Rule:
    """The rule that implements ``constraint`` over columns with ``specs``."""
    if isinstance(constraint, Inequality):
        return InequalityRule(constraint, specs)
    if isinstance(constraint, Range | Positive | Negative):
        return RangeRule(as_range(constraint), specs)
    if isinstance(constraint, FixedCombinations):
        return CombinationsRule(constraint, specs)
    if isinstance(constraint, FixedIncrements):
        return IncrementsRule(constraint, specs)
    if isinstance(constraint, Formula):
        return FormulaRule(constraint, specs)
    if isinstance(constraint, Unique):
        return UniqueRule(constraint, specs)
    raise TypeError(f"not a constraint: {constraint!r}")


def _completed(metadata: Metadata, constraints: list[Constraint], data: pd.DataFrame) -> Metadata:
    """``metadata`` with the statistics of every constrained column learned from ``data``."""
    named = {name for constraint in constraints for name in columns_of(constraint)}
    specs = [
        complete(spec, data[spec.name], missing_mask(data[spec.name]))
        if spec.name in named
        else spec
        for spec in metadata.columns
    ]
    return Metadata(columns=specs)


def _checked(constraints: list[Constraint], rules: list[Rule], order: list[int]) -> list[int]:
    """Rules a generated row can break: all but those exact by construction.

    A rewritten rule is exact unless a range clips one of its columns afterwards; a range
    is exact once clipped. Unique rules and rules kept as checks are checked.
    """
    clipped = {rule.spec.name for rule in rules if isinstance(rule, RangeRule)}
    checked = []
    for index, (constraint, rule) in enumerate(zip(constraints, rules, strict=True)):
        exact = isinstance(rule, RangeRule) or (
            index in order and not clipped & set(columns_of(constraint))
        )
        if not exact:
            checked.append(index)
    return checked


def _rewrite_order(rules: list[Rule]) -> list[int]:
    """Indices of the rules that rewrite, in forward order (see the module docstring)."""
    order: list[int] = []
    written: set[str] = set()
    for index, rule in enumerate(rules):
        if not rule.rewrites or written & set(rule.writes):
            continue
        # must run before every rule that rewrites a column it reads ...
        before = [i for i, o in enumerate(order) if set(rules[o].writes) & rule.reads]
        # ... and after every rule that reads a column it rewrites
        after = [i for i, o in enumerate(order) if rules[o].reads & set(rule.writes)]
        first_writer = min(before, default=len(order))
        last_reader = max(after, default=-1)
        if last_reader < first_writer:
            order.insert(first_writer, index)
            written.update(rule.writes)
    return order
