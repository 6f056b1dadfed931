"""The benchmark harness: table preparation, the plan, and the Markdown it writes."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

import benchmarks.__main__ as harness
from benchmarks import datasets
from benchmarks.__main__ import QUICK_EPOCHS, QUICK_ROWS, build_parser, main, plan
from benchmarks.measure import Measurement, RunSpec, run_isolated, sdmetrics_metadata
from benchmarks.report import Machine, Results, machine, markdown, write_json

MACHINE = Machine(
    cpu="cpu", threads=2, torch_threads=2, gpu=None, python="3.11", platform="linux", libraries={}
)


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


def test_seeds_repeat_each_pair_with_synthgen_beside_its_peer(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["run", "--datasets", "adult", "--models", "tvae", "--peers", "sdv", "--seeds", "3,5"]
    )
    args.out = tmp_path
    specs = plan(args)
    assert [(s.seed, s.implementation) for s in specs] == [
        (3, "synthgen"),
        (3, "sdv"),
        (5, "synthgen"),
        (5, "sdv"),
    ]
    assert [s.plot_path is not None for s in specs] == [True, False, False, False]
    assert build_parser().parse_args(["run", "--seed", "4"]).seeds == [4]


@pytest.mark.parametrize("seeds", ["", "1,x", "2,2"])
def test_bad_seed_lists_are_argument_errors(seeds: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--seeds", seeds])
    assert "--seeds" in capsys.readouterr().err


def _measurement(
    implementation: str, fit: float, quality: float, seed: int | None = None
) -> Measurement:
    spec = None if seed is None else RunSpec(dataset="adult", model="ctgan", seed=seed)
    return Measurement(
        spec=spec,
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
        machine=MACHINE,
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


def test_repeats_pair_each_seed_and_summarise_mean_and_spread() -> None:
    runs = [
        _measurement("synthgen", 10.0, 0.80, seed=0),
        _measurement("sdv", 40.0, 0.40, seed=0),
        _measurement("synthgen", 30.0, 0.90, seed=1),
        _measurement("sdv", 20.0, 0.60, seed=1),
    ]
    results = Results(command="c", started="s", machine=MACHINE, measurements=runs)
    lines = markdown(results).splitlines()
    ratios = [line.split(" | ")[4] for line in lines if "| ratio SynthGen / SDV |" in line]
    assert ratios == ["0.25x", "1.50x"]  # 10 / 40 on seed 0, 30 / 20 on seed 1
    assert any("holdout rows, epochs=2, seed=1 |" in line for line in lines)
    summary = lines[lines.index("Over seeds: mean ± standard deviation") :]
    assert {"detection", "alpha-precision", "beta-recall"} <= set(summary[2].split(" | "))
    ours = next(line for line in summary if "| SynthGen |" in line).split(" | ")
    assert ours[3:6] == ["0,1", "20.0 ± 14.1", "—"]
    assert ours[6] == "0.850 ± 0.071"
    mean_ratio = next(line for line in summary if "ratio of means" in line).split(" | ")
    assert (mean_ratio[4], mean_ratio[6]) == ("0.67x", "1.70x")  # 20 / 30, 0.85 / 0.5


def test_one_seed_has_no_summary() -> None:
    runs = [_measurement("synthgen", 10.0, 0.8, seed=0), _measurement("sdv", 40.0, 0.5, seed=0)]
    text = markdown(Results(command="c", started="s", machine=MACHINE, measurements=runs))
    assert "Over seeds" not in text and "seed=" not in text


@pytest.mark.timeout(300)
def test_resume_keeps_successful_runs_and_reruns_the_rest(tmp_path: Path) -> None:
    """Only the missing seed and the failed run are measured; nothing recorded is lost."""
    command = ["run", "--datasets", "taxis", "--models", "gaussian_copula", "--rows", "80"]
    args = build_parser().parse_args([*command, "--seeds", "0,1,2", "--out", str(tmp_path)])
    first, failed, _ = plan(args)
    kept = Measurement(dataset="taxis", model="gaussian_copula", implementation="synthgen")
    kept.spec, kept.fit_seconds = first, 123.0  # a figure no real 80-row fit takes
    kept.rows_train, kept.rows_holdout = 64, 16
    broken = Measurement(dataset="taxis", model="gaussian_copula", implementation="synthgen")
    broken.spec, broken.error = failed, "killed"
    other = Measurement(dataset="adult", model="tvae", implementation="synthgen")
    other.spec = RunSpec(dataset="adult", model="tvae", seed=0)  # not asked for again
    here = machine()  # resuming needs the machine of the earlier runs
    earlier = Results(command="c", started="s", machine=here, measurements=[kept, broken, other])
    write_json(earlier, tmp_path)

    assert main([*command, "--seeds", "0,1,2", "--out", str(tmp_path), "--resume"]) == 0

    results = msgspec.json.decode((tmp_path / "results.json").read_bytes(), type=Results)
    assert results.measurements[0] == other  # the folder's other runs stay in its record
    by_seed = {m.spec.seed: m for m in results.measurements[1:] if m.spec is not None}
    assert sorted(by_seed) == [0, 1, 2] and len(results.measurements) == 4
    assert by_seed[0].fit_seconds == 123.0
    for seed in (1, 2):
        fit_seconds = by_seed[seed].fit_seconds
        assert by_seed[seed].error is None
        assert fit_seconds is not None and fit_seconds < 123.0
    logs = sorted(path.name for path in (tmp_path / "logs").glob("*.log"))
    assert logs == [f"taxis_gaussian_copula_synthgen_seed{seed}.log" for seed in (1, 2)]


class FakeRuns:
    """Stands in for the child processes: SDV is only in the optional ``bench`` extra."""

    def __init__(self) -> None:
        self.fitted: list[RunSpec] = []

    def __call__(self, spec: RunSpec, log: Path, timeout: float | None = None) -> Measurement:
        self.fitted.append(spec)
        fit_seconds = float(len(self.fitted))  # tells each fit apart
        return Measurement(
            dataset=spec.dataset,
            model=spec.model,
            implementation=spec.implementation,
            fit_seconds=fit_seconds,
            quality_sdmetrics=0.9,
            spec=spec,
        )


def _rows(out: Path) -> dict[tuple[str, str, int], Measurement]:
    results = msgspec.json.decode((out / "results.json").read_bytes(), type=Results)
    return {(m.model, m.implementation, m.spec.seed): m for m in results.measurements if m.spec}


def test_sdv_ctgan_beside_ctgan_and_autoregressive_is_fitted_once_per_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = FakeRuns()
    monkeypatch.setattr(harness, "run_isolated", runs)
    command = ["run", "--datasets", "taxis", "--models", "ctgan,tvae,autoregressive"]
    assert main([*command, "--peers", "sdv", "--seeds", "0,1", "--out", str(tmp_path)]) == 0

    fitted = [(s.model, s.implementation, s.seed) for s in runs.fitted]
    assert fitted == [
        *[
            (model, side, seed)
            for model in ("ctgan", "tvae")
            for seed in (0, 1)
            for side in ("synthgen", "sdv")
        ],
        ("autoregressive", "synthgen", 0),
        ("autoregressive", "synthgen", 1),
    ]
    rows = _rows(tmp_path)
    assert len(rows) == 12  # every row of the grid is there, each under its own model
    for seed in (0, 1):
        shared = rows["autoregressive", "sdv", seed]
        assert shared.fit_seconds == rows["ctgan", "sdv", seed].fit_seconds
        assert shared.model == "autoregressive" and shared.spec is not None
        assert shared.spec.model == "autoregressive"
        assert shared.notes == ["the CTGANSynthesizer fit of this run's ctgan row, measured once"]
    assert "SDV CTGAN" in (tmp_path / "results.md").read_text()


def test_resume_reuses_an_earlier_sdv_ctgan_fit_for_the_autoregressive_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = FakeRuns()
    monkeypatch.setattr(harness, "run_isolated", runs)
    command = ["run", "--datasets", "taxis", "--peers", "sdv", "--out", str(tmp_path)]
    assert main([*command, "--models", "ctgan"]) == 0
    assert main([*command, "--models", "ctgan,autoregressive", "--resume"]) == 0

    fitted = [(s.model, s.implementation) for s in runs.fitted]
    assert fitted == [("ctgan", "synthgen"), ("ctgan", "sdv"), ("autoregressive", "synthgen")]
    rows = _rows(tmp_path)
    assert rows["autoregressive", "sdv", 0].fit_seconds == rows["ctgan", "sdv", 0].fit_seconds


def test_resume_refuses_runs_of_another_machine_and_keeps_their_file(tmp_path: Path) -> None:
    elsewhere = msgspec.structs.replace(machine(), cpu="Some Other CPU")
    write_json(Results(command="c", started="s", machine=elsewhere, measurements=[]), tmp_path)
    before = (tmp_path / "results.json").read_bytes()
    with pytest.raises(SystemExit, match="another machine.*'Some Other CPU' there.*new --out"):
        main(["run", "--models", "tvae", "--out", str(tmp_path), "--resume"])
    assert (tmp_path / "results.json").read_bytes() == before


def test_resume_without_an_earlier_run_says_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no .*results.json; give the --out folder"):
        main(["run", "--models", "tvae", "--out", str(tmp_path), "--resume"])
    with pytest.raises(SystemExit, match="--resume needs --out"):
        main(["run", "--models", "tvae", "--resume"])


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


def _own_table(path: Path) -> Path:
    """A small table of a user's: a number, a category and a target, 60 rows."""
    rows = [f"{i * 1.5},{'ab'[i % 2]},{'yes' if i % 3 else 'no'}" for i in range(60)]
    path.write_text("amount,kind,bought\n" + "\n".join(rows) + "\n")
    return path


