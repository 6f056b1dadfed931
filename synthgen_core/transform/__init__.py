"""Reversible transforms between tables and numbers: codec, matrix, layout."""

from synthgen_core.transform.codec import DiscreteColumn, EncodedTable, TableCodec
from synthgen_core.transform.continuous import ContinuousState
from synthgen_core.transform.layout import Layout, Span
from synthgen_core.transform.table import TableTransformer

__all__ = [
    "ContinuousState",
    "DiscreteColumn",
    "EncodedTable",
    "Layout",
    "Span",
    "TableCodec",
    "TableTransformer",
]
