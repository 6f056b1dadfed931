"""suggest_constraints finds the rules a table keeps, with evidence, and not the trivial ones."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_cli import main
from tests.shared_data import DATASETS


def planted(rows: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    month = rng.integers(1, 13, rows)
    season = np.array(["winter", "spring", "summer", "autumn"])[(month % 12) // 3]
    net = rng.uniform(1, 50, rows).round(2)
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 900, rows), "h")
    return pd.DataFrame(
        {
            "month": month,
            "season": season,
            "net": net,
            "tax": (net * 0.1).round(2),
            "gross": (net + (net * 0.1).round(2)).round(2),
            "price": rng.integers(1, 40, rows) * 25,
            "swing": rng.normal(0, 5, rows).round(1),
            "start": start,
            "end": start + pd.to_timedelta(rng.integers(0, 48, rows), "h"),
            "far": rng.uniform(1000, 2000, rows).round(0),
        }
    )


def found(table: pd.DataFrame) -> list[dict[str, object]]:
    return [item.to_dict()["constraint"] for item in sg.suggest_constraints(table)]


def test_finds_the_planted_rules():
    suggestions = found(planted())
    assert {"kind": "fixed_combinations", "columns": ["month", "season"]} in suggestions
    assert {"kind": "formula", "column": "gross", "expression": "net + tax"} in suggestions
    assert {"kind": "fixed_increments", "column": "price", "increment": 25.0} in suggestions
    assert {"kind": "inequality", "low": "start", "high": "end", "strict": False} in suggestions
    assert {"kind": "inequality", "low": "tax", "high": "net", "strict": True} in suggestions
    assert {"kind": "positive", "column": "net", "strict": True} in suggestions


def test_leaves_out_what_the_ranges_alone_imply_and_what_does_not_hold():
    suggestions = found(planted())
    columns = [json.dumps(item) for item in suggestions]
    assert not any('"far"' in text and "inequality" in text for text in columns)
    assert not any('"swing"' in text for text in columns)  # crosses zero, no step


def test_each_suggestion_carries_its_evidence():
    table = planted()
    for item in sg.suggest_constraints(table):
        assert 0 < item.rows_checked <= len(table)
        assert item.evidence


def test_suggestions_are_a_valid_config_that_every_row_keeps():
    table = planted()
    constraints = found(table)
    sample = sg.create("gaussian_copula", constraints=constraints, seed=0).fit(table).sample(300)
    assert (sample["start"] <= sample["end"]).all()
    assert ((sample["net"] + sample["tax"] - sample["gross"]).abs() <= 0.0051).all()
    assert (sample["price"] % 25 == 0).all()
    seen = set(zip(table["month"], table["season"], strict=True))
    assert set(zip(sample["month"], sample["season"], strict=True)) <= seen
    # fitting on the sample checks every suggested constraint in every sampled row
    sg.create("gaussian_copula", constraints=constraints).fit(sample)


@pytest.mark.skipif(not (DATASETS / "adult.csv").exists(), reason="needs shared adult")
def test_adult_education_and_its_number_go_together():
    adult = pd.read_csv(DATASETS / "adult.csv")
    suggestions = found(adult)
    assert {"kind": "fixed_combinations", "columns": ["education", "education-num"]} in suggestions
    assert not any(c["kind"] == "inequality" for c in suggestions)  # all implied by ranges


def test_inspect_lists_them(tmp_path, capsys):
    path = tmp_path / "planted.csv"
    planted().to_csv(path, index=False)
    assert main(["inspect", str(path), "--constraints"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith('{"kind": "formula", "column": "gross"') for line in lines)
    assert all("rows" in line for line in lines)
    assert main(["inspect", str(path), "--constraints", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"kind": "fixed_increments", "column": "price", "increment": 25.0} in [
        item["constraint"] for item in listed
    ]


def test_fit_from_the_command_line_keeps_constraints_from_the_config(tmp_path):
    path, model, rows = tmp_path / "t.csv", tmp_path / "t.sgm", tmp_path / "rows.csv"
    table = planted()
    table.to_csv(path, index=False)
    config = {"seed": 0, "constraints": [{"kind": "inequality", "low": "start", "high": "end"}]}
    argv = ["fit", str(path), "--model", "gaussian_copula", "--config", json.dumps(config)]
    assert main([*argv, "-o", str(model)]) == 0
    assert main(["sample", str(model), "-n", "500", "-o", str(rows)]) == 0
    sample = pd.read_csv(rows, parse_dates=["start", "end"])
    assert len(sample) == 500
    assert (sample["start"] <= sample["end"]).all()


@pytest.mark.parametrize("broken_row", [0, 2_345, 4_999])
def test_a_rule_one_row_breaks_is_not_suggested_wherever_that_row_is(broken_row: int) -> None:
    table = planted(5_000)  # more rows than the sample pairs are first tried on
    table["end"] = table["end"].mask(
        table.index == broken_row, table["start"] - pd.Timedelta(hours=1)
    )
    season = table["season"].iloc[broken_row]
    table.loc[table.index == broken_row, "season"] = "winter" if season == "summer" else "summer"
    assert int((table["end"] < table["start"]).sum()) == 1
    rules = found(table)
    assert {"kind": "inequality", "low": "start", "high": "end", "strict": False} not in rules
    assert not [rule for rule in rules if rule["kind"] == "fixed_combinations"]
    intact = found(planted(5_000))
    assert {"kind": "inequality", "low": "start", "high": "end", "strict": False} in intact
    assert {"kind": "fixed_combinations", "columns": ["month", "season"]} in intact
