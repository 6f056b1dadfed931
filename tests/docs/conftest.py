"""A real ``synthgen serve`` for the documentation examples that talk to the service.

Started once per session, and only when a file has ``<!-- doctest: service -->`` blocks:
embedded defaults (SQLite and the embedded Redis in its own data dir), a free port, and the
first API key it prints. Stopped by process id when the session ends.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

KEY_LINE = re.compile(r"API key \(shown once, keep it\): (\S+)")
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Service:
    base_url: str
    key: str
    data_dir: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(process: subprocess.Popen[bytes], log: Path, base_url: str) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"synthgen serve exited:\n{log.read_text(errors='replace')}")
        key = KEY_LINE.search(log.read_text(errors="replace"))
        try:
            up = requests.get(f"{base_url}/health", timeout=2).status_code == 200
        except requests.ConnectionError:
            up = False
        if key and up:
            return key.group(1)
        time.sleep(0.2)
    raise AssertionError(f"synthgen serve not ready in {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def docs_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("docs-service")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHGEN_")}
    env.update(SYNTHGEN_DATA_DIR=str(root / "data"), SYNTHGEN_PORT=str(port), PYTHONUNBUFFERED="1")
    log = root / "serve.log"
    synthgen = Path(sys.executable).parent / "synthgen"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(synthgen), "serve"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        key = _wait_ready(process, log, base_url)
        yield Service(base_url=base_url, key=key, data_dir=root / "data")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
