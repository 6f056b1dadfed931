"""docs/deploy.md documents every service setting and worker option, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings

DEPLOY_MD = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
ROW = re.compile(r"^\| `([A-Z_]+)` \|", re.MULTILINE)


def _changed(struct_type: Any, variable: str) -> set[str]:
    """Fields that setting ``variable`` to "7" changes, or that it makes invalid.

    "7" is a valid value for every numeric, path and text field; a field that takes one of a
    few names (``SYNTHGEN_ARTIFACT_STORE``) refuses it, naming the field it was read into.
    """
    default = msgspec.to_builtins(struct_type(), enc_hook=str)
    try:
        configured = msgspec.to_builtins(struct_type.from_env({variable: "7"}), enc_hook=str)
    except msgspec.ValidationError as error:
        return set(re.findall(r"\$\.(\w+)", str(error)))
    return {name for name in default if default[name] != configured[name]}


def test_every_setting_is_documented_and_every_documented_variable_is_read() -> None:
    variables = ROW.findall(DEPLOY_MD.read_text(encoding="utf-8"))
    assert variables, "docs/deploy.md has no settings tables"
    service: set[str] = set()
    worker: set[str] = set()
    for variable in variables:
        target = worker if variable.startswith("SYNTHGEN_WORKER_") else service
        changed = _changed(WorkerOptions if target is worker else Settings, variable)
        assert len(changed) == 1, f"{variable} sets no single option: {changed}"
        target |= changed
    assert service == set(Settings.__struct_fields__)
    assert worker == set(WorkerOptions.__struct_fields__)
