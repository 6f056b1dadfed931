"""What the API and the worker may do with stored files: the :class:`ArtifactStore` protocol.

Files are addressed by :class:`~synthgen_service.artifacts.keys.ArtifactKey`, never by a
path, so an implementation may keep them on a local or shared disk or in an object store.
Every implementation keeps the same promises, checked by one contract suite
(``tests/service/test_artifacts.py``):

- **Atomic publish.** Bytes are staged in an :class:`ArtifactWriter` and become visible
  under their key in one step; a reader sees the old object or the new one, never half of
  one. Staged bytes that are not published are discarded.
- **Streaming.** :meth:`ArtifactStore.open` returns a seekable binary file read in pieces,
  so a table of gigabytes never has to fit in memory.
- **Deletion by artifact.** :meth:`ArtifactStore.delete` removes every object of an
  artifact (its file and cached conversions) at once; missing ones are fine.
- **A full disk is an ``OSError``** with ``ENOSPC`` or ``EDQUOT`` (:func:`disk_full`),
  which the API answers with ``507`` and the worker reports with :data:`DISK_FULL_MESSAGE`.

Who may read what is decided by the database (an ``artifacts`` row per owner); the store
holds no owners and is only ever given keys read from rows the caller owns.
"""

from __future__ import annotations

import errno
import io
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import IO, Protocol, runtime_checkable

import anyio.to_thread

from synthgen_service.artifacts.keys import ArtifactKey

#: Bytes read at a time when an artifact is streamed to a client.
READ_BYTES = 1024 * 1024
#: What a user is told when a write failed for lack of room (disk full or quota reached).
DISK_FULL_MESSAGE = (
    "the server's disk is full; free space in the data dir (SYNTHGEN_DATA_DIR) "
    "or ask the operator to"
)


class ArtifactMissing(LookupError):
    """No object is stored under the key (deleted, or lost outside the service)."""

    def __init__(self, key: ArtifactKey) -> None:
        super().__init__(f"no artifact is stored under {key}")
        self.key = key


@runtime_checkable
class ArtifactWriter(Protocol):
    """Bytes being staged for one object; nobody sees them until :meth:`publish`."""

    @property
    def stream(self) -> IO[bytes]:
        """Where the bytes go (write only; :func:`text_stream` wraps it for text)."""
        ...

    def read_back(self) -> IO[bytes]:
        """A new binary file over the bytes written so far, from the start.

        An upload is sniffed and checked before it is kept; reading the staged bytes back
        spares storing (and deleting) a file that is refused.
        """
        ...

    def publish(self, key: ArtifactKey) -> int:
        """Make the staged bytes the object under ``key`` (replacing any); returns its size.

        The writer is finished afterwards.
        """
        ...


@runtime_checkable
class ArtifactStore(Protocol):
    """Stored files by key: built once per process by ``open_artifact_store(settings)``."""

    def writer(self) -> AbstractContextManager[ArtifactWriter]:
        """A writer whose bytes are discarded on leaving the block unless published."""
        ...

    def put(self, key: ArtifactKey, data: bytes) -> int:
        """Store ``data`` under ``key`` atomically; returns its size."""
        ...

    def open(self, key: ArtifactKey) -> IO[bytes]:
        """The object as a seekable binary file, to read and close.

        :class:`ArtifactMissing` when there is none.
        """
        ...

    def exists(self, key: ArtifactKey) -> bool: ...

    def size(self, key: ArtifactKey) -> int:
        """The object's size in bytes; :class:`ArtifactMissing` when there is none."""
        ...

    def delete(self, artifact_ids: Iterable[uuid.UUID]) -> None:
        """Remove every object of each artifact (already-missing ones are fine)."""
        ...


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is a write refused for lack of space rather than a bug or bad input."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


@contextmanager
def removed_on_error(store: ArtifactStore, artifact_id: uuid.UUID) -> Iterator[None]:
    """Delete the artifact if the block fails (its rows could not be stored).

    A file is published before its database rows are committed; without this, a refused
    row (a constraint, a driver error, a lost connection) would leave an orphan that no row
    points at.
    """
    try:
        yield
    except BaseException:
        store.delete([artifact_id])
        raise


async def read_chunks(
    store: ArtifactStore, key: ArtifactKey, chunk_bytes: int = READ_BYTES
) -> AsyncIterator[bytes]:
    """The object's bytes, ``chunk_bytes`` at a time, each read in a worker thread.

    A download of gigabytes holds one chunk in memory and never stalls the event loop.
    """
    handle = await anyio.to_thread.run_sync(store.open, key)
    try:
        while chunk := await anyio.to_thread.run_sync(handle.read, chunk_bytes):
            yield chunk
    finally:
        handle.close()


@contextmanager
def text_stream(binary: IO[bytes]) -> Iterator[IO[str]]:
    """``binary`` as UTF-8 text (no newline translation), left open for its owner."""
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    try:
        yield text
        text.flush()
    finally:
        text.detach()


__all__ = [
    "DISK_FULL_MESSAGE",
    "ArtifactMissing",
    "ArtifactStore",
    "ArtifactWriter",
    "disk_full",
    "read_chunks",
    "removed_on_error",
    "text_stream",
]
