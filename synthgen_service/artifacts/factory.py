"""The one place an :class:`ArtifactStore` is built: from ``Settings``, for API and worker.

``Settings.artifact_store`` (``SYNTHGEN_ARTIFACT_STORE``) names the implementation. Only
``local`` ships: files under ``SYNTHGEN_DATA_DIR``, a local disk or a file system shared by
every host. Another implementation (an object store) is one more entry in
:data:`IMPLEMENTATIONS` and one more value of that setting (docs/deploy.md, "Storage").
"""

from __future__ import annotations

from collections.abc import Callable

from synthgen_service.artifacts.local import LocalArtifactStore
from synthgen_service.artifacts.protocol import ArtifactStore
from synthgen_service.settings import Settings

#: ``Settings.artifact_store`` value -> how to build that store from the settings.
IMPLEMENTATIONS: dict[str, Callable[[Settings], ArtifactStore]] = {
    "local": lambda settings: LocalArtifactStore(settings.data_dir),
}


def open_artifact_store(settings: Settings) -> ArtifactStore:
    """The store ``settings`` select; API processes and workers call this alike."""
    build = IMPLEMENTATIONS.get(settings.artifact_store)
    if build is None:
        raise ValueError(
            f"SYNTHGEN_ARTIFACT_STORE={settings.artifact_store!r} is not an artifact store "
            f"this installation provides; use one of {sorted(IMPLEMENTATIONS)}"
        )
    return build(settings)


__all__ = ["IMPLEMENTATIONS", "open_artifact_store"]