def test_a_users_csv_is_a_dataset_named_by_its_file_with_its_target(tmp_path: Path) -> None:
    csv = _own_table(tmp_path / "shop.csv")
    table = datasets.load(f"{csv}:bought", seed=1)
    assert (table.name, table.target) == ("shop", "bought")
    assert (len(table.train), len(table.holdout)) == (48, 12)
    assert table.metadata.column("kind").kind.value == "categorical"
    assert datasets.load(str(csv)).target is None  # no target: no efficacy check


def test_a_users_csv_runs_through_the_harness_with_efficacy(tmp_path: Path) -> None:
    csv = _own_table(tmp_path / "shop.csv")
    out = tmp_path / "out"
    args = ["run", "--datasets", f"{csv}:bought", "--models", "gaussian_copula", "--out", str(out)]
    assert main(args) == 0
    results = msgspec.json.decode((out / "results.json").read_bytes(), type=Results)
    (item,) = results.measurements
    assert item.dataset == "shop" and item.error is None
    assert item.efficacy_metric == "f1_macro" and item.efficacy_real is not None
    assert (out / "marginals_shop_gaussian_copula.png").exists()
    assert "| shop | gaussian_copula | SynthGen |" in (out / "results.md").read_text()


@pytest.mark.parametrize(
    ("dataset", "message"),
    [
        ("missing.csv", "no file"),
        ("{csv}:price", "no column 'price' to predict; columns: amount, kind, bought"),
        ("shop.parquet", "unknown .*shop.parquet.*FILE.csv:TARGET_COLUMN"),
    ],
)
def test_a_users_table_that_cannot_be_read_is_an_argument_error(
    dataset: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = _own_table(tmp_path / "shop.csv")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--datasets", dataset.format(csv=csv)])
    assert re.search(message, capsys.readouterr().err)
