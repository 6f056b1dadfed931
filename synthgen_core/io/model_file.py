"""The ``.sgm`` model file: a JSON header and a safetensors payload, never pickle.

Layout on disk::

    "SGMODEL" NUL | header length (8 bytes, little endian) | header (UTF-8 JSON) | safetensors

Loading never executes code: the header is parsed by msgspec into a typed Struct and the
arrays by safetensors. The header carries a SHA-256 of itself (its checksum and signature
fields blank) and of the payload, so a truncated or accidentally damaged file fails with
:class:`ModelFileError` instead of producing a broken model. The checksum is no proof of
origin: anyone can edit a file and compute a new one. A file saved with a ``signing_key``
also carries an HMAC-SHA256 of the same bytes under that key; a reader given the key
refuses a file whose signature is absent or does not match, so an edited file is refused
even with a recomputed checksum.

Every array must be numeric and finite, and the JSON may nest only :data:`MAX_NESTING`
levels, so a hostile file fails here with a :class:`ModelFileError` rather than deep inside
a model. ``format_version`` makes files written by a newer SynthGen fail with a clear
message; version 1 files (before the signature field) still load, as unsigned files.
Adding a defaulted field to :class:`ModelFileHeader` keeps old files readable.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import tempfile
from pathlib import Path
from typing import IO, Any, TypeVar

import msgspec
import numpy as np
from safetensors.numpy import load as load_arrays
from safetensors.numpy import save as save_arrays

from synthgen_core.errors import ConfigError, ModelFileError

MAGIC = b"SGMODEL\x00"
#: 2 added ``signature``; version 1 files are read as unsigned files.
FORMAT_VERSION = 2
OLDEST_FORMAT_VERSION = 1
#: Deepest JSON nesting a header may have; SynthGen's own headers stay far below it.
MAX_NESTING = 64
#: Shortest signing key accepted, in bytes.
MIN_KEY_BYTES = 16
_LENGTH = struct.Struct("<Q")
_MAX_HEADER_BYTES = 256 * 1024 * 1024
_NUMERIC_KINDS = frozenset("biuf")  # bool, signed, unsigned, float

SigningKey = bytes | str
#: Where a model file is read from or written to: a path, or an open binary file (a stream
#: from the service's artifact store, say), which is read or written but not closed.
ModelFileTarget = str | os.PathLike[str] | IO[bytes]
_T = TypeVar("_T")


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
    #: HMAC-SHA256 (hex) under the writer's signing key; empty when the file is unsigned.
    signature: str = ""
    #: The fitted constraint plan (:mod:`synthgen_core.constraints.plan`) of a model whose
    #: options hold constraints; absent otherwise.
    constraints: dict[str, Any] | None = None


def write_model_file(
    target: ModelFileTarget,
    header: ModelFileHeader,
    arrays: dict[str, np.ndarray],
    *,
    signing_key: SigningKey | None = None,
) -> None:
    """Write atomically: readers see the old file or the new one, never half of one.

    An open binary file is written as it is: publishing it whole is its owner's part.
    """
    key = None if signing_key is None else _key_bytes(signing_key)
    payload = save_arrays({name: np.ascontiguousarray(a) for name, a in arrays.items()})
    header.format_version = FORMAT_VERSION
    header.payload_bytes = len(payload)
    header.payload_sha256 = header.signature = ""
    blank = msgspec.json.encode(header)
    header.payload_sha256 = _digest(blank, payload)
    if key is not None:
        header.signature = _signature(key, blank, payload)
    encoded = msgspec.json.encode(header)
    if isinstance(target, str | os.PathLike):
        _write_atomically(Path(target), encoded, payload)
    else:
        target.write(MAGIC + _LENGTH.pack(len(encoded)) + encoded + payload)


def read_model_file(
    source: ModelFileTarget, *, signing_key: SigningKey | None = None
) -> tuple[ModelFileHeader, dict[str, np.ndarray]]:
    """Parse and verify a model file; every defect is a :class:`ModelFileError`.

    With ``signing_key``, a file without a valid signature under that key is refused.
    """
    key = None if signing_key is None else _key_bytes(signing_key)
    name = source_name(source)
    try:
        blob = _read(source)
    except OSError as error:
        raise ModelFileError(f"cannot read model file {name!r}: {error.strerror}") from None
    header, raw_header, payload = _split(blob, name)
    blank = _blank(raw_header, "signature", header.signature)
    blank = _blank(blank, "payload_sha256", header.payload_sha256)
    if not _same(_digest(blank, payload), header.payload_sha256):
        raise ModelFileError(
            f"model file {name!r} is corrupted or was modified (checksum mismatch); "
            "save the model again"
        )
    if key is not None:
        _check_signature(header, key, blank, payload, name)
    return header, _load_payload(payload, name)


def _read(source: ModelFileTarget) -> bytes:
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    return source.read()


def source_name(source: ModelFileTarget) -> str:
    """What messages call the file: its path, or the name an open file carries."""
    if isinstance(source, str | os.PathLike):
        return str(source)
    return str(getattr(source, "name", "<stream>"))


def _write_atomically(target: Path, encoded: bytes, payload: bytes) -> None:
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


def _digest(blank_header: bytes, payload: bytes) -> str:
    """SHA-256 of the header (checksum and signature blank) and the payload.

    Covering the header too means an accidental change to either, such as a flipped bit in
    a model parameter in the JSON, is caught instead of loaded.
    """
    return hashlib.sha256(blank_header + payload).hexdigest()


def _signature(key: bytes, blank_header: bytes, payload: bytes) -> str:
    """HMAC-SHA256 of the bytes the checksum covers: only a holder of ``key`` can make it."""
    return hmac.new(key, blank_header + payload, hashlib.sha256).hexdigest()


def _same(expected: str, found: str) -> bool:
    """Constant-time comparison; ``found`` comes from the file and may be any text."""
    return hmac.compare_digest(expected.encode(), found.encode())


def _key_bytes(signing_key: SigningKey) -> bytes:
    """The key as bytes (a str is its UTF-8); a short key would make signatures guessable."""
    key = signing_key.encode() if isinstance(signing_key, str) else bytes(signing_key)
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"signing_key has {len(key)} bytes, fewer than {MIN_KEY_BYTES}; use a random "
            "secret such as the output of `openssl rand -hex 32`"
        )
    return key


def _check_signature(
    header: ModelFileHeader, key: bytes, blank: bytes, payload: bytes, name: str
) -> None:
    if not header.signature:
        raise ModelFileError(
            f"model file {name!r} is not signed, and a signing key is required; "
            "save (or train) the model again with the signing key"
        )
    if not _same(_signature(key, blank, payload), header.signature):
        raise ModelFileError(
            f"model file {name!r} has an invalid signature: it was modified after it was "
            "signed, or signed with another key; save (or train) the model again"
        )


def _blank(raw_header: bytes, field: str, value: str) -> bytes:
    """``raw_header`` with the top-level ``field`` emptied, as it was when digested.

    The checksum and signature are the header's last string fields, written after every
    nested value, so their last occurrence is the top-level one.
    """
    filled = b'"%s":"%s"' % (field.encode(), value.encode())
    at = raw_header.rfind(filled)
    if not value or at < 0:
        return raw_header
    return raw_header[:at] + b'"%s":""' % field.encode() + raw_header[at + len(filled) :]


def _split(blob: bytes, name: str) -> tuple[ModelFileHeader, bytes, bytes]:
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
    header = _decode(raw_header, ModelFileHeader, name)
    _check_nesting(header, name)
    payload = blob[start + length :]
    if len(payload) != header.payload_bytes:
        raise ModelFileError(f"model file {name!r} is truncated; save the model again")
    return header, raw_header, payload


def _decode(raw_header: bytes, kind: type[_T], name: str) -> _T:
    """Decode the header; nesting too deep for the decoder is damage like any other."""
    try:
        return msgspec.json.decode(raw_header, type=kind)
    except msgspec.DecodeError as error:
        raise ModelFileError(f"model file {name!r} has a damaged header: {error}") from None
    except RecursionError:
        raise _too_deep(name) from None


def _check_nesting(header: ModelFileHeader, name: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_NESTING` before any model code recurses."""
    level: list[Any] = [header.options, header.metadata, header.state]
    for _ in range(MAX_NESTING):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return
    raise _too_deep(name)


