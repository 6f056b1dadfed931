"""What one owner may ask of the workers: model size, training time, concurrent trainings.

Checked when a model is created, before any row is written, so a refused request leaves
nothing behind:

* the config's networks must fit ``max_model_parameters`` and ``max_training_memory_bytes``,
  estimated from the dataset version's stored metadata (:mod:`synthgen_core.models.budget`);
* a ``max_training_seconds`` above the service's is refused; the worker caps every training
  at the service's budget (:func:`time_capped`), so a config that leaves it null ends there;
* every constraint in the config must name columns of the dataset of the kinds it needs
  (:mod:`synthgen_core.constraints.validate`), so a typo fails before any training;
* an owner has at most ``max_training_jobs_per_owner`` pending or running trainings (429),
  even when requests arrive together: :class:`TrainingSlots` admits them one at a time, from
  the count to the commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_core.constraints.validate import check_raw_constraints
from synthgen_core.metadata import Metadata
from synthgen_core.models.budget import builtin_config, check_footprint
from synthgen_service.errors import InvalidField, TooManyRequests
from synthgen_service.settings import Settings
from synthgen_service.store import quotas

TIME_OPTION = "max_training_seconds"


def check_config(
    model_type: str, config: dict[str, Any], table_metadata: dict[str, Any], settings: Settings
) -> None:
    """Refuse (422, naming the option) a validated config the service will not train."""
    seconds = config.get(TIME_OPTION)
    if seconds is not None and seconds > settings.max_training_seconds:
        raise InvalidField(
            f"{TIME_OPTION} may be at most {settings.max_training_seconds:g} on this server, "
            f"the time budget of every training; lower it, or leave it null to train until "
            "the epochs are done or the budget is spent",
            key=f"config.{TIME_OPTION}",
        )
    check_raw_constraints(config.get("constraints") or [], Metadata.from_dict(table_metadata))
    parsed = builtin_config(model_type, config)
    if parsed is not None:
        check_footprint(
            parsed,
            Metadata.from_dict(table_metadata),
            max_parameters=settings.max_model_parameters,
            max_memory_bytes=settings.max_training_memory_bytes,
        )


async def check_training_slots(session: AsyncSession, owner: str, settings: Settings) -> None:
    """Refuse (429) a training beyond the owner's share of the workers."""
    unfinished = await quotas.unfinished_trainings(session, owner)
    limit = settings.max_training_jobs_per_owner
    if unfinished >= limit:
        raise TooManyRequests(
            f"you have {unfinished} training jobs pending or running, and this server runs "
            f"at most {limit} per owner; wait until one finishes (GET "
            "/api/synthgen/jobs?status=running) or cancel one (POST "
            "/api/synthgen/jobs/{job_id}/cancel), then send this request again"
        )


class TrainingSlots:
    """Admits training requests one at a time, so two at once never both take the last slot.

    In one process an asyncio lock orders them; across processes the store holds the
    owner's count steady until the transaction ends (:func:`quotas.hold_owner`).
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def admit(
        self, session: AsyncSession, owner: str, settings: Settings
    ) -> AsyncIterator[None]:
        """Check the owner's slots (429 when none is free); commit the new rows inside."""
        async with self._lock:
            await quotas.hold_owner(session, owner)
            await check_training_slots(session, owner, settings)
            yield


def time_capped(config: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """``config`` with its time budget at most the service's (a smaller one is kept)."""
    if TIME_OPTION not in config:  # a model type that trains no epochs
        return config
    given = config[TIME_OPTION]
    limit = settings.max_training_seconds
    return {**config, TIME_OPTION: limit if given is None else min(float(given), limit)}


__all__ = ["TrainingSlots", "check_config", "check_training_slots", "time_capped"]
