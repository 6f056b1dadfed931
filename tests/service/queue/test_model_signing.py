"""With ``model_signing_key`` set, the worker signs the model files it writes and refuses
to generate from a file that is unsigned or was edited after signing."""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import pytest

import synthgen_core as sg
from synthgen_service.artifacts import ArtifactKey, LocalArtifactStore
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from tests.core.io.forging import rewrite
from tests.service.queue.support import Rows, copula_model, drain, generate

pytestmark = pytest.mark.redis

KEY = "a-signing-key-of-at-least-32-characters"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, model_signing_key=KEY)


async def _trained(api: Any, rows: Rows, settings: Settings, options: WorkerOptions) -> Any:
    ids = await copula_model(api)
    await drain(settings, options)
    [artifact] = await rows.artifacts_of_kind("model")
    # the test edits the file on disk, as an attacker with access to the storage would
    return ids, LocalArtifactStore(settings.data_dir).path(ArtifactKey.parse(artifact.path))


async def test_the_worker_signs_model_files_with_the_key(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    _, path = await _trained(alice, rows, settings, options)
    assert sg.load(path, signing_key=KEY).sample(5, seed=0).shape[0] == 5
    with pytest.raises(sg.ModelFileError, match="invalid signature"):
        sg.load(path, signing_key="x" * 32)


async def test_generation_from_a_tampered_model_file_fails_clearly(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids, path = await _trained(alice, rows, settings, options)

    def weaken(arrays: dict[str, np.ndarray]) -> None:  # still a valid model, new checksum
        size = arrays["correlation"].shape[0]
        arrays["correlation"] = (arrays["correlation"] + np.eye(size)) / 2

    rewrite(path, edit_arrays=weaken)
    assert sg.load(path).is_fitted  # without the key, nothing could tell
    job_id = await generate(alice, ids["model_id"], num_rows=10)
    await drain(settings, options)

    job = await rows.job(job_id)
    assert job is not None and job.status == "failed"
    assert job.error is not None and "invalid signature" in job.error
    assert "train) the model again" in job.error
    assert str(settings.data_dir) not in job.error
    assert await rows.artifacts_of_kind("output") == []


async def test_an_unsigned_model_file_is_refused_once_a_key_is_set(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    unsigned = msgspec.structs.replace(settings, model_signing_key=None)
    ids, _ = await _trained(alice, rows, unsigned, options)
    job_id = await generate(alice, ids["model_id"], num_rows=10)
    await drain(settings, options)

    job = await rows.job(job_id)
    assert job is not None and job.status == "failed"
    assert job.error is not None and "not signed" in job.error


def test_the_key_comes_from_the_environment() -> None:
    assert Settings.from_env({"SYNTHGEN_MODEL_SIGNING_KEY": KEY}).model_signing_key == KEY
    assert Settings.from_env({}).model_signing_key is None
    assert Settings.from_env({"SYNTHGEN_MODEL_SIGNING_KEY": ""}).model_signing_key is None


async def test_a_short_key_fails_training_with_advice(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    short = msgspec.structs.replace(settings, model_signing_key="password")
    ids = await copula_model(alice)
    await drain(short, options)

    job = await rows.job(ids["job_id"])
    assert job is not None and job.status == "failed"
    assert job.error is not None and "openssl rand -hex 32" in job.error
    assert await rows.artifacts_of_kind("model") == []
