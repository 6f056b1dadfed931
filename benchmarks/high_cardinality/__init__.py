"""High-cardinality categoricals, cost and quality.

``python -m benchmarks.high_cardinality [timing|schemes|kinds]``, or the same after
``python -m benchmarks high-cardinality``. Two tables, each fit in a fresh single-threaded
process (its own peak RSS, no neighbour in the same interpreter):

* ``large``: 200,000 rows of adult's columns (resampled) plus ``store``, a Zipf-distributed
  column of 15,000 levels that depends on ``income``; CTGAN and TVAE;
* ``zip``: 5,000 rows of adult (all 15 columns) plus ``zip``, five-digit codes, some with
  leading zeros, about 2,400 distinct; CTGAN.

``timing`` fits each with and without its column (time per epoch, fit time, peak RSS,
what sampling gives back); ``kinds`` fits CTGAN on the zip table with the column as
``high_cardinality`` and as ``categorical``; ``schemes`` compares groupings of the level tail
(frequency-ranked buckets against hashed ones, several head sizes) on the ``large`` table:
the column is coded by each grouping, learned by ``--model`` as a plain categorical and
decoded the way the kind does.

Quality is SDMetrics': TVComplement on the column, ContingencySimilarity on its pairs
(numerical partners cut into 10 bins, as SDMetrics' QualityReport does).
"""

from __future__ import annotations

from benchmarks.high_cardinality.quality import (
    SCHEMES,
    column_quality,
    measure_scheme,
    reference_quality,
)
from benchmarks.high_cardinality.tables import large_table, table, zip_table
from benchmarks.high_cardinality.timing import ratios

__all__ = [
    "SCHEMES",
    "column_quality",
    "large_table",
    "measure_scheme",
    "ratios",
    "reference_quality",
    "table",
    "zip_table",
]
