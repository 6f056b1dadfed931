"""Every code example in README.md and docs/*.md runs (convention: tests/docs/blocks.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.docs.blocks import Block, blocks
from tests.docs.conftest import Service

ROOT = Path(__file__).resolve().parents[2]
#: Contributors' contract sketches, not user examples: their blocks name undefined tables.
NOT_EXAMPLES = {"architecture.md"}
FILES = sorted(
    path
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    if path.exists() and path.name not in NOT_EXAMPLES
)
LOCAL_URL, KEY_PLACEHOLDER = "http://localhost:8888", "YOUR_API_KEY"


def _code(block: Block, service: Service | None) -> str:
    if block.directive != "service":
        return block.code
    assert service is not None
    return block.code.replace(LOCAL_URL, service.base_url).replace(KEY_PLACEHOLDER, service.key)


def _run_python(block: Block, code: str, namespace: dict[str, Any]) -> None:
    # Leading newlines make tracebacks point at the Markdown file's own line numbers.
    exec(compile("\n" * block.line + code, str(block.path), "exec"), namespace)


def _run_shell(block: Block, code: str, cwd: Path, service: Service | None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHGEN_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if block.directive == "service" and service is not None:
        env.update(
            BASE_URL=service.base_url, API_KEY=service.key, SYNTHGEN_DATA_DIR=str(service.data_dir)
        )
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{block.where} failed:\n{done.stdout}\n{done.stderr}"


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_examples_run(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    found = [block for block in blocks(path) if block.runs]
    service = None
    if any(block.directive == "service" for block in found):
        service = request.getfixturevalue("docs_service")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": f"docs.{path.stem}"}
    for block in found:
        code = _code(block, service)
        if block.language == "python":
            _run_python(block, code, namespace)
        else:
            _run_shell(block, code, tmp_path, service)


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_skipped_blocks_say_why(path: Path) -> None:
    for block in blocks(path):
        if block.directive == "skip":
            assert block.reason, f"{block.where}: write <!-- doctest: skip - REASON -->"
