"""A user's first install: the built wheel, alone in a fresh virtual environment.

The module builds the sdist and the wheel from a copy of the checkout (the wheel from the
sdist, as ``python -m build`` does, so both are checked), installs the wheel into a new
virtual environment without extras, and runs what the README promises there. The new
environment sees exactly the distributions that synthgen-core requires (found from the
installed metadata, links to this venv's copies, so nothing is downloaded): no
SQLAlchemy, no matplotlib, as after ``pip install synthgen-core``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.docs.blocks import blocks

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "synthgen_core",
    "synthgen_service",
    "synthgen_cli",
]
PACKAGED = [
    "synthgen_core/data/demo.csv",
    "synthgen_core/py.typed",
    "synthgen_service/py.typed",
    "synthgen_service/store/migrations/env.py",
    "synthgen_service/store/migrations/script.py.mako",
    "synthgen_service/store/migrations/versions/0001_initial.py",
    "synthgen_core-0.1.0.dist-info/licenses/LICENSE",
]


@dataclass(frozen=True)
class Install:
    wheel: Path
    sdist: Path
    build_log: str
    env: Path

    @property
    def python(self) -> str:
        return str(self.env / "bin" / "python")

    @property
    def synthgen(self) -> str:
        return str(self.env / "bin" / "synthgen")


def _required_distributions() -> set[str]:
    """synthgen-core's dependencies, transitively, without any extra of ours."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [("synthgen-core", frozenset())]
    while todo:
        name, extras = todo.pop()
        if (canonicalize_name(name), extras) in seen:
            continue
        seen.add((canonicalize_name(name), extras))
        for text in metadata.distribution(name).requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in {"", *extras}):
                todo.append((requirement.name, frozenset(requirement.extras)))
    return {name for name, _ in seen} - {"synthgen-core"}


def _link_dependencies(view: Path) -> None:
    """Link each required distribution's top-level files (packages, dist-info) into ``view``."""
    view.mkdir()
    for name in _required_distributions():
        distribution = metadata.distribution(name)
        tops = {file.parts[0] for file in distribution.files or []}
        for top in tops - {"..", "__pycache__"}:
            target = Path(str(distribution.locate_file(top)))
            if target.exists() and not (view / top).exists():
                (view / top).symlink_to(target)


def _build(workdir: Path) -> tuple[Path, Path, str]:
    source = workdir / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = workdir / "dist"
    built = _run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)]
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return next(dist.glob("*.whl")), next(dist.glob("*.tar.gz")), built.stdout + built.stderr


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    workdir = tmp_path_factory.mktemp("install")
    wheel, sdist, log = _build(workdir)
    env = workdir / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(env)]).returncode == 0
    site = Path(
        _run(
            [str(env / "bin/python"), "-c", "import site; print(site.getsitepackages()[0])"]
        ).stdout.strip()
    )
    _link_dependencies(workdir / "dependencies")
    (site / "dependencies.pth").write_text(f"{workdir / 'dependencies'}\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(env / "bin/python"), "install"]
    installed = _run([*pip, "--no-index", "--quiet", str(wheel)])  # dependencies: linked
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return Install(wheel=wheel, sdist=sdist, build_log=log, env=env)


def test_the_build_is_clean_and_the_wheel_holds_the_data_files(install: Install) -> None:
    assert "deprecat" not in install.build_log.lower(), install.build_log
    names = set(zipfile.ZipFile(install.wheel).namelist())
    assert set(PACKAGED) <= names
    wheel_metadata = zipfile.ZipFile(install.wheel).read("synthgen_core-0.1.0.dist-info/METADATA")
    assert b"License-Expression: Apache-2.0" in wheel_metadata
    assert b"Provides-Extra: plots" in wheel_metadata


def test_the_environment_has_no_extra(install: Install) -> None:
    for module in ("sqlalchemy", "litestar", "matplotlib"):
        probe = _run([install.python, "-c", f"import {module}"])
        assert probe.returncode != 0 and "ModuleNotFoundError" in probe.stderr


def test_the_readme_library_quickstart_runs(install: Install, tmp_path: Path) -> None:
    readme = [block for block in blocks(ROOT / "README.md") if block.language == "python"]
    script = tmp_path / "quickstart.py"
    script.write_text(readme[0].code, encoding="utf-8")
    ran = _run([install.python, str(script)], cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "quality" in ran.stdout
    assert ran.stderr == ""  # not a terminal: no progress bar, no warning


def test_help_lists_the_commands_and_names_the_service_extra(install: Install) -> None:
    shown = _run([install.synthgen, "--help"])
    assert shown.returncode == 0, shown.stderr
    for command in ("inspect", "fit", "sample", "evaluate", "serve", "worker", "keys"):
        assert command in shown.stdout
    assert "synthgen-core[service]" in shown.stdout


@pytest.mark.parametrize("argv", [["serve"], ["worker"], ["keys", "create", "--name", "ci"]])
def test_service_commands_name_the_service_extra_in_one_line(
    install: Install, tmp_path: Path, argv: list[str]
) -> None:
    ran = _run([install.synthgen, *argv], cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and "Traceback" not in ran.stderr
    assert ran.stderr.startswith("synthgen: error: ")
    assert "pip install 'synthgen-core[service]'" in ran.stderr
    assert list(tmp_path.iterdir()) == []  # no data dir, no database


def test_evaluate_with_plots_names_the_plots_extra_and_creates_nothing(
    install: Install, tmp_path: Path
) -> None:
    table = tmp_path / "real.csv"
    _run(
        [
            install.python,
            "-c",
            f"import synthgen_core.demo as d; d.demo_table().to_csv({str(table)!r}, index=False)",
        ]
    )
    ran = _run(
        [install.synthgen, "evaluate", str(table), str(table), "--plots", "plots/"], cwd=tmp_path
    )
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and "Traceback" not in ran.stderr
    assert "pip install 'synthgen-core[plots]'" in ran.stderr
    assert not (tmp_path / "plots").exists()


def test_report_plot_raises_an_error_naming_the_plots_extra(
    install: Install, tmp_path: Path
) -> None:
    script = """
import pandas as pd
import synthgen_core as sg
from synthgen_core.errors import MissingDependencyError

table = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": list("xyxy")})
try:
    sg.evaluate(table, table).plot("report.png")
except MissingDependencyError as error:
    assert isinstance(error, ImportError)
    print(error)
"""
    ran = _run([install.python, "-c", script], cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "pip install 'synthgen-core[plots]'" in ran.stdout
    assert not (tmp_path / "report.png").exists()
