"""Fake personal values: what is learned of a column's look, and values drawn in that look.

Learning keeps formats, never values: digit and letter positions of phone numbers, card
numbers, IBANs and national ids (``(###) ###-####``; a phone's ``+44``, a card's first two
digits and an IBAN's country stay literal), the separator style of email local parts, the
email domains seen in at least :data:`MIN_DOMAIN_ROWS` rows, the word layout of names and
addresses, and the IP version. Drawing is vectorised: one draw per character position or
name part for all rows, names from Faker's (MIT) US name lists with their frequencies.
Card numbers get a Luhn check digit, IBANs their mod-97 check digits, SSNs valid areas.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd
from faker.providers.address.en_US import Provider as _Places
from faker.providers.person.en_US import Provider as _People

from synthgen_core.metadata.kinds import PiiModel, PiiType
from synthgen_core.metadata.pii import TITLE, mod97

ObjectArray = npt.NDArray[np.object_]
#: An email domain is kept when at least this many training rows use it.
MIN_DOMAIN_ROWS = 5
#: Domains reserved for examples (RFC 2606): they stand in for rarer domains.
SAFE_DOMAINS = ("example.com", "example.org", "example.net")
MAX_STYLES = 20
_FIRST = np.asarray(list(_People.first_names), dtype=object)
_FIRST_P = np.asarray(list(_People.first_names.values()), dtype=np.float64)
_LAST = np.asarray(list(_People.last_names), dtype=object)
_LAST_P = np.asarray(list(_People.last_names.values()), dtype=np.float64)
_STREETS = np.asarray(["Street", "Avenue", "Road", "Lane", "Drive", "Court", "Way", "Place"])
_ABBREVIATED = np.asarray(["St", "Ave", "Rd", "Ln", "Dr", "Ct", "Way", "Pl"])
_CITY_SUFFIXES = np.asarray(_Places.city_suffixes, dtype=object)
_LETTERS = np.asarray(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), dtype="<U1")
#: Letters a UK National Insurance number may start (two) and end (one) with.
_NINO_PREFIX = np.asarray(list("ABCEGHJKLMNPRSTWXYZ"), dtype="<U1")
_NINO_SUFFIX = np.asarray(list("ABCD"), dtype="<U1")
_HEX = np.asarray(list("0123456789abcdef"), dtype="<U1")
_DIGITS = _HEX[:10]


def learn_look(pii_type: PiiType, values: pd.Series) -> PiiModel:
    """The styles (and email domains) of a column's non-missing strings."""
    values = values.astype(str).str.strip()
    shown = np.asarray(_STYLE_OF[pii_type](values), dtype=object)
    styles = pd.Series(shown, dtype=object).value_counts().head(MAX_STYLES)
    domains: list[str] = []
    domain_weights: list[float] = []
    if pii_type == "email":
        domains, domain_weights = _domains(values)
    return PiiModel(
        styles=[str(style) for style in styles.index],
        style_weights=(styles / styles.sum()).tolist(),
        domains=domains,
        domain_weights=domain_weights,
    )


