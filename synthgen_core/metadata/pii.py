"""Recognising personal data in a column, and the key two personal values are compared by.

Each type is a vectorised check over the column's non-missing strings (``str.fullmatch``,
then a checksum where the type has one): a column is personal data of a type when at
least :data:`MIN_SHARE` of at least :data:`MIN_ROWS` values pass. The checks are strict on
purpose, since a column marked ``pii`` loses its values:

* ``email``: ``local@domain.tld``;
* ``iban``: two letters, two check digits, 11-30 letters or digits (spaces allowed every
  four), and the ISO 13616 mod-97 checksum;
* ``credit_card``: 13-19 digits (spaces or dashes between groups), a card network's first
  digit (3-6) and the Luhn checksum;
* ``national_id``: a US SSN ``ddd-dd-dddd`` (dashes required: nine bare digits are a number)
  or a UK National Insurance number ``AB 12 34 56 C``;
* ``ip_address``: IPv4 dotted quads or IPv6 (full or ``::``-compressed), in a column of many
  distinct values (a version column ``1.2.3.4`` repeats);
* ``phone``: 10-15 digits in groups of 2-4 with separators, brackets or a leading ``+``
  (``+44 20 7946 0958``, ``(555) 123-4567``); bare digit runs, zip codes and ISBNs are not;
* ``street_address``: a house number then words ending in a street word (``12 Oak St``,
  ``5 Elm Avenue, Apt 3``) or a German-style ``Hauptstraße 5``;
* ``person_name``: a name-like column name (``name``, ``full_name``, ``customer``) holding one
  to three capitalised words, ``Last, First`` or a passenger-list ``Last, Title. First Middle
  (Maiden Name)``, most of which hold a common first or last name or such a title.

A column of integers is checked for card numbers only (its digits, Luhn included): other
personal data never comes as a bare number, and a number that merely looks like one (a zip
code, an account number) must keep being learned.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from faker.providers.person.en_US import Provider as _People
from pandas.api import types as ptypes

from synthgen_core.metadata.kinds import PiiType

MIN_ROWS = 10
MIN_SHARE = 0.9
#: Share of an IP column's values that must be distinct.
MIN_DISTINCT_IPS = 0.5
#: Types are tried on this many values; only a type that passes is checked on them all.
PROBE_ROWS = 2_000

_EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_IBAN = r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?"
_CARD = r"[3-6]\d{3}(?:[ -]?\d{2,6}){2,4}"
_SSN = r"(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}"
_NINO = r"[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_H = r"[0-9A-Fa-f]{1,4}"
_IPV6 = "|".join(
    [
        rf"(?:{_H}:){{7}}{_H}",
        rf"(?:{_H}:){{1,7}}:",
        *[rf"(?:{_H}:){{1,{7 - k}}}(?::{_H}){{{k}}}" for k in range(1, 7)],
        rf":(?::{_H}){{1,7}}",
        "::",
    ]
)
_PHONE = r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)|\d{2,4})(?:[ .-]?\(?\d{2,4}\)?){1,4}"
_STREET_WORDS = (
    "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    "terrace|ter|circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl|crescent|close"
)
_US_STREET = (
    rf"(?i:\d{{1,6}}[A-Za-z]?\s+(?:[A-Za-z0-9.'-]+\s+){{1,4}}(?:{_STREET_WORDS})\.?(?:\s+[NSEW]{{1,2}})?"
    r"(?:\s*,?\s*(?:apt|suite|unit|#)\.?\s*[A-Za-z0-9-]+)?(?:,\s*[^,]+){0,3})"
)
_DE_STREET = r"[A-ZÄÖÜ][\w.-]*(?i:straße|strasse|str\.|weg|gasse|platz|allee)\s+\d{1,4}[a-z]?"
_NAME_COLUMN = re.compile(
    r"(^|[_\-\s.])(name|full_?name|first_?name|last_?name|surname|given_?name|customer|"
    r"person|contact|employee|patient|owner|author)s?$",
    re.IGNORECASE,
)
#: A capitalised word, inner capitals allowed after a prefix (``McCarthy``, ``O'Dwyer``).
_NAME_WORD = r"[A-Z](?:[a-z'\u2019-]*[A-Z])?[a-z'\u2019-]+"
#: An honorific between a listed name's comma and its given names (``Mr.``, ``Mrs.``, ``Dr.``).
TITLE = r"[A-Z][a-z]{1,7}\."
_LISTED_NAME = (
    rf"{_NAME_WORD}(?:[ -]{_NAME_WORD}){{0,2}},\s+(?:{TITLE}\s+)?{_NAME_WORD}"
    rf"(?:\s+[A-Z][a-z'\u2019.-]*){{0,3}}(?:\s+\"[^\"]+\")?(?:\s+\([^()]+\))?"
)
_NAME_VALUE = rf"{_NAME_WORD}(?:\s+[A-Z][a-z'\u2019.-]*){{0,2}}|{_LISTED_NAME}"
#: Common first and last names (lower case): a name column's values mostly start with one.
KNOWN_NAMES = sorted({name.lower() for name in (*_People.first_names, *_People.last_names)})
#: Detection order: the checksummed and most specific types first.
_ORDER: tuple[PiiType, ...] = (
    "email",
    "iban",
    "credit_card",
    "national_id",
    "ip_address",
    "phone",
    "street_address",
    "person_name",
)


def detect_pii(name: str, present: pd.Series) -> PiiType | None:
    """The personal-data type of a column's non-missing values, or None."""
    if len(present) < MIN_ROWS:
        return None
    inferred = ptypes.infer_dtype(present, skipna=True)
    if inferred == "integer" and not _card_sized(present):
        return None
    if inferred not in ("string", "integer"):
        return None
    sampled = present.sample(PROBE_ROWS, random_state=0) if len(present) > PROBE_ROWS else present
    probe = sampled.astype(str).str.strip()
    for pii_type in _ORDER if inferred == "string" else ("credit_card",):
        if _share(pii_type, name, probe) >= MIN_SHARE:
            if sampled is present:
                return pii_type
            values = present.astype(str).str.strip()
            return pii_type if _share(pii_type, name, values) >= MIN_SHARE else None
    return None


