"""The benchmark harness: table preparation, the plan, and the Markdown it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import datasets
from benchmarks.__main__ import QUICK_EPOCHS, QUICK_ROWS, build_parser, plan
from benchmarks.measure import Measurement, RunSpec, run_isolated, sdmetrics_metadata
from benchmarks.report import Machine, Results, markdown


def test_split_keeps_every_row_once_and_a_fifth_as_holdout() -> None:
    frame = datasets.read("adult", max_rows=500)
    train, holdout = datasets.split(frame, seed=3)
    assert (len(train), len(holdout)) == (400, 100)
    both = sorted(map(tuple, [*train.to_numpy().tolist(), *holdout.to_numpy().tolist()]))
    assert both == sorted(map(tuple, frame.to_numpy().tolist()))


def test_integer_coded_categoricals_and_dropped_columns() -> None:
    table = datasets.load("census", max_rows=300)
    kinds = {spec.name: spec.kind.value for spec in table.metadata.columns}
    assert kinds["detailed_industry_recode"] == "categorical"
    assert "instance_weight" not in table.train.columns
    assert table.target in table.train.columns
    assert sdmetrics_metadata(table.metadata)["columns"]["year"] == {"sdtype": "categorical"}


def test_unknown_dataset_is_refused_with_the_choices() -> None:
    with pytest.raises(SystemExit, match="adult, census"):
        datasets.spec("iris")


def test_quick_plan_is_small_and_puts_synthgen_before_its_peer(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["run", "--quick", "--models", "gaussian_copula,tvae", "--peers", "sdv"]
    )
    args.out = tmp_path
    specs = plan(args)
    assert [(s.model, s.implementation) for s in specs] == [
        ("gaussian_copula", "synthgen"),
        ("gaussian_copula", "sdv"),
        ("tvae", "synthgen"),
        ("tvae", "sdv"),
    ]
    assert {(s.rows, s.epochs) for s in specs} == {(QUICK_ROWS, QUICK_EPOCHS)}
    assert [s.plot_path is not None for s in specs] == [True, False, True, False]


def test_unknown_model_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--models", "gan"])
    assert "choose from gaussian_copula,ctgan,copulagan,tvae" in capsys.readouterr().err


def _measurement(implementation: str, fit: float, quality: float) -> Measurement:
    return Measurement(
        dataset="adult",
        model="ctgan",
        implementation=implementation,
        rows_train=800,
        rows_holdout=200,
        epochs=2,
        fit_seconds=fit,
        quality_sdmetrics=quality,
        efficacy_metric="f1_macro",
        efficacy_real=0.8,
        efficacy_synthetic=0.6,
    )


def test_markdown_puts_the_ratio_under_the_peer_and_lists_failures() -> None:
    failed = Measurement(dataset="adult", model="tvae", implementation="sdv", error="boom")
    peer = _measurement("sdv", 40.0, 0.5)
    peer.notes.append("no ML efficacy: one class")
    results = Results(
        command="python -m benchmarks run",
        started="2026-01-01T00:00:00Z",
        machine=Machine(
            cpu="cpu",
            threads=2,
            torch_threads=2,
            gpu=None,
            python="3.11",
            platform="linux",
            libraries={},
        ),
        measurements=[_measurement("synthgen", 10.0, 0.8), peer, failed],
    )
    lines = markdown(results).splitlines()
    rows = [line for line in lines if line.startswith("| adult")]
    assert [row.split(" | ")[2] for row in rows] == ["SynthGen", "SDV", "ratio SynthGen / SDV"]
    ratio = rows[2].split(" | ")
    assert ratio[4] == "0.25x"  # fit seconds 10 / 40
    assert ratio[12] == "1.60x"  # SDMetrics quality 0.8 / 0.5
    assert "0.600 / 0.800 (f1_macro)" in rows[0]
    assert "- FAILED adult / tvae / sdv: boom" in lines
    assert "- NOTE adult / ctgan / sdv: no ML efficacy: one class" in lines


def test_a_failing_run_is_recorded_with_its_error_and_log(tmp_path: Path) -> None:
    spec = RunSpec(
        dataset="taxis",
        model="gaussian_copula",
        rows=50,
        implementation="synthgen",
        seed=0,
        sample_rows=-1,
    )
    result = run_isolated(spec, tmp_path / "run.log")
    assert result.error is not None and "num_rows" in result.error
    assert str(tmp_path / "run.log") in result.error
    assert result.fit_seconds is None


def test_intrusion_labels_are_grouped_without_losing_a_row() -> None:
    labels = datasets.read("intrusion")["label"]
    assert labels.notna().all()
    assert set(labels) == {"normal", "dos", "probe", "r2l", "u2r"}
