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

from synthgen_core.errors import ConditionError

#: The keys of a range given as a mapping.
RANGE_KEYS = ("min", "max")


class Range(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Inclusive bounds on one column; ``None`` leaves that side open."""

    #: The least value a generated row may hold (a number, or a datetime or ISO string).
    min: Any = None
    #: The greatest value a generated row may hold.
    max: Any = None


def range_from_text(text: str) -> str | Range:
    """``30..40``, ``30..`` or ``..40`` as a :class:`Range`; any other text stays as it is.

    The short form a command line or a form field takes; callers apply it only to numerical
    and datetime columns, so a category holding ``..`` stays a category.
    """
    low, separator, high = text.partition("..")
    if not separator:
        return text
    low, high = low.strip(), high.strip()
    if not low and not high:
        raise ConditionError(f"range {text!r} needs a bound on at least one side, e.g. 30..40")
    return Range(min=low or None, max=high or None)


__all__ = ["RANGE_KEYS", "Range", "range_from_text"]