def _card_sized(present: pd.Series) -> bool:
    """Whether most integers have a card number's 13-19 digits (a cheap check before text)."""
    magnitude = pd.to_numeric(present, errors="coerce").abs()
    return bool(magnitude.between(10**12, 10**19).mean() >= MIN_SHARE)


def _share(pii_type: PiiType, name: str, values: pd.Series) -> float:
    """Share of ``values`` that pass the check of ``pii_type``."""
    if pii_type == "person_name":
        return _name_share(name, values)
    passed = values.str.fullmatch(_PATTERNS[pii_type])
    if pii_type == "credit_card":
        digits = values.str.replace(r"\D", "", regex=True)
        passed &= digits.str.len().between(13, 19) & luhn_valid(digits)
    elif pii_type == "iban":
        passed &= iban_valid(values.str.replace(" ", "", regex=False))
    elif pii_type == "phone":
        grouped = values.str.contains(r"[+()\s.-]") & ~values.str.contains(r"\d{5}")
        international = values.str.fullmatch(r"\+\d{10,15}")
        passed &= values.str.count(r"\d").between(10, 15) & (grouped | international)
    elif pii_type == "ip_address":
        passed &= values.nunique() >= MIN_DISTINCT_IPS * len(values)
    return float(passed.mean())


def _name_share(name: str, values: pd.Series) -> float:
    """Capitalised 1-3 word values, mostly starting with a known name, under a name column."""
    if not _NAME_COLUMN.search(name):
        return 0.0
    shaped = values.str.fullmatch(_NAME_VALUE)
    word = r"([A-Za-z'\u2019-]+)"
    known = values.str.contains(rf",\s+{TITLE}\s")  # a passenger list's titles say enough
    for part in (rf"^{word}", rf"{word}$", rf",\s+(?:{TITLE}\s+)?{word}"):
        known |= values.str.extract(part, expand=False).str.lower().isin(KNOWN_NAMES)
    return float((shaped & known).mean())


def luhn_valid(digits: pd.Series) -> pd.Series:
    """Per value of digit strings: passes the Luhn checksum (all rows at once, right-aligned)."""
    width = int(digits.str.len().max()) if len(digits) else 0
    if width == 0:
        return pd.Series(False, index=digits.index)
    padded = digits.str.zfill(width).to_numpy(dtype=f"<U{width}")
    matrix = padded.view("<U1").reshape(len(digits), width).astype(np.int64)  # (N, W)
    doubled = matrix * np.where((np.arange(width)[::-1] % 2) == 1, 2, 1)  # every second from right
    total = (doubled // 10 + doubled % 10).sum(axis=1)
    return pd.Series(total % 10 == 0, index=digits.index)


def iban_valid(compact: pd.Series) -> pd.Series:
    """Per value of spaceless IBAN strings: the ISO 13616 check (mod 97 of the digits is 1)."""
    remainder = iban_remainder(compact.str.slice(4) + compact.str.slice(0, 4))
    return pd.Series(remainder == 1, index=compact.index)


def iban_remainder(rearranged: pd.Series) -> np.ndarray:
    """The mod-97 remainder of each string with letters read as 10-35 (others skipped)."""
    width = max(int(rearranged.str.len().max()) if len(rearranged) else 0, 1)
    chars = rearranged.str.upper().str.ljust(width).to_numpy(dtype=f"<U{width}")
    return mod97(chars.view(np.int32).reshape(len(rearranged), width))


def mod97(codes: np.ndarray) -> np.ndarray:
    """(N,) remainders of (N, W) code points read left to right, one column at a time."""
    remainder = np.zeros(len(codes), dtype=np.int64)
    for position in range(codes.shape[1]):
        code = codes[:, position].astype(np.int64)
        digit = (code >= ord("0")) & (code <= ord("9"))
        letter = (code >= ord("A")) & (code <= ord("Z"))
        remainder = np.where(digit, (remainder * 10 + code - ord("0")) % 97, remainder)
        remainder = np.where(letter, (remainder * 100 + code - ord("A") + 10) % 97, remainder)
    return remainder


def pii_keys(values: pd.Series) -> pd.Series:
    """The form two personal values are compared in: lower case, letters and digits only.

    ``(555) 123-4567`` and ``555.123.4567`` are one phone number, ``John Smith`` and
    ``john  smith`` one name.
    """
    return values.astype(str).str.lower().str.replace(r"[\W_]", "", regex=True)


_PATTERNS: dict[str, str] = {
    "email": _EMAIL,
    "iban": _IBAN,
    "credit_card": _CARD,
    "national_id": f"{_SSN}|{_NINO}",
    "ip_address": f"{_IPV4}|{_IPV6}",
    "phone": _PHONE,
    "street_address": f"{_US_STREET}|{_DE_STREET}",
}