def _too_deep(name: str) -> ModelFileError:
    return ModelFileError(
        f"model file {name!r} has a damaged header: its JSON nests deeper than "
        f"{MAX_NESTING} levels; save the model again"
    )


def _load_payload(payload: bytes, name: str) -> dict[str, np.ndarray]:
    """The arrays, each numeric and finite: no SynthGen model stores NaN or infinity."""
    try:
        arrays = load_arrays(payload)
    except Exception as error:  # safetensors raises its own error types
        raise ModelFileError(f"model file {name!r} has an unreadable payload") from error
    for tensor, array in arrays.items():
        if array.dtype.kind not in _NUMERIC_KINDS:
            raise ModelFileError(
                f"model file {name!r} stores tensor {tensor!r} as {array.dtype}, which no "
                "model uses; save the model again"
            )
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise ModelFileError(
                f"model file {name!r} holds NaN or infinite values in tensor {tensor!r}; "
                "train the model again"
            )
    return arrays


class _Version(msgspec.Struct):
    format_version: int


def _check_version(raw_header: bytes, name: str) -> None:
    """Check the version before the full decode, so a newer format fails for the right reason."""
    version = _decode(raw_header, _Version, name).format_version
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"model file {name!r} uses format version {version}, but this SynthGen reads up to "
            f"version {FORMAT_VERSION}; upgrade synthgen-core to load it"
        )
    if version < OLDEST_FORMAT_VERSION:
        raise ModelFileError(
            f"model file {name!r} has a damaged header: format version {version} does not "
            "exist; save the model again"
        )
