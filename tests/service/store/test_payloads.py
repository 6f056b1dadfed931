"""Job payloads: what the API stores in ``jobs.config`` is what the worker reads back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthgen_core.errors import ConfigError
from synthgen_service.store.payloads import (
    DEFAULT_ROWS,
    FORMAT_VERSION,
    GenerateJob,
    TrainJob,
    decode_payload,
    encode_payload,
    shown_config,
)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
bounds = st.one_of(
    st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20)
)
#: A range condition as JSON carries it: min and/or max, numbers or ISO datetimes.
ranges = st.fixed_dictionaries({}, optional={"min": bounds, "max": bounds})
generate_jobs = st.builds(
    GenerateJob,
    num_rows=st.integers(1, 10**7),
    seed=st.one_of(st.none(), st.integers(0, 2**63 - 1)),
    conditions=st.one_of(
        st.none(), st.dictionaries(st.text(max_size=8), st.one_of(scalars, ranges), max_size=3)
    ),
)
train_jobs = st.builds(
    TrainJob, options=st.dictionaries(st.text(min_size=1, max_size=8), scalars, max_size=4)
)


@given(generate_jobs)
def test_a_generate_job_survives_the_json_column(job: GenerateJob) -> None:
    stored = json.loads(json.dumps(encode_payload(job)))
    assert stored["format_version"] == FORMAT_VERSION
    assert decode_payload(GenerateJob, stored) == job
    assert shown_config("generate", stored) == {
        "num_rows": job.num_rows,
        "seed": job.seed,
        "conditions": job.conditions,
    }


@given(train_jobs)
def test_a_train_job_survives_the_json_column_and_shows_its_options(job: TrainJob) -> None:
    stored = json.loads(json.dumps(encode_payload(job)))
    assert decode_payload(TrainJob, stored) == job
    assert shown_config("train", stored) == job.options


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"num_rows": 10, "seed": 4, "conditions": None}, GenerateJob(num_rows=10, seed=4)),
        (
            {"num_rows": 5, "conditions": {"city": "Oslo"}},
            GenerateJob(num_rows=5, conditions={"city": "Oslo"}),
        ),
        ({}, GenerateJob(num_rows=DEFAULT_ROWS)),
    ],
)
def test_generate_rows_stored_before_versioning_still_decode(
    stored: dict[str, Any], expected: GenerateJob
) -> None:
    assert decode_payload(GenerateJob, stored) == expected


def test_train_rows_stored_before_versioning_are_the_model_options() -> None:
    options = {"epochs": 3, "batch_size": 20}
    assert decode_payload(TrainJob, options) == TrainJob(options=options)
    assert shown_config("train", options) == options


@pytest.mark.parametrize(
    ("stored", "fragment"),
    [
        ({"format_version": FORMAT_VERSION + 1, "num_rows": 5}, "newer SynthGen"),
        ({"format_version": "1", "num_rows": 5}, "cannot be read"),
        ({"format_version": FORMAT_VERSION, "num_rows": "many"}, "cannot be read"),
    ],
)
def test_rows_that_cannot_be_read_say_so(stored: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        decode_payload(GenerateJob, stored)
