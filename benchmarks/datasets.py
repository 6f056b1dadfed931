"""The real tables the benchmark runs on, read the way /work/shared/datasets/README.md says.

Each :class:`DatasetSpec` records what a plain ``read_csv`` gets wrong about its table:
integer-coded categoricals (pandas reads them as ``int64``, detection would call them
numbers), a literal ``"NA"`` category, or a column that must not be used at all
(census' ``instance_weight`` is a sampling weight, not a feature). The same metadata goes
to SynthGen, to the peer and to SDMetrics, so every implementation models the same kinds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from synthgen_core.metadata import Metadata


def _data_dir() -> Path:
    """``SYNTHGEN_BENCH_DATA``, else ``shared/datasets`` beside the checkout."""
    configured = os.environ.get("SYNTHGEN_BENCH_DATA")
    if configured:
        return Path(configured)
    beside = Path(__file__).resolve().parents[2] / "shared" / "datasets"
    return beside if beside.is_dir() else Path("/work/shared/datasets")


#: Where the shared datasets live.
DATA_DIR = _data_dir()
#: Real rows kept away from the generator for the privacy and efficacy checks.
HOLDOUT_SHARE = 0.2


class DatasetSpec(msgspec.Struct, frozen=True, kw_only=True):
    """One benchmark table and what must be said about it before modelling."""

    name: str
    file: str
    target: str | None  # None: no ML-efficacy check (a user's table named without one)
    categorical: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    read_options: dict[str, Any] = {}
    #: target value -> class, for targets whose rarest classes hold a single row
    target_groups: dict[str, str] = {}


#: KDD Cup 99's usual five attack groups: 17 labels, 5 of them with under 3 rows here, would
#: break any stratified split (the datasets' README recommends this mapping).
INTRUSION_GROUPS = {
    "normal": "normal",
    **dict.fromkeys(["back", "land", "neptune", "pod", "smurf", "teardrop"], "dos"),
    **dict.fromkeys(["ipsweep", "nmap", "portsweep", "satan"], "probe"),
    **dict.fromkeys(
        [
            "ftp_write",
            "guess_passwd",
            "imap",
            "multihop",
            "phf",
            "spy",
            "warezclient",
            "warezmaster",
        ],
        "r2l",
    ),
    **dict.fromkeys(["buffer_overflow", "loadmodule", "perl", "rootkit"], "u2r"),
}

DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(name="adult", file="adult.csv", target="income"),
        DatasetSpec(
            name="census",
            file="census.csv.gz",
            target="income",
            categorical=(
                "detailed_industry_recode",
                "detailed_occupation_recode",
                "own_business_or_self_employed",
                "veterans_benefits",
                "year",
            ),
            drop=("instance_weight",),
            read_options={"keep_default_na": False},
        ),
        DatasetSpec(
            name="covertype",
            file="covertype.csv.gz",
            target="Cover_Type",
            categorical=("Soil_Type", "Cover_Type"),
        ),
        DatasetSpec(
            name="intrusion",
            file="intrusion.csv.gz",
            target="label",
            target_groups=INTRUSION_GROUPS,
        ),
        DatasetSpec(
            name="credit_default",
            file="credit_default.csv",
            target="default_payment_next_month",
            categorical=("SEX", "EDUCATION", "MARRIAGE", "default_payment_next_month"),
        ),
        DatasetSpec(name="taxis", file="taxis.csv", target="payment"),
    )
}


#: What a user's own table may be: CSV, optionally gzipped (read by ``pandas.read_csv``).
TABLE_SUFFIXES = (".csv", ".csv.gz")


class Table(msgspec.Struct, frozen=True, kw_only=True):
    """A benchmark table split into the rows a generator sees and the rows it never sees."""

    name: str
    target: str | None
    train: Any  # pd.DataFrame (msgspec has no pandas type)
    holdout: Any
    metadata: Metadata


def spec(name: str) -> DatasetSpec:
    """A shared dataset by name, or a user's table given as ``FILE.csv[:TARGET]``."""
    if name in DATASETS:
        return DATASETS[name]
    own = user_table(name)
    if own is None:
        raise SystemExit(
            f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}, "
            f"or give a table of your own as FILE.csv or FILE.csv:TARGET_COLUMN"
        )
    return own


def user_table(text: str) -> DatasetSpec | None:
    """``FILE.csv`` or ``FILE.csv:TARGET`` as a dataset; ``None`` when ``text`` is neither.

    Users compare the models on their own data before choosing one. Its columns' kinds are
    detected (declare nothing), and the ML-efficacy check needs the target named after
    the last ``:``. Exits with the reason when the file or the column is missing.
    """
    path, target = _split_target(text)
    if not path.endswith(TABLE_SUFFIXES):
        return None
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise SystemExit(f"dataset {text!r}: no file {file}")
    header = pd.read_csv(file, nrows=0).columns
    if target is not None and target not in header:
        raise SystemExit(
            f"dataset {text!r}: no column {target!r} to predict; columns: {', '.join(header)}"
        )
    return DatasetSpec(name=display_name(text), file=str(file), target=target)


def display_name(text: str) -> str:
    """What tables, plots and logs call a dataset: its name, or a user's file's stem.

    Reads nothing, so naming a run never depends on its file still being there.
    """
    if text in DATASETS:
        return text
    path, _ = _split_target(text)
    return Path(path).name.removesuffix(".gz").removesuffix(".csv")


def _split_target(text: str) -> tuple[str, str | None]:
    """``FILE.csv:TARGET`` -> (``FILE.csv``, ``TARGET``); anything else -> (text, None)."""
    head, colon, tail = text.rpartition(":")
    if colon and head.endswith(TABLE_SUFFIXES):
        return head, tail
    return text, None


def read(name: str, max_rows: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The table as published, less dropped columns, uniformly subsampled to ``max_rows``."""
    dataset = spec(name)
    # a user's table has an absolute path, which the join keeps as it is
    frame: pd.DataFrame = pd.read_csv(DATA_DIR / dataset.file, **dataset.read_options)
    frame = frame.drop(columns=list(dataset.drop))
    if dataset.target_groups:
        frame[dataset.target] = frame[dataset.target].map(dataset.target_groups)
    if max_rows is not None and max_rows < len(frame):
        frame = frame.sample(n=max_rows, random_state=seed).reset_index(drop=True)
    return frame


def metadata(name: str, frame: pd.DataFrame) -> Metadata:
    """Detected metadata with the dataset's integer-coded categoricals declared as such."""
    detected = Metadata.detect(frame)
    for column in spec(name).categorical:
        detected = detected.update_column(column, kind="categorical")
    return detected


def split(frame: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout): a seeded random 80/20 split of the rows."""
    order = np.random.default_rng(seed).permutation(len(frame))
    n_holdout = max(1, round(len(frame) * HOLDOUT_SHARE))
    holdout = frame.iloc[order[:n_holdout]].reset_index(drop=True)
    train = frame.iloc[order[n_holdout:]].reset_index(drop=True)
    return train, holdout


def load(name: str, max_rows: int | None = None, seed: int = 0) -> Table:
    """Read, describe and split one benchmark table."""
    frame = read(name, max_rows, seed)
    train, holdout = split(frame, seed)
    dataset = spec(name)
    return Table(
        name=dataset.name,
        target=dataset.target,
        train=train,
        holdout=holdout,
        metadata=metadata(name, frame),
    )
