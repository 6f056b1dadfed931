"""Files the service keeps (uploads, model files, generated tables), addressed by key only.

The API and the worker both get an :class:`ArtifactStore` from :func:`open_artifact_store`
and never see a path: the store may be a local disk (the implementation that ships) or,
through the same protocol, an object store. Training checkpoints are not artifacts; they
are the worker's scratch files (:mod:`synthgen_service.queue.checkpoints`).
"""

from synthgen_service.artifacts.factory import IMPLEMENTATIONS, open_artifact_store
from synthgen_service.artifacts.keys import SUFFIXES, ArtifactKey, InvalidArtifactKey
from synthgen_service.artifacts.local import LocalArtifactStore
from synthgen_service.artifacts.protocol import (
    DISK_FULL_MESSAGE,
    ArtifactMissing,
    ArtifactStore,
    ArtifactWriter,
    disk_full,
    read_chunks,
    removed_on_error,
    text_stream,
)

__all__ = [
    "DISK_FULL_MESSAGE",
    "IMPLEMENTATIONS",
    "SUFFIXES",
    "ArtifactKey",
    "ArtifactMissing",
    "ArtifactStore",
    "ArtifactWriter",
    "InvalidArtifactKey",
    "LocalArtifactStore",
    "disk_full",
    "open_artifact_store",
    "read_chunks",
    "removed_on_error",
    "text_stream",
]
