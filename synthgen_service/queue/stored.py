"""Reading what a task needs from the artifact store: a stored table, a model file.

The worker reads through the same :class:`ArtifactStore` as the API, by the keys in the
``artifacts`` rows; a key whose object is gone raises the task's own error, which names the
fix (upload again, train again) rather than a storage detail.
"""

from __future__ import annotations

import pandas as pd

from synthgen_core.errors import SynthGenError
from synthgen_core.io.model_file import SigningKey
from synthgen_core.io.tables import read_table_bytes
from synthgen_core.models.base import Synthesizer
from synthgen_core.models.load import load
from synthgen_service.artifacts import ArtifactKey, ArtifactStore


def stored_key(files: ArtifactStore, stored: str, missing: SynthGenError) -> ArtifactKey:
    """The key an ``artifacts`` row stores; ``missing`` is raised when its object is gone."""
    key = ArtifactKey.parse(stored)
    if not files.exists(key):
        raise missing
    return key


def read_table(files: ArtifactStore, key: ArtifactKey) -> pd.DataFrame:
    """Blocking: the stored table (its name's suffix helps tell the format, as on upload)."""
    with files.open(key) as handle:
        return read_table_bytes(handle.read(), key.name)


def load_model(
    files: ArtifactStore, key: ArtifactKey, signing_key: SigningKey | None
) -> Synthesizer:
    """Blocking: the stored model, read from the store's stream without a local copy."""
    with files.open(key) as handle:
        return load(handle, signing_key=signing_key)


__all__ = ["load_model", "read_table", "stored_key"]
