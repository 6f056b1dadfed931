"""The one list of column kinds: each :class:`ColumnKind` and the module that holds it.

Everything that differs between kinds is looked up here (``kind_of(spec).decode(...)``)
rather than branched on, so adding a kind means its module, one line below and its tests.
The order is the order detection consults the kinds' :meth:`Kind.refines` hooks.
"""

from __future__ import annotations

import msgspec
import numpy as np
import pandas as pd

from synthgen_core.kinds.base import Kind
from synthgen_core.kinds.boolean import BOOLEAN
from synthgen_core.kinds.categorical import CATEGORICAL
from synthgen_core.kinds.constant import CONSTANT
from synthgen_core.kinds.datetime import DATETIME
from synthgen_core.kinds.high_cardinality import HIGH_CARDINALITY
from synthgen_core.kinds.id import ID
from synthgen_core.kinds.numerical import NUMERICAL
from synthgen_core.kinds.pii import PII
from synthgen_core.kinds.text import TEXT
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.learn import check_supported
from synthgen_core.metadata.missing import marker_shares

KINDS: dict[ColumnKind, Kind] = {
    ColumnKind.NUMERICAL: NUMERICAL,
    ColumnKind.CATEGORICAL: CATEGORICAL,
    ColumnKind.BOOLEAN: BOOLEAN,
    ColumnKind.DATETIME: DATETIME,
    ColumnKind.ID: ID,
    ColumnKind.CONSTANT: CONSTANT,
    ColumnKind.PII: PII,
    ColumnKind.HIGH_CARDINALITY: HIGH_CARDINALITY,
    ColumnKind.TEXT: TEXT,
}


def kind_of(spec: ColumnSpec) -> Kind:
    """The kind that models, encodes and checks the column ``spec`` describes."""
    return KINDS[spec.kind]


def complete(spec: ColumnSpec, series: pd.Series, mask: np.ndarray) -> ColumnSpec:
    """``spec`` with its empty fields learned from ``series``.

    Missing-value statistics are always learned: they describe this table, not a choice.
    """
    check_supported(spec.name, series)
    base = msgspec.structs.replace(
        spec,
        missing_rate=float(mask.mean()) if len(mask) else 0.0,
        missing_markers=marker_shares(series, mask),
    )
    return kind_of(base).learn(base, series[~mask])


def refine(base: ColumnKind, name: str, present: pd.Series) -> ColumnKind:
    """The kind detection gives a column its ordered rules made ``base``."""
    for kind, module in KINDS.items():
        if module.refines(base, name, present):
            return kind
    return base
