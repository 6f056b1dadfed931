"""The service's time budget ends every training, through the real worker path."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from synthgen_core.models.ctgan.model import CTGAN
from synthgen_core.models.load import load
from synthgen_service.artifacts import ArtifactKey, open_artifact_store
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from synthgen_service.store.tables import Artifact
from tests.service.queue.support import Rows, drain

pytestmark = pytest.mark.redis

BUDGET = 0.2  # seconds: a few epochs of a tiny table
ENDLESS = {"epochs": 100_000, "batch_size": 10, "pac": 1, "seed": 0, "device": "cpu"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, max_training_seconds=BUDGET)


async def _train(api: Any, project_id: str, version_id: str, **config: Any) -> dict[str, Any]:
    return await api.model(project_id, version_id, model_type="ctgan", config=config)


@pytest.mark.timeout(120)
async def test_an_endless_training_ends_at_the_service_budget(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    project_id = await alice.project()
    version_id = (await alice.dataset(project_id))["dataset_version_id"]
    endless = await _train(alice, project_id, version_id, **ENDLESS)
    shorter = await _train(alice, project_id, version_id, **ENDLESS, max_training_seconds=0.01)
    await drain(settings, options)

    budgets = {}
    for ids in (endless, shorter):
        job, model = await rows.job(ids["job_id"]), await rows.model(ids["model_id"])
        assert job is not None and model is not None
        assert (job.status, model.status) == ("completed", "ready"), job.error
        assert job.progress is not None and job.progress["total_epochs"] == 100_000
        assert 1 <= job.progress["epoch"] < 100_000
        assert model.model_artifact_id is not None
        async with rows.sessions() as session:
            artifact = await session.get(Artifact, model.model_artifact_id)
        assert artifact is not None
        with open_artifact_store(settings).open(ArtifactKey.parse(artifact.path)) as file:
            trained = load(file)
        assert isinstance(trained, CTGAN)
        assert 1 <= len(trained.loss_history) < 100_000
        budgets[ids["model_id"]] = trained.get_config()["max_training_seconds"]
    # the service's budget where the config had none; the user's where it was smaller
    assert budgets == {endless["model_id"]: BUDGET, shorter["model_id"]: 0.01}
    stored = await rows.model(endless["model_id"])
    assert stored is not None and stored.config["max_training_seconds"] is None
