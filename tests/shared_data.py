"""Where the real datasets shared with the project live.

Developers and CI have ``shared/`` beside the checkout (``../shared/datasets``);
``SYNTHGEN_DATASETS`` points anywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _locate() -> Path:
    configured = os.environ.get("SYNTHGEN_DATASETS")
    if configured:
        return Path(configured)
    beside = REPO.parent / "shared" / "datasets"
    return beside if beside.is_dir() else Path("/work/shared/datasets")


DATASETS = _locate()
