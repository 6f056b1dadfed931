"""Range conditions: a numerical or datetime column held within inclusive bounds.

``{"age": Range(min=30, max=40)}`` asks for rows whose ``age`` lies in ``[30, 40]``; either
bound may be left out (``Range(min=30)``: 30 or more). JSON and command lines give the same
condition as ``{"min": 30, "max": 40}``, which :func:`validate_conditions` turns into a
``Range`` whose bounds are the column's own values (numbers rounded inwards to its
precision, datetimes as :class:`pandas.Timestamp`). An equality condition fixes one value;
a range keeps the column's own distribution inside the bounds, and every other column
follows the model's conditional given it.

It sits below the column kinds, which check and apply it, so every floor can import it.
"""

from __future__ import annotations

from typing import Any

import msgspec

#: The keys of a range given as a mapping.
RANGE_KEYS = ("min", "max")


class Range(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Inclusive bounds on one column; ``None`` leaves that side open."""

    #: The least value a generated row may hold (a number, or a datetime or ISO string).
    min: Any = None
    #: The greatest value a generated row may hold.
    max: Any = None


__all__ = ["RANGE_KEYS", "Range"]
