"""Column kinds as modules: one home per kind, listed in one table.

Each kind module (:mod:`.numerical`, :mod:`.categorical`, :mod:`.datetime`, :mod:`.id`, ...)
holds what is particular to its kind: what is learned about a column, its encoding for the
models and the way back, how a condition on it is checked and applied, and how the quality
report reads it. The contract is :class:`~.base.Kind`;
the table is :data:`~.table.KINDS`.

The package sits between ``metadata`` (which it reads) and the codec (which looks kinds up
here); it wraps the per-kind functions of ``transform`` (numbers, datetimes, codes).
"""

from synthgen_core.kinds.base import DiscreteColumn, Family, Kind, LevelCodes
from synthgen_core.kinds.table import KINDS, complete, kind_of

__all__ = ["KINDS", "DiscreteColumn", "Family", "Kind", "LevelCodes", "complete", "kind_of"]
