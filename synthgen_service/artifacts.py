"""Files the service keeps (uploads, model files, generated tables), addressed by id only.

Each artifact lives in its own folder ``<data_dir>/artifacts/<uuid>/``: the stored file plus
any cached conversions of it, so deleting an artifact is one ``rmtree``. Paths are built from
UUIDs and fixed suffixes, never from user input. Writes go to a temp file in the same file
system and are published with ``os.replace``, so a reader never sees half a file.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: Suffixes an artifact file may have (a user-given name never reaches the file system).
SUFFIXES = frozenset(
    {".csv", ".tsv", ".txt", ".gz", ".parquet", ".jsonl", ".json", ".synthgen", ""}
)
#: What a user is told when a write failed for lack of room (disk full or quota reached).
DISK_FULL_MESSAGE = (
    "the server's disk is full; free space in the data dir (SYNTHGEN_DATA_DIR) "
    "or ask the operator to"
)


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is a write refused for lack of space rather than a bug or bad input."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class ArtifactFiles:
    """The artifact folder under a data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.root = self.data_dir / "artifacts"
        self.tmp = self.data_dir / "tmp"

    def relative_path(self, artifact_id: uuid.UUID, suffix: str) -> str:
        """The path stored in the ``artifacts`` row (relative to the data dir)."""
        if suffix not in SUFFIXES:
            raise ValueError(f"artifact suffix {suffix!r} is not one of {sorted(SUFFIXES)}")
        return f"artifacts/{uuid.UUID(str(artifact_id))}/data{suffix}"

    def path(self, relative: str) -> Path:
        """Absolute path of a stored relative path; refuses anything outside the folder."""
        full = (self.data_dir / relative).resolve()
        if not full.is_relative_to(self.root):
            raise ValueError("artifact path escapes the artifact folder")
        return full

    def folder(self, artifact_id: uuid.UUID) -> Path:
        return self.root / str(uuid.UUID(str(artifact_id)))

    @contextmanager
    def temp_file(self, suffix: str = "") -> Iterator[Path]:
        """A fresh temp file on the artifacts' file system, removed unless it was published."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp, suffix=suffix)
        os.close(fd)
        path = Path(name)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    def publish(self, source: Path, artifact_id: uuid.UUID, suffix: str) -> tuple[str, int]:
        """Atomically move a finished temp file into place; returns (relative path, size)."""
        relative = self.relative_path(artifact_id, suffix)
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        size = source.stat().st_size
        os.replace(source, target)
        return relative, size

    @contextmanager
    def removed_on_error(self, artifact_id: uuid.UUID) -> Iterator[None]:
        """Delete the artifact's folder if the block fails (its rows could not be stored).

        A file is published before its database rows are committed; without this, a
        refused row (a constraint, a driver error, a lost connection) would leave an orphan
        folder that no row points at.
        """
        try:
            yield
        except BaseException:
            self.delete([artifact_id])
            raise

    def write_bytes(self, artifact_id: uuid.UUID, suffix: str, data: bytes) -> tuple[str, int]:
        """Atomically write ``data`` as the artifact's file; returns (relative path, size)."""
        with self.temp_file(suffix) as tmp:
            tmp.write_bytes(data)
            return self.publish(tmp, artifact_id, suffix)

    def checkpoint_path(self, job_id: uuid.UUID) -> Path:
        """Where a training job keeps its checkpoint, so a retry resumes from it."""
        return self.data_dir / "checkpoints" / f"{uuid.UUID(str(job_id))}.ckpt"

    def delete_checkpoints(self, job_ids: Iterable[uuid.UUID]) -> None:
        """Remove the jobs' training checkpoints (already-missing ones are fine)."""
        for job_id in job_ids:
            self.checkpoint_path(job_id).unlink(missing_ok=True)

    def delete(self, artifact_ids: Iterable[uuid.UUID]) -> None:
        """Remove the artifacts' folders (already-missing ones are fine)."""
        for artifact_id in artifact_ids:
            shutil.rmtree(self.folder(artifact_id), ignore_errors=True)


__all__ = ["DISK_FULL_MESSAGE", "SUFFIXES", "ArtifactFiles", "disk_full"]
