"""docs/models.md documents every option of every model type, with its real default."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
import pytest

from synthgen_core.models import registry

MODELS_MD = Path(__file__).resolve().parents[2] / "docs" / "models.md"
ROW = re.compile(r"^\| `(\w+)` \| [^|]+ \| `([^`]+)` \|")


def _documented(model_type: str) -> dict[str, str]:
    """Option -> default text from the ``### Options: `model_type` `` table."""
    text = MODELS_MD.read_text(encoding="utf-8")
    heading = f"### Options: `{model_type}`"
    assert heading in text, f"docs/models.md has no section {heading!r}"
    section = text.split(heading, 1)[1].split("\n#", 1)[0]
    rows = [ROW.match(line) for line in section.splitlines()]
    return {match.group(1): match.group(2) for match in rows if match}


def _defaults(model_type: str) -> dict[str, str]:
    config = msgspec.to_builtins(registry.model_class(model_type).config_type())
    return {name: json.dumps(value) for name, value in config.items()}


BUILT_INS = ["gaussian_copula", "ctgan", "copulagan", "tvae", "autoregressive"]


@pytest.mark.parametrize("model_type", BUILT_INS)
def test_every_option_is_documented_with_its_default(model_type: str) -> None:
    assert _documented(model_type) == _defaults(model_type)


def test_the_documented_model_types_are_the_built_ins() -> None:
    assert [info.id for info in registry.model_types()][: len(BUILT_INS)] == [
        "ctgan",
        "copulagan",
        "tvae",
        "gaussian_copula",
        "autoregressive",
    ]
