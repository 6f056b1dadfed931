"""The ``synthgen`` command line: inspect, fit, sample, and errors without tracebacks."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

import synthgen_core
import synthgen_core.demo
from synthgen_cli import main


@pytest.fixture(scope="module")
def demo_csv() -> Path:
    with resources.as_file(resources.files("synthgen_core") / "data" / "demo.csv") as path:
        return Path(path)


@pytest.fixture(scope="module")
def model_file(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.sgm"
    argv = ["fit", str(demo_csv), "--model", "gaussian_copula", "--config", '{"seed": 3}']
    assert main([*argv, "-o", str(path)]) == 0
    return path


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"synthgen {synthgen_core.__version__}"


def test_inspect_prints_a_table_of_kinds(demo_csv, capsys):
    assert main(["inspect", str(demo_csv)]) == 0
    out = capsys.readouterr().out
    assert "customer_id" in out
    assert "signup_date" in out
    assert "datetime" in out
    assert "3 categories" in out


def test_inspect_json_is_metadata_that_fit_accepts(demo_csv, tmp_path, capsys):
    assert main(["inspect", str(demo_csv), "--json"]) == 0
    metadata = json.loads(capsys.readouterr().out)
    kinds = {column["name"]: column["kind"] for column in metadata["columns"]}
    assert kinds["customer_id"] == "id"
    assert kinds["is_active"] == "boolean"
    for column in metadata["columns"]:
        if column["name"] == "age":  # the user overrides a kind, then fits with it
            column.update(
                kind="categorical",
                categories=None,
                integer=False,
                decimals=None,
                min_value=None,
                max_value=None,
            )
    meta_path = tmp_path / "meta.json"
    meta_path.write_text(json.dumps(metadata))
    model_path = tmp_path / "m.sgm"
    argv = ["fit", str(demo_csv), "--model", "gaussian_copula", "--metadata", str(meta_path)]
    assert main([*argv, "-o", str(model_path)]) == 0
    assert synthgen_core.load(model_path).metadata_.column("age").kind == "categorical"


def test_fit_reports_and_writes_a_loadable_model(model_file, capsys):
    model = synthgen_core.load(model_file)
    assert model.model_type == "gaussian_copula"
    assert model.get_config()["seed"] == 3


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_sample_writes_each_format_with_conditions(model_file, tmp_path, suffix):
    out = tmp_path / f"synthetic{suffix}"
    argv = [
        "sample",
        str(model_file),
        "-n",
        "120",
        "--seed",
        "4",
        "--condition",
        "plan=pro",
        "--condition",
        "age=41",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    from synthgen_core.io.tables import read_table

    synthetic = read_table(out)
    assert len(synthetic) == 120
    assert (synthetic["plan"] == "pro").all()
    assert (synthetic["age"] == 41).all()


@pytest.mark.parametrize(
    ("condition", "low", "high"),
    [("age=30..40", 30, 40), ("age=60..", 60, None), ("age=..25", None, 25)],
)
def test_sample_takes_ranges_with_open_bounds(model_file, tmp_path, condition, low, high):
    out = tmp_path / "ranged.csv"
    argv = ["sample", str(model_file), "-n", "80", "--seed", "2", "--condition", condition]
    assert main([*argv, "--condition", "signup_date=..2024-06-30", "-o", str(out)]) == 0
    synthetic = pd.read_csv(out)
    assert len(synthetic) == 80
    assert synthetic["age"].between(low or -1e9, high or 1e9).all()
    assert (synthetic["signup_date"] <= "2024-06-30").all()  # ISO text compares as dates


def test_parsing_reads_ranges_only_on_numbers_and_dates(model_file):
    from synthgen_cli.library import _parse_conditions
    from synthgen_core.ranges import Range

    metadata = synthgen_core.load(model_file).table_metadata_
    parsed = _parse_conditions(
        ["age=-5..40.5", "signup_date=2024-01-01..", "plan=a..b", "monthly_spend=..9"], metadata
    )
    assert parsed == {
        "age": Range(min="-5", max="40.5"),
        "signup_date": Range(min="2024-01-01"),
        "plan": "a..b",  # a category may hold two dots
        "monthly_spend": Range(max="9"),
    }


def test_sample_help_documents_ranges(capsys):
    with pytest.raises(SystemExit):
        main(["sample", "--help"])
    assert "age=30..40" in " ".join(capsys.readouterr().out.split())


def test_sample_without_output_prints_csv_and_seed_repeats(model_file, capsys):
    assert main(["sample", str(model_file), "-n", "5", "--seed", "1"]) == 0
    first = capsys.readouterr().out
    assert main(["sample", str(model_file), "-n", "5", "--seed", "1"]) == 0
    assert capsys.readouterr().out == first
    assert first.splitlines()[0].startswith("customer_id,signup_date,age,plan")


@pytest.fixture
def paths(demo_csv: Path, model_file: Path, tmp_path: Path) -> dict[str, Path]:
    return {"csv": demo_csv, "model": model_file, "tmp": tmp_path}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "{csv}", "--config", "{{bad json", "-o", "{tmp}/m.sgm"], "not valid JSON"),
        (
            [
                "fit",
                "{csv}",
                "--model",
                "gaussian_copula",
                "--config",
                '{{"epochs": 5}}',
                "-o",
                "{tmp}/m.sgm",
            ],
            "'epochs'",
        ),
        (["fit", "{csv}", "--model", "nope", "-o", "{tmp}/m.sgm"], "unknown model_type"),
        (["fit", "{tmp}/absent.csv", "-o", "{tmp}/m.sgm"], "absent.csv"),
        (["sample", "{tmp}/absent.sgm", "-n", "5"], "cannot read model file"),
        (["sample", "{model}", "-n", "5", "--condition", "plan=gold"], "'gold'"),
        (["sample", "{model}", "-n", "5", "--condition", "plan"], "COLUMN=VALUE"),
        (["sample", "{model}", "-n", "5", "--condition", "age=.."], "needs a bound"),
        (["sample", "{model}", "-n", "5", "--condition", "age=50..40"], "min above its max"),
        (["sample", "{model}", "-n", "5", "--condition", "age=x..40"], "give a number"),
        (["sample", "{model}", "-n", "5", "--condition", "plan=a..b"], "'a..b'"),
        (["sample", "{model}", "-n", "-3"], "num_rows"),
    ],
)
def test_errors_are_one_line_on_stderr_with_exit_code_2(argv, message, paths, capsys):
    filled = [a.format(**paths) for a in argv]
    assert main(filled) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("synthgen: error: ")
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_the_installed_entry_point_runs_without_a_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from synthgen_cli import main; sys.exit(main())",
            "sample",
            str(tmp_path / "absent.sgm"),
            "-n",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cannot read model file" in result.stderr


@pytest.mark.parametrize(
    ("argv", "handler"),
    [
        (["inspect", "x.csv"], "_inspect"),
        (["fit", "x.csv", "-o", "m.sgm"], "_fit"),
        (["sample", "m.sgm", "-n", "5"], "_sample"),
        (["evaluate", "real.csv", "synthetic.csv"], "_evaluate"),
        (["serve", "--port", "9000"], "_serve"),
        (["worker"], "_worker"),
        (["keys", "create", "--name", "ci"], "_keys_create"),
        (["keys", "revoke", "abc"], "_keys_revoke"),
    ],
)
def test_every_documented_command_is_registered(argv, handler):
    from synthgen_cli import build_parser

    assert build_parser().parse_args(argv).handler.__name__ == handler


def test_evaluate_prints_a_report_and_writes_plots(tmp_path):
    real_path = tmp_path / "real.csv"
    synthetic_path = tmp_path / "synthetic.csv"
    real = synthgen_core.demo.demo_table()
    real.to_csv(real_path, index=False)
    model = synthgen_core.create("gaussian_copula", seed=3).fit(real)
    model.sample(len(real)).to_csv(synthetic_path, index=False)
    plots = tmp_path / "plots"
    assert main(["evaluate", str(real_path), str(synthetic_path), "--plots", str(plots)]) == 0
    assert (plots / "report.png").stat().st_size > 0
    assert main(["evaluate", str(real_path), str(tmp_path / "absent.csv")]) == 2


def test_evaluate_can_leave_the_row_level_measures_out(tmp_path, capsys):
    real_path, synthetic_path = tmp_path / "real.csv", tmp_path / "synthetic.csv"
    real = synthgen_core.demo.demo_table()
    real.to_csv(real_path, index=False)
    real.sample(frac=1.0, random_state=0).to_csv(synthetic_path, index=False)
    for flags, detection, support in (
        ([], True, True),
        (["--no-detection"], False, True),
        (["--no-precision-recall"], True, False),
    ):
        assert main(["evaluate", str(real_path), str(synthetic_path), "--json", *flags]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert (printed["detection"] is not None) is detection
        assert (printed["alpha_precision"] is not None) is support
        assert (printed["beta_recall"] is not None) is support
        assert printed["score"] == pytest.approx(1.0)
    # the same rows in another order: every row lies where a real row does
    assert main(["evaluate", str(real_path), str(synthetic_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["alpha_precision"] > 0.9


def test_keys_are_created_and_revoked_from_the_command_line(tmp_path):
    env = {**os.environ, "SYNTHGEN_DATA_DIR": str(tmp_path / "data")}
    synthgen = str(Path(sys.executable).parent / "synthgen")
    created = subprocess.run(
        [synthgen, "keys", "create", "--name", "ci"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    key = created.stdout.strip()
    assert key.startswith("sg_")
    revoke = [synthgen, "keys", "revoke", key]
    done = subprocess.run(revoke, check=False, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0
    unknown = [synthgen, "keys", "revoke", "sg_not-a-key"]
    missing = subprocess.run(
        unknown, check=False, env=env, capture_output=True, text=True, timeout=120
    )
    assert missing.returncode == 1
    assert "no key matches" in missing.stderr


def test_sample_output_matches_the_library(model_file, tmp_path):
    out = tmp_path / "s.csv"
    assert main(["sample", str(model_file), "-n", "50", "--seed", "9", "-o", str(out)]) == 0
    expected = synthgen_core.load(model_file).sample(50, seed=9)
    written = pd.read_csv(io.StringIO(expected.to_csv(index=False)))
    pd.testing.assert_frame_equal(pd.read_csv(out), written)


def test_fit_defaults_to_the_library_and_api_default_and_says_so(demo_csv, tmp_path, capsys):
    from synthgen_core.models.registry import DEFAULT_MODEL_TYPE

    small = tmp_path / "small.csv"
    pd.read_csv(demo_csv).head(200).to_csv(small, index=False)
    config = '{"epochs": 1, "batch_size": 100, "device": "cpu", "seed": 0}'
    path = tmp_path / "default.sgm"
    assert main(["fit", str(small), "--config", config, "-o", str(path)]) == 0
    assert synthgen_core.load(path).model_type == DEFAULT_MODEL_TYPE == "ctgan"
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps to the terminal
    assert "(default: ctgan, as in the library and the REST API)" in shown


@pytest.mark.slow
def test_fitting_a_neural_model_draws_an_epoch_progress_bar(demo_csv, tmp_path, capsys):
    small = tmp_path / "small.csv"
    pd.read_csv(demo_csv).head(300).to_csv(small, index=False)
    config = '{"epochs": 3, "batch_size": 100, "device": "cpu", "seed": 0}'
    path = tmp_path / "tvae.sgm"
    assert main(["fit", str(small), "--model", "tvae", "--config", config, "-o", str(path)]) == 0
    err = capsys.readouterr().err
    assert "3/3" in err
    assert "epoch" in err
    assert "loss" in err
    assert synthgen_core.load(path).model_type == "tvae"


def test_fit_signs_and_sample_checks_with_the_services_signing_key(
    demo_csv, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "signed.sgm"
    monkeypatch.setenv("SYNTHGEN_MODEL_SIGNING_KEY", "a-signing-key-of-32-characters!!")
    argv = ["fit", str(demo_csv), "--model", "gaussian_copula", "-o", str(path)]
    assert main(argv) == 0
    assert "signed with SYNTHGEN_MODEL_SIGNING_KEY" in capsys.readouterr().out
    assert main(["sample", str(path), "-n", "3"]) == 0
    monkeypatch.setenv("SYNTHGEN_MODEL_SIGNING_KEY", "another-key-of-32-characters-long")
    assert main(["sample", str(path), "-n", "3"]) == 2
    assert "signature" in capsys.readouterr().err
    monkeypatch.delenv("SYNTHGEN_MODEL_SIGNING_KEY")
    assert main(["sample", str(path), "-n", "3"]) == 0  # no key set: signatures not checked


def test_sample_pieces_with_first_row_never_repeat_an_id(tmp_path):
    table = pd.DataFrame({"order_id": range(100, 160), "amount": [float(i % 7) for i in range(60)]})
    data, model = tmp_path / "orders.csv", tmp_path / "orders.sgm"
    table.to_csv(data, index=False)
    assert main(["fit", str(data), "--model", "gaussian_copula", "-o", str(model)]) == 0
    pieces = []
    for first_row in (0, 20):
        out = tmp_path / f"rows-{first_row}.csv"
        argv = ["sample", str(model), "-n", "20", "--first-row", str(first_row), "-o", str(out)]
        assert main(argv) == 0
        pieces.append(pd.read_csv(out)["order_id"])
    ids = pd.concat(pieces)
    assert ids.is_unique and len(ids) == 40
