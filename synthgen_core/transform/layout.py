"""The contract between the data layer and the neural networks.

:class:`~synthgen_core.transform.table.TableTransformer` turns a table into one float matrix
``(N, D)``; a :class:`Layout` says what every slice of those ``D`` columns means, so the
generator can put the right activation on each slice (tanh for a scalar, Gumbel-softmax
for a one-hot), the conditional vector can find each discrete column (CTGAN's
training-by-sampling, arXiv 1907.00503 section 4.3) and TVAE can pick the right loss.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

import msgspec

Activation = Literal["tanh", "softmax"]
#: value: a scalar (normalised value within its mode); mode: the one-hot mode of a
#: continuous column; category: the one-hot category of a discrete column;
#: missing: a two-wide one-hot "present / missing" indicator.
Role = Literal["value", "mode", "category", "missing"]


class Span(msgspec.Struct, frozen=True, kw_only=True):
    """A contiguous slice ``[start, start + width)`` of the encoded matrix."""

    column: str
    start: int
    width: int
    activation: Activation
    role: Role

    @property
    def end(self) -> int:
        return self.start + self.width


class Layout(msgspec.Struct, frozen=True, dict=True):  # dict: cached_property
    """Every span of the encoded matrix, in column order, covering it without gaps."""

    spans: tuple[Span, ...]

    def __post_init__(self) -> None:
        position = 0
        for span in self.spans:
            if span.start != position or span.width < 1:
                raise ValueError(f"layout has a gap or overlap at span {span}")
            if span.activation == "tanh" and span.width != 1:
                raise ValueError(f"tanh span must be one wide: {span}")
            position = span.end

    @property
    def width(self) -> int:
        """D, the number of columns of the encoded matrix."""
        return self.spans[-1].end if self.spans else 0

    @cached_property
    def discrete_spans(self) -> tuple[Span, ...]:
        """The one-hot spans of discrete columns: what the paper's conditional vector spans."""
        return tuple(span for span in self.spans if span.role == "category")

    @cached_property
    def mode_spans(self) -> tuple[Span, ...]:
        """The one-hot mode spans of continuous columns with two modes or more.

        CTGAN can condition on these too (an idea of CTAB-GAN, arXiv 2102.08369): a rare
        mode, such as the exact zero of a mostly-zero amount, is then drawn as often in
        training as a rare category, and the generator learns what goes with it.
        """
        return tuple(span for span in self.spans if span.role == "mode" and span.width > 1)

    def spans_of(self, column: str) -> tuple[Span, ...]:
        return tuple(span for span in self.spans if span.column == column)
