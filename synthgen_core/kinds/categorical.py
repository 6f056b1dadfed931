"""Categorical columns: one int64 code per category, as stored (``" Female"`` stays as is).

Learned: the categories, in the dtype's order for pandas ``category`` columns and sorted
otherwise (numbers before strings, by value within a type). A condition matches a category
exactly, else by its text ignoring surrounding spaces and case, so ``"female"`` finds
``" Female"`` when no other category reads the same.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import pandas as pd

from synthgen_core.errors import ConditionError
from synthgen_core.kinds.families import DiscreteKind
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.learn import count_unique, fill_empty, to_scalar

_SHOWN = 8


class CategoricalKind(DiscreteKind):
    kind = ColumnKind.CATEGORICAL

    def learn(self, spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
        count_unique(spec.name, present)
        if isinstance(present.dtype, pd.CategoricalDtype):
            values = list(present.dtype.categories)
            spec = msgspec.structs.replace(spec, ordered=spec.ordered or present.dtype.ordered)
        else:
            values = sorted(pd.unique(present.astype(object)), key=_sort_key)
        return fill_empty(spec, categories=[to_scalar(v, spec.name) for v in values])

    def normalise(self, spec: ColumnSpec, value: Any) -> Any:
        return match_category(spec, spec.categories or [], value)


def match_category(spec: ColumnSpec, categories: list[Any], value: Any) -> Any:
    """The one category ``value`` names: same value, or same text up to spaces and case."""
    for category in categories:
        if type(category) is type(value) and category == value:
            return category
    if _is_number(value):  # 2.0 (JSON has no int/float distinction) names category 2
        equal = [c for c in categories if _is_number(c) and c == value]
        if len(equal) == 1:
            return equal[0]
    text = str(value).strip()
    for fold in (lambda s: s, str.lower):
        found = [c for c in categories if c is not None and fold(str(c).strip()) == fold(text)]
        if len(found) == 1:
            return found[0]
    shown = [repr(c) for c in categories]
    more = f" ... ({len(shown)} in all)" if len(shown) > _SHOWN else ""
    raise ConditionError(
        f"{value!r} is not a value of column {spec.name!r}; valid values: "
        f"{', '.join(shown[:_SHOWN])}{more}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def _sort_key(value: Any) -> tuple[str, Any]:
    """Orders mixed-type categories: by type name, then by value within a type."""
    if isinstance(value, bool | np.bool_):
        return ("bool", bool(value))
    if isinstance(value, int | float | np.number):
        return ("number", float(value))
    return (type(value).__name__, value if isinstance(value, str) else str(value))


CATEGORICAL = CategoricalKind()
