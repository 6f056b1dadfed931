"""How good, how valid and how private a synthetic table is, compared with the real one.

``evaluate(real, synthetic)`` returns a :class:`Report`; the module docstrings of
shapes, trends, diagnostics, privacy and efficacy define every number in it.
"""

from synthgen_core.evaluation.report import evaluate
from synthgen_core.evaluation.report_struct import Report

__all__ = ["Report", "evaluate"]
