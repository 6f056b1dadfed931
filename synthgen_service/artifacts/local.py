"""The artifact store on a local (or shared, mounted) disk under the data dir.

Each artifact is a folder ``<data_dir>/artifacts/<uuid>/`` holding its file and any cached
conversions, so deleting an artifact is one ``rmtree``. Writers stage bytes in a temp file
in ``<data_dir>/tmp`` (the same file system) and publish with ``os.replace``, which is
atomic: a reader never sees half a file. Paths come from keys only, and each is checked to
stay inside the artifact folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from synthgen_service.artifacts.keys import ArtifactKey
from synthgen_service.artifacts.protocol import ArtifactMissing


class LocalWriter:
    """A temp file being written; :meth:`publish` renames it into place."""

    def __init__(self, store: LocalArtifactStore, path: Path, stream: IO[bytes]) -> None:
        self._store, self._path, self._stream = store, path, stream

    @property
    def stream(self) -> IO[bytes]:
        return self._stream

    def read_back(self) -> IO[bytes]:
        self._stream.flush()
        return self._path.open("rb")

    def publish(self, key: ArtifactKey) -> int:
        self._stream.close()  # flushes: a full disk fails here, before anything is visible
        target = self._store.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        size = self._path.stat().st_size
        os.replace(self._path, target)
        return size


class LocalArtifactStore:
    """Artifacts as files under ``data_dir`` (see the module docstring for the layout)."""

    def __init__(self, data_dir: Path) -> None:
        data_dir = data_dir.resolve()
        self.root = data_dir / "artifacts"
        self.tmp = data_dir / "tmp"

    def path(self, key: ArtifactKey) -> Path:
        """Where ``key`` lives; refuses anything outside the artifact folder."""
        full = (self.root / str(key.artifact_id) / key.name).resolve()
        if full.parent.parent != self.root:
            raise ValueError(f"artifact key {key} escapes the artifact folder")
        return full

    @contextmanager
    def writer(self) -> Iterator[LocalWriter]:
        self.tmp.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=self.tmp)
        os.close(descriptor)
        path = Path(name)
        try:
            stream = path.open("wb")
            try:
                yield LocalWriter(self, path, stream)
            finally:
                with suppress(OSError):  # unpublished bytes are discarded anyway
                    stream.close()
        finally:
            path.unlink(missing_ok=True)

    def put(self, key: ArtifactKey, data: bytes) -> int:
        with self.writer() as writer:
            writer.stream.write(data)
            return writer.publish(key)

    def open(self, key: ArtifactKey) -> IO[bytes]:
        try:
            return self.path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ArtifactMissing(key) from None

    def exists(self, key: ArtifactKey) -> bool:
        return self.path(key).is_file()

    def size(self, key: ArtifactKey) -> int:
        path = self.path(key)
        if not path.is_file():
            raise ArtifactMissing(key)
        return path.stat().st_size

    def delete(self, artifact_ids: Iterable[uuid.UUID]) -> None:
        for artifact_id in artifact_ids:
            shutil.rmtree(self.root / str(uuid.UUID(str(artifact_id))), ignore_errors=True)


__all__ = ["LocalArtifactStore", "LocalWriter"]
