"""Forge model files the way an attacker would: any header, any arrays, a valid checksum.

Written from the file format's description, not with the library's writer, so the tests
check the reader against an independent implementation of the format.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save as save_arrays

MAGIC = b"SGMODEL\x00"


def split(blob: bytes) -> tuple[dict[str, Any], bytes]:
    """The header (as JSON) and the payload of a valid model file."""
    (length,) = struct.unpack_from("<Q", blob, len(MAGIC))
    start = len(MAGIC) + 8
    return json.loads(blob[start : start + length]), blob[start + length :]


def forge(
    header: dict[str, Any],
    payload: bytes | dict[str, np.ndarray],
    *,
    signing_key: bytes | None = None,
    signature: str = "",
    splice: dict[str, bytes] | None = None,
) -> bytes:
    """A model file with ``header`` and ``payload`` whose checksum (and signature) verify.

    ``splice`` maps a string value in ``header`` to raw JSON written in its place (JSON that
    Python's encoder cannot write, such as 10,000 nested lists). Without ``signing_key``,
    ``signature`` is written as given: an old signature kept on an edited file.
    """
    if isinstance(payload, dict):
        payload = save_arrays({name: np.ascontiguousarray(a) for name, a in payload.items()})
    header = dict(header)
    header.pop("payload_sha256", None)
    header.pop("signature", None)
    header["payload_bytes"] = len(payload)
    header["payload_sha256"] = ""
    header["signature"] = ""
    blank = _dumps(header, splice)
    header["payload_sha256"] = hashlib.sha256(blank + payload).hexdigest()
    if signing_key is not None:
        signature = hmac.new(signing_key, blank + payload, hashlib.sha256).hexdigest()
    header["signature"] = signature
    raw = _dumps(header, splice)
    return MAGIC + struct.pack("<Q", len(raw)) + raw + payload


def rewrite(path: Path, edit_header: Any = None, edit_arrays: Any = None) -> None:
    """Edit a model file's header and/or arrays in place, fix its checksum, keep its signature."""
    from safetensors.numpy import load as load_arrays

    header, payload = split(path.read_bytes())
    if edit_header is not None:
        edit_header(header)
    if edit_arrays is not None:
        arrays = load_arrays(payload)
        edit_arrays(arrays)
        payload = save_arrays(arrays)
    path.write_bytes(forge(header, payload, signature=header.get("signature", "")))


def _dumps(header: dict[str, Any], splice: dict[str, bytes] | None) -> bytes:
    raw = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    for placeholder, text in (splice or {}).items():
        raw = raw.replace(json.dumps(placeholder).encode(), text)
    return raw
