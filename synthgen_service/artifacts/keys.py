"""Artifact keys: the only names storage ever sees, never built from user input.

A key is an artifact id (a UUID the service drew) and a short name inside it: the stored
file (``data.csv``, ``data.synthgen``...) or a cached conversion of it (``export.jsonl``).
Its text form, ``artifacts/<uuid>/<name>``, is what the ``artifacts`` table stores. Every
key is checked when it is made or parsed, so no key can hold a ``/``, a ``..``, a leading
dot or any other character that could steer an implementation outside its own area.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

#: Suffixes the stored file may have (a user-given name never reaches storage).
SUFFIXES = frozenset(
    {".csv", ".tsv", ".txt", ".gz", ".parquet", ".jsonl", ".json", ".synthgen", ""}
)
#: Lower-case letters, digits and dashes, then at most one short extension.
_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}(\.[a-z0-9]{1,16})?")
_PREFIX = "artifacts/"


class InvalidArtifactKey(ValueError):
    """A key that no artifact could have: a server bug or a tampered row, never user input."""


@dataclass(frozen=True)
class ArtifactKey:
    """One stored object: ``name`` inside artifact ``artifact_id``."""

    artifact_id: uuid.UUID
    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.artifact_id, uuid.UUID):
            raise InvalidArtifactKey(f"artifact id {self.artifact_id!r} is not a UUID")
        if not _NAME.fullmatch(self.name):
            raise InvalidArtifactKey(
                f"artifact name {self.name!r} is not a short lower-case name "
                "(letters, digits, dashes and one extension)"
            )

    @classmethod
    def data(cls, artifact_id: uuid.UUID, suffix: str) -> ArtifactKey:
        """The key of an artifact's stored file."""
        if suffix not in SUFFIXES:
            raise InvalidArtifactKey(f"artifact suffix {suffix!r} is not one of {sorted(SUFFIXES)}")
        return cls(artifact_id, f"data{suffix}")

    @classmethod
    def parse(cls, text: str) -> ArtifactKey:
        """The key whose text form is ``text`` (as stored in an ``artifacts`` row)."""
        folder, _, name = text.removeprefix(_PREFIX).partition("/")
        try:
            artifact_id = uuid.UUID(folder)
        except ValueError:
            raise InvalidArtifactKey(f"{text!r} is not an artifact key") from None
        key = cls(artifact_id, name)
        if str(key) != text:  # another spelling of the UUID, a missing prefix, a nested path
            raise InvalidArtifactKey(f"{text!r} is not an artifact key")
        return key

    def sibling(self, name: str) -> ArtifactKey:
        """Another object of the same artifact (deleted with it)."""
        return ArtifactKey(self.artifact_id, name)

    @property
    def suffix(self) -> str:
        """The name's extension with its dot (``.csv``), or ``""``."""
        _, dot, extension = self.name.partition(".")
        return dot + extension

    def __str__(self) -> str:
        return f"{_PREFIX}{self.artifact_id}/{self.name}"


__all__ = ["SUFFIXES", "ArtifactKey", "InvalidArtifactKey"]
