"""``python -m benchmarks.high_cardinality``: see :mod:`benchmarks.high_cardinality`."""

from benchmarks.high_cardinality.cli import main

raise SystemExit(main())
