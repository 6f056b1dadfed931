"""Real processes for the end-to-end tests: the service, workers and a private Redis.

Everything a test starts is stopped by the fixture that started it, by process id; each
process logs to a file under the test's tmp dir (kept by pytest for post-mortems).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import requests

#: The installed ``synthgen`` command, exactly as users run it.
SYNTHGEN = str(Path(sys.executable).parent / "synthgen")
KEY_LINE = re.compile(r"API key \(shown once, keep it\): (\S+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Process:
    """A child process with its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.log = name, logs / f"{name}.log"
        self.handle = self.log.open("wb")
        self.popen = subprocess.Popen(args, env=env, stdout=self.handle, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill9(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, then -9 after ``timeout``; the exit status (``None`` if not started here)."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.handle.close()
        return self.popen.returncode


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except (requests.ConnectionError, requests.Timeout):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


class Launcher:
    """Starts processes for one test and stops every one of them afterwards."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[Process] = []
        logs.mkdir(parents=True, exist_ok=True)

    def env(self, **synthgen: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHGEN_")}
        env.update(synthgen, PYTHONUNBUFFERED="1")
        return env

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        process = Process(name, args, env, self.logs)
        self.started.append(process)
        return process

    def serve(self, env: dict[str, str]) -> Process:
        return self.start("serve", [SYNTHGEN, "serve"], env)

    def worker(self, name: str, env: dict[str, str]) -> Process:
        return self.start(name, [SYNTHGEN, "worker"], env)

    def redis(self, port: int) -> Process:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        args = [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        process = self.start(f"redis-{port}-{len(self.started)}", args, self.env())
        wait_for(lambda: _redis_up(port), 10, f"redis-server on port {port}")
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()


def _redis_up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Client:
    """The spec's ``requests`` calls, with a bearer key and a deadline on every wait."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base, self.headers = base_url, {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(self.base + path, headers=self.headers, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.post(self.base + path, headers=self.headers, timeout=30, **kwargs)

    def ok(self, response: requests.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    def dataset(self, frame: pd.DataFrame) -> tuple[str, str]:
        """A new project with ``frame`` uploaded: (project id, dataset version id)."""
        project = self.ok(self.post("/api/projects", json={"name": "e2e"}), 201)["id"]
        files = {"file": ("table.csv", frame.to_csv(index=False).encode(), "text/csv")}
        data = {"project_id": project, "name": "table"}
        body = self.ok(self.post("/api/datasets/upload", data=data, files=files), 201)
        return project, body["dataset_version_id"]

    def epoch(self, job_id: str) -> int:
        """The last epoch a training job reported (0 before its first)."""
        progress = self.ok(self.get(f"/api/synthgen/jobs/{job_id}"))["progress"] or {}
        return int(progress.get("epoch") or 0)

    def model_status(self, model_id: str, timeout: float) -> str:
        def settled() -> str | None:
            status = self.ok(self.get(f"/api/synthgen/models/{model_id}"))["model"]["status"]
            return status if status in ("ready", "failed", "cancelled") else None

        status: str = wait_for(settled, timeout, f"model {model_id} to settle")
        return status

    def job(self, job_id: str, timeout: float) -> dict[str, Any]:
        def settled() -> dict[str, Any] | None:
            body = self.ok(self.get(f"/api/synthgen/jobs/{job_id}"))
            return body if body["status"] in ("completed", "failed", "cancelled") else None

        body: dict[str, Any] = wait_for(settled, timeout, f"job {job_id} to settle")
        return body


def table(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, rows).round(2),
            "merchant": rng.choice(["grocery", "fuel", "travel", "online"], rows),
            "hour": rng.integers(0, 24, rows),
            "fraud": rng.choice([True, False], rows, p=[0.1, 0.9]),
        }
    )


def key_from(serve: Process, timeout: float = 60.0) -> str:
    def printed() -> str | None:
        if not serve.alive():
            raise AssertionError(f"synthgen serve exited:\n{serve.text()}")
        match = KEY_LINE.search(serve.text())
        return match.group(1) if match else None

    key: str = wait_for(printed, timeout, "the first API key")
    return key
