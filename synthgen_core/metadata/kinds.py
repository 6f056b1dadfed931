"""The kinds a column can have, and what SynthGen remembers about each.

A :class:`ColumnSpec` is plain data (a msgspec Struct) so that it can be stored in a model
file, sent over the REST API and edited by a user who disagrees with detection.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import msgspec


class ColumnKind(StrEnum):
    """How a column is modelled."""

    NUMERICAL = "numerical"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    ID = "id"
    CONSTANT = "constant"
    HIGH_CARDINALITY = "high_cardinality"
    TEXT = "text"
    PII = "pii"


#: Kinds whose values are modelled as categories (one-hot / frequency intervals).
DISCRETE_KINDS = frozenset(
    {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.HIGH_CARDINALITY}
)
#: Kinds whose values are modelled on a continuous axis.
CONTINUOUS_KINDS = frozenset({ColumnKind.NUMERICAL, ColumnKind.DATETIME})
#: Kinds that are not learned at all: ids are regenerated, constants restored.
UNLEARNED_KINDS = frozenset({ColumnKind.ID, ColumnKind.CONSTANT, ColumnKind.TEXT, ColumnKind.PII})

#: A value as stored in a column: what categories and constants hold, JSON-able as is.
Scalar = str | int | float | bool
#: Datetime precisions, coarsest first; each is a numpy ``datetime64`` unit.
Precision = Literal["D", "h", "m", "s", "ms", "us", "ns"]
PRECISIONS: tuple[Precision, ...] = ("D", "h", "m", "s", "ms", "us", "ns")
#: How a regenerated id looks: ``integer`` counts up from the source's minimum, ``uuid``
#: draws random UUID-shaped strings, ``pattern`` is ``id_prefix`` + a (zero-padded) counter.
IdStyle = Literal["integer", "uuid", "pattern"]
#: What personal data a ``pii`` column holds (see :mod:`synthgen_core.kinds.pii`).
PiiType = Literal[
    "email",
    "phone",
    "person_name",
    "street_address",
    "iban",
    "credit_card",
    "ip_address",
    "national_id",
]


class TextModel(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the text kind keeps of a free-text column (see :mod:`synthgen_core.kinds.text`).

    Nothing here was seen in fewer than ``min_count`` rows, except as a hash in ``refused``.
    """

    min_count: int
    #: Values seen at least ``min_count`` times, and how often.
    common: list[str] = []
    common_counts: list[int] = []
    #: Training rows holding a rarer value: their share of the output is generated.
    generated_rows: int = 0
    #: Rows of the generated share with 1, 2, ... words.
    word_counts: list[int] = []
    #: Words found in at least ``min_count`` rows, their occurrences, the share of word
    #: slots they fill, and ``[word, next word, rows]`` for pairs that frequent.
    words: list[str] = []
    word_weights: list[int] = []
    word_share: float = 0.0
    pairs: list[list[int]] = []
    #: The other words' letters (with counts), lengths 1, 2, ... and capitalised share.
    letters: str = ""
    letter_weights: list[int] = []
    word_lengths: list[int] = []
    capital_share: float = 0.0
    #: 64-bit hashes of the rarer training values a generated value must not equal.
    refused: list[int] = []


class PiiModel(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How a ``pii`` column's values look, holding no personal value (see :mod:`.kinds.pii`).

    ``styles`` are formats: digit positions as ``#``, letters as ``@``, the rest literal
    (``"(###) ###-####"``, ``"+44 ## #### ####"``, ``"DE## #### ..."``), or for emails,
    names, addresses and IPs a style word; ``domains`` are email domains seen in at least
    :data:`~synthgen_core.kinds.text_model.MIN_COUNT` rows.
    """

    styles: list[str] = []
    style_weights: list[float] = []
    domains: list[str] = []
    domain_weights: list[float] = []
    #: 64-bit hashes of the training values (normalised) an output value must not equal.
    refused: list[int] = []


class ColumnSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Everything needed to learn a column and to write it back as the user gave it.

    Fields left ``None`` are learned from the table when a codec is fitted, so a user can
    change ``kind`` without knowing the statistics that go with it.
    """

    name: str
    kind: ColumnKind
    #: The source pandas dtype (``str(series.dtype)``), restored on output.
    dtype: str
    #: Share of rows that were missing (NaN/None/NaT/pd.NA or a marker string).
    missing_rate: float = 0.0
    #: Marker strings that meant "missing" in the source (``" ?"`` in adult), each with its
    #: share of the missing cells; the rest of the missing cells were real nulls.
    missing_markers: dict[str, float] = {}
    #: numerical: every value is a whole number.
    integer: bool = False
    #: numerical: decimals to round generated values to (None: do not round).
    decimals: int | None = None
    #: numerical: the source held the numbers as strings (a CSV column with "?" markers);
    #: they are written back as strings with ``decimals`` fixed decimals.
    numbers_as_text: bool = False
    #: numerical and datetime (in ``precision`` units since the epoch): learned range,
    #: generated values are clipped to it.
    min_value: float | None = None
    max_value: float | None = None
    #: datetime held as strings: the strftime format that writes them back verbatim.
    datetime_format: str | None = None
    #: datetime strings ending in a UTC offset (``%z``): the offset generated values are
    #: written in, the column's most common one (``"+01:00"``, ``"Z"``).
    utc_offset: str | None = None
    #: datetime: the unit every value is a whole multiple of.
    precision: Precision | None = None
    #: categorical and boolean: the values as stored, in code order.
    categories: list[Scalar] | None = None
    #: dtype ``category``: the categories are ordered (``pd.Categorical(..., ordered=True)``),
    #: lowest first in ``categories``; generated columns come back ordered the same way.
    ordered: bool = False
    #: constant: the one value (None when the column is entirely missing).
    constant_value: Scalar | None = None
    #: id: how regenerated keys look.
    id_style: IdStyle | None = None
    id_prefix: str = ""
    id_digits: int = 0
    #: text: the word model its values are generated from.
    text: TextModel | None = None
    #: pii: the personal data the column holds (detected, or set by the user).
    pii_type: PiiType | None = None
    #: pii: how its values look, learned at fit.
    pii: PiiModel | None = None
