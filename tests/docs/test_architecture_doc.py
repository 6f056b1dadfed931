"""docs/architecture.md: its floors name real modules, imports only go down them, and its
code sketches are one-line Python statements that the formatter leaves as written."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.blocks import blocks

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
PACKAGES = ["synthgen_core", "synthgen_service", "synthgen_cli"]
#: ``| floor | `module`, `module/` | ... |``
FLOOR_ROW = re.compile(r"^\| (\d+) \| ([^|]+) \|", re.MULTILINE)


def _floors(package: str) -> dict[str, int]:
    """Top-level module or subpackage of ``package`` -> its floor in the page's table."""
    sections = ARCHITECTURE.read_text(encoding="utf-8").split("\n## ")
    section = next(text for text in sections if f"(`{package}`)" in text.splitlines()[0])
    return {
        name.rstrip("/").removesuffix(".py"): int(floor)
        for floor, names in FLOOR_ROW.findall(section)
        for name in re.findall(r"`([\w./]+)`", names)
    }


def _modules(package: str) -> Iterator[tuple[str, Path]]:
    """Every source file of ``package`` with the top-level module it belongs to."""
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT / package).parts
        if "migrations" in parts or parts[0] in ("__init__.py", "__main__.py"):
            continue  # the package's own face, and Alembic's generated scripts
        yield parts[0].removesuffix(".py"), path


def _imported(path: Path, package: str) -> set[str]:
    """The top-level modules of ``package`` that ``path`` imports, lazily or not."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == package:
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(f"{package}."):
            found.add((node.module or "").split(".")[1])
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if alias.name.startswith(f"{package}.")]
            found.update(name.split(".")[1] for name in names)
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_the_floors_name_exists(package: str) -> None:
    floors = _floors(package)
    assert floors, f"docs/architecture.md has no floor table for {package}"
    for name in floors:
        assert (ROOT / package / name).is_dir() or (ROOT / package / f"{name}.py").is_file(), (
            f"docs/architecture.md puts {package}/{name} on a floor, but it does not exist"
        )


@pytest.mark.parametrize("package", ["synthgen_service", "synthgen_cli"])
def test_every_module_is_on_a_floor_and_imports_only_go_down(package: str) -> None:
    floors = _floors(package)
    for name, path in _modules(package):
        assert name in floors, f"{path.relative_to(ROOT)} is on no floor of architecture.md"
        upward = {other for other in _imported(path, package) if floors[other] > floors[name]}
        assert not upward, f"{path.relative_to(ROOT)} (floor {floors[name]}) imports {upward}"


def test_the_code_sketches_are_python_the_formatter_keeps() -> None:
    sketches = [block for block in blocks(ARCHITECTURE) if block.language == "python"]
    assert sketches
    ruff = Path(sys.executable).parent / "ruff"
    for block in sketches:
        ast.parse(block.code)
        formatted = subprocess.run(
            [str(ruff), "format", "--stdin-filename", "sketch.py", "-"],
            input=block.code,
            cwd=ROOT,  # the project's settings: line length 100
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert formatted.stdout == block.code, f"{block.path.name}:{block.line} is reformatted"
        # A formatter splits a call whose line a trailing comment makes too long: keep
        # every call of a sketch on one line, its comment above it.
        split = [line for line in block.code.splitlines() if line.rstrip().endswith("(")]
        assert not split, f"{block.path.name}:{block.line} splits calls over lines: {split}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_its_package_face(package: str) -> None:
    """``__init__.py`` imports from the floors, so a floor importing it would import upward."""
    for _, path in _modules(package):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert package not in {alias.name for alias in node.names}, path
            if isinstance(node, ast.ImportFrom) and node.module == package:
                for alias in node.names:
                    submodule = ROOT / package / alias.name
                    assert submodule.is_dir() or submodule.with_suffix(".py").is_file(), (
                        f"{path.relative_to(ROOT)} takes {alias.name} from {package}/__init__.py"
                    )