def draw(pii_type: PiiType, model: PiiModel, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    """``n_rows`` fake values of ``pii_type`` in the column's styles."""
    styles = np.asarray(model.styles or [_DEFAULT_STYLE[pii_type]], dtype=object)
    weights = np.asarray(model.style_weights or [1.0], dtype=np.float64)
    chosen = styles[rng.choice(len(styles), size=n_rows, p=weights / weights.sum())]
    if pii_type == "email":
        first, last = first_names(n_rows, rng), last_names(n_rows, rng)
        return emails(model, chosen, first, last, rng)
    out = np.empty(n_rows, dtype=object)
    for style in np.unique(chosen.astype(str)):
        rows = np.flatnonzero(chosen == style)
        out[rows] = _DRAW[pii_type](style, len(rows), rng)
    return out


def first_names(n_rows: int, rng: np.random.Generator) -> ObjectArray:
    return _FIRST[rng.choice(len(_FIRST), size=n_rows, p=_FIRST_P / _FIRST_P.sum())]


def last_names(n_rows: int, rng: np.random.Generator) -> ObjectArray:
    return _LAST[rng.choice(len(_LAST), size=n_rows, p=_LAST_P / _LAST_P.sum())]


def emails(
    model: PiiModel,
    styles: ObjectArray,
    first: ObjectArray,
    last: ObjectArray,
    rng: np.random.Generator,
) -> ObjectArray:
    """``first<sep>last[digits]@domain`` per row: ``styles`` hold the separator and ``#``."""
    n_rows = len(styles)
    style = pd.Series(styles, dtype=object).astype(str)
    separator = style.str.replace("#", "", regex=False)
    digits = pd.Series(rng.integers(1, 100, size=n_rows)).astype(str)
    suffix = digits.where(style.str.contains("#", regex=False), "")
    domains = np.asarray(model.domains or SAFE_DOMAINS[:1], dtype=object)
    weights = np.asarray(model.domain_weights or [1.0], dtype=np.float64)
    domain = domains[rng.choice(len(domains), size=n_rows, p=weights / weights.sum())]
    surname = _plain(last)
    local = _plain(first) + separator.where(surname != "", "") + surname + suffix
    return (local + "@" + pd.Series(domain, dtype=object)).to_numpy(dtype=object)


def _plain(names: ObjectArray) -> pd.Series:
    return (
        pd.Series(names, dtype=object)
        .astype(str)
        .str.lower()
        .str.replace(r"[^a-z0-9]", "", regex=True)
    )


def _domains(values: pd.Series) -> tuple[list[str], list[float]]:
    """Domains of at least MIN_DOMAIN_ROWS rows with their shares; the rest go to example.com."""
    counts = values.str.split("@").str[-1].str.lower().value_counts()
    kept = counts[counts >= MIN_DOMAIN_ROWS]
    rest = float(counts.sum() - kept.sum())
    names = [str(d) for d in kept.index] + ([SAFE_DOMAINS[0]] if rest else [])
    shares = np.append(kept.to_numpy(np.float64), [rest] if rest else [])
    return names, (shares / shares.sum()).tolist()


def _email_style(values: pd.Series) -> pd.Series:
    local = values.str.split("@").str[0]
    separator = np.where(
        local.str.contains(".", regex=False), ".", np.where(local.str.contains("_"), "_", "")
    )
    return pd.Series(np.char.add(separator, np.where(local.str.contains(r"\d"), "#", "")))


def _shape(values: pd.Series) -> pd.Series:
    """Digits as ``#``, letters as ``@``, other characters kept."""
    return values.str.replace(r"\d", "#", regex=True).str.replace(r"[A-Za-z]", "@", regex=True)


def _phone_style(values: pd.Series) -> pd.Series:
    country = r"^(\+\d{1,3})(?=[ .(-])"
    prefix = values.str.extract(country, expand=False).fillna("")
    return prefix + _shape(values.str.replace(country, "", regex=True))


def _kept_prefix(width: int) -> Callable[[pd.Series], pd.Series]:
    """Styles keeping the first ``width`` characters (a card network, an IBAN country)."""

    def style(values: pd.Series) -> pd.Series:
        return values.str.slice(0, width) + _shape(values.str.slice(width))

    return style


def _name_style(values: pd.Series) -> pd.Series:
    """``first [middle] last``, ``last, first``, or a listed ``last, Title. first [middle]``.

    A listed name keeps its honorific (``Mr.``, ``Mrs.``): a title is not personal, and a
    passenger list without them would not look like one.
    """
    words = values.str.count(r"\s+") + 1
    plain = np.where(words >= 3, "first middle last", np.where(words == 2, "first last", "first"))
    title = values.str.extract(rf",\s+({TITLE})\s", expand=False)
    given = values.str.replace(r"\s*\(.*\)$", "", regex=True).str.split(",").str[-1]
    middle = np.where(given.str.count(r"\S+") >= 3, " first middle", " first")
    listed = np.char.add(np.char.add("last, ", title.fillna("").astype(str)), middle)
    comma = np.where(title.notna(), listed, "last, first")
    return pd.Series(np.where(values.str.contains(","), comma, plain), index=values.index)


def _address_style(values: pd.Series) -> pd.Series:
    german = values.str.fullmatch(r"\D+\s+\d{1,4}[a-z]?")
    short = values.str.contains(r"(?i)\b(?:st|ave|rd|ln|dr|ct|pl|blvd)\b")
    extra = np.where(
        values.str.contains(r"(?i)\b(?:apt|suite|unit)\b|#"),
        "+apt",
        np.where(values.str.contains(","), "+city", ""),
    )
    base = np.where(german, "de", np.where(short, "us short", "us"))
    return pd.Series(np.char.add(base.astype(str), np.where(german, "", extra).astype(str)))


def _ip_style(values: pd.Series) -> pd.Series:
    return pd.Series(np.where(values.str.contains(":"), "v6", "v4"), index=values.index)


def _from_shape(style: str, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    """Every ``#`` a random digit, every ``@`` a random capital letter."""
    return _joined(_grid(style, n_rows, rng))


def _grid(style: str, n_rows: int, rng: np.random.Generator) -> np.ndarray:
    """(N, L) characters of ``style`` with its placeholders drawn."""
    template = np.asarray(list(style), dtype="<U1")
    grid = np.tile(template, (n_rows, 1))  # (N, L)
    digits = template == "#"
    letters = template == "@"
    grid[:, digits] = _DIGITS[rng.integers(0, 10, size=(n_rows, int(digits.sum())))]
    grid[:, letters] = _LETTERS[rng.integers(0, 26, size=(n_rows, int(letters.sum())))]
    return grid


def _joined(grid: np.ndarray) -> ObjectArray:
    width = max(grid.shape[1], 1)
    return np.ascontiguousarray(grid).view(f"<U{width}").ravel().astype(object)


def _card(style: str, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    """Random digits in the shape, the last one set so that the Luhn checksum holds."""
    grid = _grid(style, n_rows, rng)
    positions = np.flatnonzero(np.char.isdigit(grid[0]))  # digit columns, left to right
    codes = np.ascontiguousarray(grid[:, positions[:-1]]).view(np.int32)
    digits = codes.astype(np.int64) - ord("0")  # (N, D - 1) without the check digit
    doubled = (np.arange(digits.shape[1])[::-1] % 2) == 0  # next to the check digit: doubled
    weighted = np.where(doubled, digits * 2, digits)
    total = (weighted // 10 + weighted % 10).sum(axis=1)
    grid[:, positions[-1]] = _DIGITS[(10 - total % 10) % 10]
    return _joined(grid)


def _iban(style: str, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    """The country, then the check digits ``98 - (BBAN + country + 00) mod 97``."""
    grid = _grid(style, n_rows, rng)
    kept = np.flatnonzero(grid[0] != " ")  # (C,) the compact IBAN's columns
    rearranged = np.concatenate([kept[4:], kept[:2]])
    codes = np.ascontiguousarray(grid[:, rearranged]).view(np.int32)  # (N, C - 2)
    zeros = np.full((n_rows, 2), ord("0"), dtype=np.int32)
    check = 98 - mod97(np.concatenate([codes, zeros], axis=1))
    grid[:, kept[2]] = _DIGITS[check // 10]
    grid[:, kept[3]] = _DIGITS[check % 10]
    return _joined(grid)


def _national_id(style: str, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    """SSNs in issued ranges, UK NI numbers with their allowed letters, else the shape."""
    if style.replace(" ", "") == "@@######@":
        grid = _grid(style, n_rows, rng)
        grid[:, :2] = _NINO_PREFIX[rng.integers(0, len(_NINO_PREFIX), size=(n_rows, 2))]
        grid[:, -1] = _NINO_SUFFIX[rng.integers(0, len(_NINO_SUFFIX), size=n_rows)]
        return _joined(grid)
    if style != "###-##-####":
        return _from_shape(style, n_rows, rng)
    area = rng.integers(1, 899, size=n_rows)
    area = np.where(area == 666, 667, area)  # 000, 666 and 9xx are never issued
    group, serial = rng.integers(1, 100, size=n_rows), rng.integers(1, 10_000, size=n_rows)
    parts = [pd.Series(p).astype(str).str.zfill(w) for p, w in ((area, 3), (group, 2), (serial, 4))]
    return (parts[0] + "-" + parts[1] + "-" + parts[2]).to_numpy(dtype=object)


def _person(style: str, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    first, last = first_names(n_rows, rng), last_names(n_rows, rng)
    out = first + " " + last
    if style == "first":
        out = first
    elif style == "last, first":
        out = last + ", " + first
    elif style.startswith("last, "):  # a listed name: "last, Mr. first [middle]"
        title = style.split()[1]
        out = last + ", " + title + " " + first
        if style.endswith("middle"):
            out = out + " " + first_names(n_rows, rng)
    elif style == "first middle last":
        out = first + " " + first_names(n_rows, rng) + " " + last
    return np.asarray(out, dtype=object)


def _address(style: str, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    number = pd.Series(rng.integers(1, 9_999, size=n_rows)).astype(str).to_numpy(dtype=object)
    street = last_names(n_rows, rng)
    if style.startswith("de"):
        house = pd.Series(rng.integers(1, 200, n_rows)).astype(str).to_numpy(object)
        return np.asarray(street + "straße " + house, dtype=object)
    words = _ABBREVIATED if style.startswith("us short") else _STREETS
    out = number + " " + street + " " + words[rng.integers(0, len(words), n_rows)].astype(object)
    if style.endswith("+apt"):
        out = out + ", Apt " + pd.Series(rng.integers(1, 500, n_rows)).astype(str).to_numpy(object)
    if style.endswith("+city"):
        city = (
            last_names(n_rows, rng) + _CITY_SUFFIXES[rng.integers(0, len(_CITY_SUFFIXES), n_rows)]
        )
        out = out + ", " + city
    return np.asarray(out, dtype=object)


def _ip(style: str, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    if style == "v6":  # inside 2001:db8::/32, the range reserved for documentation
        groups = _HEX[rng.integers(0, 16, size=(n_rows, 6, 4))]  # (N, 6, 4)
        words = np.char.lstrip(np.ascontiguousarray(groups).view("<U4")[..., 0], "0")
        words = np.where(words == "", "0", words)  # (N, 6)
        joined = pd.Series(["2001:db8"] * n_rows, dtype=object)
        for position in range(6):
            joined = joined + ":" + words[:, position].astype(object)
        return joined.to_numpy(dtype=object)
    octets = pd.DataFrame(rng.integers(0, 256, size=(n_rows, 4))).astype(str)
    octets[0] = pd.Series(rng.integers(11, 224, size=n_rows)).astype(str)
    return (octets[0] + "." + octets[1] + "." + octets[2] + "." + octets[3]).to_numpy(object)


_STYLE_OF = {
    "email": _email_style,
    "phone": _phone_style,
    "person_name": _name_style,
    "street_address": _address_style,
    "iban": _kept_prefix(2),
    "credit_card": _kept_prefix(2),
    "ip_address": _ip_style,
    "national_id": _shape,
}
_DRAW = {
    "phone": _from_shape,
    "person_name": _person,
    "street_address": _address,
    "iban": _iban,
    "credit_card": _card,
    "ip_address": _ip,
    "national_id": _national_id,
}
_DEFAULT_STYLE: dict[str, str] = {
    "email": ".",
    "phone": "(###) ###-####",
    "person_name": "first last",
    "street_address": "us",
    "iban": "DE## #### #### #### #### ##",
    "credit_card": "41## #### #### ####",
    "ip_address": "v4",
    "national_id": "###-##-####",
}
