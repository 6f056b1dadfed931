"""Personal data is faked: valid values of its type, in the column's format, never a real one."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from faker.providers.person.en_US import Provider as _People
from hypothesis import given, settings
from hypothesis import strategies as st

import synthgen_core as sg
from synthgen_core.errors import ConditionError, DataError
from synthgen_core.kinds import kind_of
from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata
from synthgen_core.metadata.pii import detect_pii
from synthgen_core.models import registry

FIRST = ["John", "Mary", "Anna", "Peter", "Linda", "James", "Robert", "Susan", "David", "Karen"]
LAST = ["Smith", "Jones", "Brown", "Lopez", "Miller", "Davis", "Wilson", "Moore"]
TINY = {
    "epochs": 1,
    "batch_size": 50,
    "device": "cpu",
    "embedding_dim": 8,
    "max_epochs": 1,
    "generator_dim": [16],
    "discriminator_dim": [16],
    "compress_dims": [16],
    "decompress_dims": [16],
    "width": 16,
    "depth": 1,
    "heads": 2,
}


def people(n_rows: int = 300, seed: int = 0) -> pd.DataFrame:
    """Names, emails written from them, UK phones, cards, IBANs, IPs, SSNs and a number."""
    rng = np.random.default_rng(seed)
    first, last = rng.choice(FIRST, n_rows), rng.choice(LAST, n_rows)
    number = pd.Series(rng.integers(0, 1000, n_rows)).astype(str)
    digits = rng.integers(0, 10_000, size=(n_rows, 2))
    return pd.DataFrame(
        {
            "customer_name": pd.Series(first) + " " + pd.Series(last),
            "email": pd.Series(first).str.lower()
            + "."
            + pd.Series(last).str.lower()
            + number
            + pd.Series(rng.choice(["@gmail.com", "@acme-corp.com"], n_rows)),
            "phone": [f"+44 20 {a:04d} {b:04d}" for a, b in digits],
            "card": [luhn_fixed(f"4{d:014d}") for d in rng.integers(0, 10**14, n_rows)],
            "iban": ["DE89 3704 0044 0532 0130 00", "DE44 5001 0517 5407 3249 31"] * (n_rows // 2),
            "ip": [f"10.{a}.{b}.{c}" for a, b, c in rng.integers(0, 256, size=(n_rows, 3))],
            "ssn": [
                f"{a:03d}-{b:02d}-{c:04d}"
                for a, b, c in zip(
                    rng.integers(1, 600, n_rows),
                    rng.integers(1, 99, n_rows),
                    rng.integers(1, 9999, n_rows),
                    strict=True,
                )
            ],
            "spend": rng.gamma(2.0, 50.0, n_rows).round(2),
        }
    )


def luhn_sum(number: str) -> int:
    digits = [int(d) for d in re.sub(r"\D", "", number)][::-1]
    return sum(d if i % 2 == 0 else (2 * d) // 10 + (2 * d) % 10 for i, d in enumerate(digits))


def luhn_fixed(head: str) -> str:
    return next(head + str(d) for d in range(10) if luhn_sum(head + str(d)) % 10 == 0)


def iban_ok(value: str) -> bool:
    compact = value.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def normal(values: pd.Series) -> set[str]:
    return set(values.astype(str).str.lower().str.replace(r"[\W_]", "", regex=True))


VALID: dict[str, Any] = {
    "customer_name": lambda v: re.fullmatch(r"[A-Z][A-Za-z'-]+ [A-Z][A-Za-z'-]+", v),
    "email": lambda v: re.fullmatch(r"[a-z]+\.[a-z]+\d{1,2}@(gmail\.com|acme-corp\.com)", v),
    "phone": lambda v: re.fullmatch(r"\+44 \d{2} \d{4} \d{4}", v),
    "card": lambda v: re.fullmatch(r"4\d{15}", v) and luhn_sum(v) % 10 == 0,
    "iban": lambda v: re.fullmatch(r"DE\d{2}( \d{4}){4} \d{2}", v) and iban_ok(v),
    "ip": lambda v: ipaddress.ip_address(v).version == 4,
    "ssn": lambda v: re.fullmatch(r"(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}", v),
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return people()


@pytest.fixture(scope="module")
def fitted(table: pd.DataFrame) -> sg.GaussianCopula:
    return sg.GaussianCopula(seed=0).fit(table)


def test_every_personal_column_is_detected(table: pd.DataFrame) -> None:
    meta = Metadata.detect(table)
    types = {spec.name: spec.pii_type for spec in meta.columns if spec.kind == ColumnKind.PII}
    assert types == {
        "customer_name": "person_name",
        "email": "email",
        "phone": "phone",
        "card": "credit_card",
        "iban": "iban",
        "ip": "ip_address",
        "ssn": "national_id",
    }


@pytest.mark.parametrize("name", list(VALID))
def test_output_values_are_valid_in_format_and_never_real(
    table: pd.DataFrame, fitted: sg.GaussianCopula, name: str
) -> None:
    sample = fitted.sample(2_000, seed=1)
    values = sample[name]
    assert values.notna().all()
    assert values.map(lambda v: bool(VALID[name](v))).all(), values[:5].tolist()
    assert not normal(values) & normal(table[name])
    assert values.nunique() > 100 or name == "iban"


def test_emails_agree_with_the_name_of_their_row(fitted: sg.GaussianCopula) -> None:
    sample = fitted.sample(500, seed=2)
    first = sample["customer_name"].str.split().str[0].str.lower()
    last = (
        sample["customer_name"].str.split().str[-1].str.lower().str.replace(r"\W", "", regex=True)
    )
    local = sample["email"].str.split("@").str[0]
    expected = first.str.replace(r"\W", "", regex=True) + "." + last
    assert (local.str.replace(r"\d+$", "", regex=True) == expected).all()


def test_the_model_file_holds_no_personal_value(
    table: pd.DataFrame, fitted: Any, tmp_path: Path
) -> None:
    fitted.save(tmp_path / "model.sgm")
    header = (tmp_path / "model.sgm").read_bytes()
    for name in ("customer_name", "email", "phone", "ssn"):
        assert not any(value.encode() in header for value in table[name].unique())
    loaded = sg.load(tmp_path / "model.sgm")
    pd.testing.assert_frame_equal(loaded.sample(300, seed=4), fitted.sample(300, seed=4))


def test_the_same_seed_gives_the_same_fake_values(fitted: sg.GaussianCopula) -> None:
    pd.testing.assert_frame_equal(fitted.sample(200, seed=7), fitted.sample(200, seed=7))
    assert not fitted.sample(200, seed=7)["email"].equals(fitted.sample(200, seed=8)["email"])


def test_missing_cells_keep_their_share() -> None:
    table = people()
    table.loc[::4, "phone"] = None
    sample = sg.create("gaussian_copula", seed=0).fit(table).sample(2_000, seed=0)
    assert abs(sample["phone"].isna().mean() - 0.25) < 0.04


@pytest.mark.parametrize("model_type", [info.id for info in registry.model_types()])
def test_every_model_type_fakes_personal_columns(model_type: str) -> None:
    table = people(120)
    fields = registry.model_class(model_type).config_type.__struct_fields__
    options = {key: value for key, value in TINY.items() if key in fields}
    sample = sg.create(model_type, seed=0, **options).fit(table).sample(100, seed=0)
    for name in ("email", "phone", "card", "ssn"):
        assert sample[name].map(lambda v, n=name: bool(VALID[n](v))).all()
        assert not normal(sample[name]) & normal(table[name])


def test_users_keep_real_values_or_fake_any_column(table: pd.DataFrame) -> None:
    codes = table.assign(code=[f"K{i % 7}" for i in range(len(table))])
    meta = Metadata.detect(codes).update_column("customer_name", kind="categorical")
    meta = meta.update_column("code", kind="pii", pii_type="national_id")
    sample = sg.create("gaussian_copula", seed=0).fit(codes, meta).sample(300, seed=0)
    assert set(sample["customer_name"]) <= set(table["customer_name"])
    assert sample["code"].str.fullmatch(r"[A-Z]\d").all()
    assert not sample["code"].isin(codes["code"]).any()


def test_a_pii_column_without_a_type_needs_one() -> None:
    table = pd.DataFrame({"spend": np.linspace(1.0, 2.0, 50), "note": ["x"] * 50})
    meta = Metadata.detect(table).update_column("note", kind="pii")
    with pytest.raises(DataError, match=r"'note'.*pii_type"):
        sg.create("gaussian_copula", seed=0).fit(table, meta)
    with pytest.raises(DataError, match="pii_type"):
        Metadata.detect(table).update_column("note", kind="pii", pii_type="passport")


def test_conditions_on_personal_data_are_refused(fitted: sg.GaussianCopula) -> None:
    with pytest.raises(ConditionError, match=r"'email'.*categorical"):
        fitted.sample(10, conditions={"email": "john.smith1@gmail.com"})


def test_the_report_checks_that_no_real_value_came_out(
    table: pd.DataFrame, fitted: sg.GaussianCopula
) -> None:
    report = sg.evaluate(table, fitted.sample(500, seed=3))
    assert report.privacy is not None and report.privacy.pii_copy_rate == 0.0
    assert report.privacy.n_pii_values == 500 * 7
    assert "none equals a real value" in report.summary()
    copied = sg.evaluate(table, table.sample(100, random_state=0))
    assert copied.privacy is not None and copied.privacy.pii_copy_rate == 1.0


ODD = {
    "iban": ["GB82 WEST 1234 5698 7654 32", "GB33BUKB20201555555555", "NL91ABNA0417164300"],
    "contact": ["Smith, John", "Jones, Mary", "Brown, Anna", "Lopez, Peter"],
    "address": ["12 Oak St", "5 Elm St, Apt 3", "Hauptstraße 5", "77 Pine Avenue, Springfield"],
    "ip": [f"fe80::1ff:fe23:{i:x}:890a" for i in range(80)],
    "nino": ["AB 12 34 56 C", "CE 98 76 54 A", "JK 11 22 33 D"],
}


def test_integer_card_numbers_come_back_as_valid_integers_never_real() -> None:
    rng = np.random.default_rng(0)
    real = [int(luhn_fixed(f"5{d:014d}")) for d in rng.integers(0, 10**14, 100)]
    table = pd.DataFrame({"card": real, "x": rng.normal(size=100)})
    values = sg.GaussianCopula(seed=0).fit(table).sample(500, seed=0)["card"]
    assert values.dtype == np.int64
    assert detect_pii("card", values) == "credit_card"
    assert values.astype(str).str.fullmatch(r"5\d{15}").all()
    assert not set(values) & set(real)


def test_titled_names_keep_their_titles_and_are_never_real() -> None:
    rng = np.random.default_rng(0)
    listed = pd.Series(rng.choice(FIRST, 80)) + " " + pd.Series(rng.choice(LAST, 80))
    titles = pd.Series(rng.choice(["Mr.", "Mrs.", "Miss."], 80))
    names = pd.Series(rng.choice(LAST, 80)) + ", " + titles + " " + listed
    table = pd.DataFrame({"Name": names, "x": rng.normal(size=80)})
    values = sg.GaussianCopula(seed=0).fit(table).sample(500, seed=0)["Name"]
    pattern = r"[A-Z][\w'-]+, (Mr|Mrs|Miss)\. [A-Z][\w'-]+( [A-Z][\w'-]+)?"
    assert values.str.fullmatch(pattern).all()
    assert values.str.count(" ").max() == 3  # the middle names learned
    assert not normal(values) & normal(table["Name"])


@pytest.mark.parametrize("name", list(ODD))
def test_odd_formats_come_back_valid_and_never_real(name: str) -> None:
    rng = np.random.default_rng(0)
    table = pd.DataFrame({name: rng.choice(ODD[name], 80), "x": rng.normal(size=80)})
    spec = Metadata.detect(table).column(name)
    assert spec.kind == ColumnKind.PII
    values = sg.GaussianCopula(seed=0).fit(table).sample(1_000, seed=0)[name]
    assert detect_pii(name, values) == spec.pii_type
    assert not normal(values) & normal(table[name])
    if name == "iban":
        assert values.map(iban_ok).all()
        assert set(values.str[:2]) == {"GB", "NL"}
    if name == "ip":
        assert values.map(lambda v: ipaddress.ip_address(v).version == 6).all()
    if name == "contact":
        assert values.str.fullmatch(r"[A-Z][\w'-]+, [A-Z][\w'-]+").all()


def test_a_new_pii_type_is_learned_again_and_needs_kind_pii(table: pd.DataFrame) -> None:
    meta = Metadata.detect(table)
    retyped = meta.update_column("ssn", pii_type="phone")
    assert retyped.column("ssn").pii is None  # the SSN formats are not kept for phones
    sample = sg.GaussianCopula(seed=0).fit(table, retyped).sample(200, seed=0)
    assert sample["ssn"].str.fullmatch(r"\d{3}-\d{2}-\d{4}").all()  # the column's format
    with pytest.raises(DataError, match=r"'spend'.*pii_type applies to kind 'pii'"):
        meta.update_column("spend", pii_type="email")


def test_emails_of_one_word_names_have_no_dangling_separator() -> None:
    rng = np.random.default_rng(0)
    first = pd.Series(rng.choice(FIRST, 100))
    table = pd.DataFrame({"first_name": first, "email": first.str.lower() + "." + "x@example.org"})
    sample = sg.GaussianCopula(seed=0).fit(table).sample(300, seed=0)
    local = sample["email"].str.split("@").str[0]
    expected = sample["first_name"].str.lower().str.replace(r"\W", "", regex=True)
    assert (local == expected).all()


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(10, 40))
def test_the_most_likely_fake_values_are_refused_when_they_are_real(seed: int, size: int) -> None:
    """Training emails of the commonest names: drawn often, so redrawing is exercised."""
    common_first = list(_People.first_names)[:size]
    common_last = list(_People.last_names)[:size]
    real = pd.Series(
        [f"{f.lower()}.{b.lower()}@example.com" for f in common_first for b in common_last]
    )
    spec = ColumnSpec(name="email", kind=ColumnKind.PII, dtype="object", pii_type="email")
    learned = kind_of(spec).learn(spec, real)
    values = kind_of(learned).decode(learned, None, 2_000, np.random.default_rng(seed), None)
    assert not values.isin(real).any()
    assert values.notna().all() and values.str.fullmatch(r"[a-z]+\.[a-z]+@example\.com").all()
