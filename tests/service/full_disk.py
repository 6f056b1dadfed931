"""A full disk for tests: files opened for writing under one folder write to ``/dev/full``.

A full file system cannot be made in CI, but ``/dev/full`` is a real kernel device whose
every write fails with ``ENOSPC``: the service meets exactly the error a full disk raises,
from the operating system, wherever it writes with ``Path.open`` (temp files, exports).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DEV_FULL = Path("/dev/full")


def fill_disk(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Every file under ``folder`` opened for writing is ``/dev/full`` from now on."""
    if not DEV_FULL.exists():
        pytest.skip("needs /dev/full (Linux)")
    real_open = Path.open

    def open_on_full_disk(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode.strip("bt") != "r" and self.resolve().is_relative_to(folder.resolve()):
            return real_open(DEV_FULL, mode, *args, **kwargs)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_on_full_disk)
