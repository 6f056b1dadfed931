"""The kinds table: every kind has one home, its family matches the metadata's, and the
package imports cleanly whichever floor is loaded first."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from synthgen_core.kinds import KINDS, kind_of
from synthgen_core.kinds.table import refine
from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata
from synthgen_core.metadata.kinds import CONTINUOUS_KINDS, DISCRETE_KINDS, UNLEARNED_KINDS

FAMILY_SETS = {
    "continuous": CONTINUOUS_KINDS,
    "discrete": DISCRETE_KINDS,
    "unlearned": UNLEARNED_KINDS,
}


def test_every_column_kind_has_exactly_one_entry() -> None:
    assert set(KINDS) == set(ColumnKind)
    for kind, module in KINDS.items():
        assert module.kind is kind


@pytest.mark.parametrize("kind", list(ColumnKind))
def test_family_agrees_with_the_metadata_sets(kind: ColumnKind) -> None:
    family = KINDS[kind].family
    assert kind in FAMILY_SETS[family]
    assert all(kind not in members for name, members in FAMILY_SETS.items() if name != family)


@pytest.mark.parametrize("kind", list(ColumnKind))
def test_unlearned_kinds_are_left_out_of_the_quality_scores(kind: ColumnKind) -> None:
    module = KINDS[kind]
    assert (module.evaluated_as is None) == (module.family == "unlearned")


def test_kind_of_follows_the_spec() -> None:
    spec = ColumnSpec(name="age", kind=ColumnKind.NUMERICAL, dtype="int64")
    assert kind_of(spec) is KINDS[ColumnKind.NUMERICAL]


def test_detection_keeps_the_ordered_rules_unless_a_kind_claims_the_column() -> None:
    present = pd.Series(["a", "b", "a", "c"] * 10)
    claimed = [k for k, m in KINDS.items() if m.refines(ColumnKind.CATEGORICAL, "c", present)]
    assert refine(ColumnKind.CATEGORICAL, "c", present) == (
        claimed[0] if claimed else ColumnKind.CATEGORICAL
    )
    meta = Metadata.detect(pd.DataFrame({"c": present}))
    assert meta.column("c").kind == ColumnKind.CATEGORICAL


@pytest.mark.parametrize(
    "first",
    [
        "synthgen_core.kinds",
        "synthgen_core.kinds.numerical",
        "synthgen_core.kinds.id",
        "synthgen_core.transform",
        "synthgen_core.transform.unlearned",
        "synthgen_core.metadata.detect",
        "synthgen_core.evaluation.columns",
    ],
)
def test_the_package_imports_whichever_module_comes_first(first: str) -> None:
    """The kinds wrap transform's functions and the codec looks kinds up: no import loop."""
    code = f"import {first}\nimport synthgen_core.kinds.table as t\nassert t.KINDS\n"
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
