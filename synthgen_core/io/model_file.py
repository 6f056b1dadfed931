"""The ``.sgm`` model file: a JSON header and a safetensors payload, never pickle.

Layout on disk::

    "SGMODEL" NUL | header length (8 bytes, little endian) | header (UTF-8 JSON) | safetensors

Loading never executes code: the header is parsed by msgspec into a typed Struct and the
arrays by safetensors. The header carries a SHA-256 of itself (that field blank) and of the
payload, so a truncated or edited file fails with :class:`ModelFileError` instead of
producing a broken model, and a ``format_version`` so files written by a newer SynthGen
fail with a clear message.
Adding a defaulted field to :class:`ModelFileHeader` keeps old files readable.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
from safetensors.numpy import load as load_arrays
from safetensors.numpy import save as save_arrays

from synthgen_core.errors import ModelFileError

MAGIC = b"SGMODEL\x00"
FORMAT_VERSION = 1
_LENGTH = struct.Struct("<Q")
_MAX_HEADER_BYTES = 256 * 1024 * 1024


class ModelFileHeader(msgspec.Struct, kw_only=True):
    """Everything in a model file except the arrays."""

    format_version: int
    model_type: str
    synthgen_version: str
    options: dict[str, Any]
    metadata: dict[str, Any]
    state: dict[str, Any]
    payload_sha256: str
    payload_bytes: int


def write_model_file(
    path: str | os.PathLike[str], header: ModelFileHeader, arrays: dict[str, np.ndarray]
) -> None:
    """Write atomically: readers see the old file or the new one, never half of one."""
    payload = save_arrays({name: np.ascontiguousarray(a) for name, a in arrays.items()})
    header.payload_bytes = len(payload)
    header.payload_sha256 = ""
    header.payload_sha256 = _digest(msgspec.json.encode(header), payload)
    encoded = msgspec.json.encode(header)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(MAGIC + _LENGTH.pack(len(encoded)) + encoded + payload)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_model_file(path: str | os.PathLike[str]) -> tuple[ModelFileHeader, dict[str, np.ndarray]]:
    """Parse and verify a model file; every defect is a :class:`ModelFileError`."""
    try:
        blob = Path(path).read_bytes()
    except OSError as error:
        raise ModelFileError(f"cannot read model file {str(path)!r}: {error.strerror}") from None
    header, raw_header, payload = _split(blob, path)
    field = b'"payload_sha256":"%s"' % header.payload_sha256.encode()
    blank = raw_header.replace(field, b'"payload_sha256":""', 1)
    if _digest(blank, payload) != header.payload_sha256:
        raise ModelFileError(
            f"model file {str(path)!r} is corrupted or was modified (checksum mismatch); "
            "save the model again"
        )
    try:
        arrays = load_arrays(payload)
    except Exception as error:  # safetensors raises its own error types
        raise ModelFileError(f"model file {str(path)!r} has an unreadable payload") from error
    return header, arrays


def _digest(blank_header: bytes, payload: bytes) -> str:
    """SHA-256 of the header (its checksum field blank) and the payload.

    Covering the header too means an edit to either, such as a changed model parameter in
    the JSON, is caught instead of loaded.
    """
    return hashlib.sha256(blank_header + payload).hexdigest()


def _split(blob: bytes, path: str | os.PathLike[str]) -> tuple[ModelFileHeader, bytes, bytes]:
    name = str(path)
    if not blob.startswith(MAGIC):
        raise ModelFileError(f"{name!r} is not a SynthGen model file (expected a .sgm file)")
    start = len(MAGIC) + _LENGTH.size
    if len(blob) < start:
        raise ModelFileError(f"model file {name!r} is truncated; save the model again")
    (length,) = _LENGTH.unpack_from(blob, len(MAGIC))
    if length > _MAX_HEADER_BYTES or start + length > len(blob):
        raise ModelFileError(f"model file {name!r} is truncated; save the model again")
    raw_header = blob[start : start + length]
    _check_version(raw_header, name)
    try:
        header = msgspec.json.decode(raw_header, type=ModelFileHeader)
    except msgspec.DecodeError as error:
        raise ModelFileError(f"model file {name!r} has a damaged header: {error}") from None
    payload = blob[start + length :]
    if len(payload) != header.payload_bytes:
        raise ModelFileError(f"model file {name!r} is truncated; save the model again")
    return header, raw_header, payload


class _Version(msgspec.Struct):
    format_version: int


def _check_version(raw_header: bytes, name: str) -> None:
    """Check the version before the full decode, so a newer format fails for the right reason."""
    try:
        version = msgspec.json.decode(raw_header, type=_Version).format_version
    except msgspec.DecodeError as error:
        raise ModelFileError(f"model file {name!r} has a damaged header: {error}") from None
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"model file {name!r} uses format version {version}, but this SynthGen reads up to "
            f"version {FORMAT_VERSION}; upgrade synthgen-core to load it"
        )
