"""Personal-data detection: odd formats are found, look-alikes (ids, codes, text) are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgen_core.metadata import ColumnKind, Metadata
from synthgen_core.metadata.pii import detect_pii

N_ROWS = 60


def column(values: list[str], n_rows: int = N_ROWS) -> pd.Series:
    return pd.Series((values * n_rows)[:n_rows], dtype=object)


def distinct_ips(n_rows: int = N_ROWS) -> list[str]:
    rng = np.random.default_rng(0)
    v4 = [".".join(str(o) for o in rng.integers(1, 255, 4)) for _ in range(n_rows // 2)]
    v6 = [f"2001:db8::{i:x}:{i * 7:x}" for i in range(n_rows // 4)]
    full = [f"2001:0db8:85a3:0000:0000:8a2e:0370:{i:04x}" for i in range(n_rows // 4)]
    return v4 + v6 + full


FOUND = {
    "email": ("email", ["john.smith@example.com", "a.b+news@mail.co.uk", "x_y9@sub.example.org"]),
    "phone": (
        "phone",
        ["+44 20 7946 0958", "(555) 123-4567", "555.123.4567", "+1-555-123-4567", "+14155552671"],
    ),
    "iban": (
        "iban",
        ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "FR1420041010050500013M02606"],
    ),
    "card": ("credit_card", ["4111-1111-1111-1111", "5500 0000 0000 0004", "378282246310005"]),
    "ssn": ("national_id", ["123-45-6789", "078-05-1120", "AB 12 34 56 C"]),
    "address": (
        "street_address",
        [
            "12 Oak St",
            "5 Elm Avenue, Apt 3",
            "1600 Pennsylvania Avenue NW, Washington, DC",
            "Hauptstraße 5",
        ],
    ),
    "customer_name": (
        "person_name",
        ["John Smith", "Mary Jones", "Smith, John", "Anna Maria Lopez"],
    ),
}


@pytest.mark.parametrize("name", list(FOUND))
def test_personal_data_in_odd_formats_is_found(name: str) -> None:
    pii_type, values = FOUND[name]
    assert detect_pii(name, column(values)) == pii_type
    spec = Metadata.detect(pd.DataFrame({name: column(values)})).column(name)
    assert (spec.kind, spec.pii_type) == (ColumnKind.PII, pii_type)


def test_ipv4_and_ipv6_addresses_are_found() -> None:
    spec = Metadata.detect(pd.DataFrame({"client": distinct_ips()})).column("client")
    assert (spec.kind, spec.pii_type) == (ColumnKind.PII, "ip_address")


LOOK_ALIKES = {
    "customer_id": ["C00042", "C00043", "C00044"],
    "product_code": ["AB-1234-XY", "CD-9876-ZZ", "EF-5555-QQ"],
    "zip": ["12345", "12345-6789", "90210", "02134"],
    "isbn": ["978-3-16-148410-0", "978-1-4028-9462-6"],
    "version": ["1.2.3.4", "10.0.19041.1"],
    "comment": ["John Smith was great, call 555-123-4567", "mail me at a@b.com please"],
    "city": ["New York", "Los Angeles", "San Diego"],
    "name": ["Widget Pro", "Gadget Max", "Turbo Blender"],
    "account": ["5551234567", "5559876543"],  # bare digit runs are numbers, not phones
    "card": ["4111-1111-1111-1112", "5500 0000 0000 0005"],  # Luhn fails
    "iban": ["DE00 3704 0044 0532 0130 00", "GB00WEST12345698765432"],  # mod 97 fails
    "mac": ["00:1A:2B:3C:4D:5E", "AA:BB:CC:DD:EE:FF"],
    "time": ["12:30:45", "08:15:00"],
    "amount": ["1 234 567", "12 345 678"],
}


@pytest.mark.parametrize("name", list(LOOK_ALIKES))
def test_look_alikes_are_not_personal_data(name: str) -> None:
    values = column(LOOK_ALIKES[name])
    assert detect_pii(name, values) is None
    assert Metadata.detect(pd.DataFrame({name: values})).column(name).kind != ColumnKind.PII


def test_a_few_rows_or_a_low_share_are_not_enough() -> None:
    assert detect_pii("email", column(["a@example.com"], 5)) is None
    mostly_text = ["a@example.com"] * 8 + ["none", "n/a", "unknown"]
    assert detect_pii("email", column(mostly_text, 110)) is None


def test_card_numbers_stored_as_integers_are_found_and_other_numbers_are_not() -> None:
    assert detect_pii("card", pd.Series([4111111111111111, 5500000000000004] * 30)) == (
        "credit_card"
    )
    assert detect_pii("card", pd.Series([4111111111111112, 5500000000000005] * 30)) is None
    assert detect_pii("phone", pd.Series([4155552671, 2079460958] * 30)) is None
    assert detect_pii("ssn", pd.Series([123456789, 78051120] * 30)) is None


PASSENGERS = [
    "Braund, Mr. Owen Harris",
    "Cumings, Mrs. John Bradley (Florence Briggs Thayer)",
    "Heikkinen, Miss. Laina",
    "McCarthy, Mr. Timothy J",
    "Palsson, Master. Gosta Leonard",
    'O\'Dwyer, Miss. Ellen "Nellie"',
    "Uruchurtu, Don. Manuel E",
]


def test_a_passenger_list_of_titled_names_is_found() -> None:
    assert detect_pii("Name", column(PASSENGERS)) == "person_name"
    assert detect_pii("Ticket", column(PASSENGERS)) is None  # not a name column
