"""Worker wiring: options from the environment, torch threads, the recovery schedule."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
import torch

from synthgen_cli.worker import run_worker
from synthgen_service.queue.enqueue import GENERATE_FUNCTION, TRAIN_FUNCTION
from synthgen_service.queue.generate import chunk_sizes
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.runtime import configure_torch, cpu_share
from synthgen_service.queue.worker import cron_jobs, functions
from synthgen_service.settings import Settings


def test_options_come_from_synthgen_worker_variables() -> None:
    env = {"SYNTHGEN_WORKER_MAX_TRIES": "5", "SYNTHGEN_WORKER_HEARTBEAT_S": "0.5", "OTHER": "x"}
    options = WorkerOptions.from_env(env)
    assert (options.max_tries, options.heartbeat_s) == (5, 0.5)
    assert options.chunk_rows == WorkerOptions().chunk_rows


def test_bad_option_is_refused_with_its_name() -> None:
    with pytest.raises(msgspec.ValidationError, match="max_tries"):
        WorkerOptions.from_env({"SYNTHGEN_WORKER_MAX_TRIES": "0"})


def test_torch_threads_share_the_cpus_among_jobs() -> None:
    before = torch.get_num_threads()
    try:
        configure_torch(WorkerOptions(max_jobs=cpu_share() + 5))
        assert torch.get_num_threads() == 1
        configure_torch(WorkerOptions(max_jobs=1))
        assert torch.get_num_threads() == cpu_share()
        configure_torch(WorkerOptions(torch_threads=3))
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)


def test_arq_retries_one_more_time_than_our_claim_allows() -> None:
    found = {f.name: f for f in functions(WorkerOptions(max_tries=4, job_timeout_s=99.0))}
    assert set(found) == {TRAIN_FUNCTION, GENERATE_FUNCTION}
    assert {(f.max_tries, f.timeout_s) for f in found.values()} == {(5, 99.0)}


@pytest.mark.parametrize(
    ("every", "seconds", "minutes"),
    [(1, set(range(60)), None), (15, {0, 15, 30, 45}, None), (120, 0, set(range(0, 60, 2)))],
)
def test_recovery_schedule(every: int, seconds: set[int] | int, minutes: set[int] | None) -> None:
    [job] = cron_jobs(WorkerOptions(recovery_every_s=every))
    assert job.second == seconds
    assert job.minute == minutes


@pytest.mark.parametrize(
    ("total", "chunk", "expected"),
    [(0, 5, [0]), (5, 5, [5]), (12, 5, [5, 5, 2]), (3, 50_000, [3])],
)
def test_chunk_sizes_cover_every_row(total: int, chunk: int, expected: list[int]) -> None:
    assert chunk_sizes(total, chunk) == expected


def test_separate_worker_needs_a_redis_url(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="SYNTHGEN_REDIS_URL"):
        run_worker(Settings(data_dir=tmp_path, redis_url=None))
