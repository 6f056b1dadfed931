"""SynthGen's benchmark harness: ``python -m benchmarks run`` (see docs/benchmarks.md).

* :mod:`benchmarks.datasets` reads the shared real tables and splits off a holdout;
* :mod:`benchmarks.measure` measures one run in a fresh process (times, memory, scores);
* :mod:`benchmarks.peers` drives the optional peer (SDV) the same way;
* :mod:`benchmarks.report` writes the JSON, the Markdown table and the plots.
"""
