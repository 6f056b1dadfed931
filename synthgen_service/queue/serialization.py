"""msgspec MessagePack (de)serializer for arq, shared by the service and the worker.

arq pickles job payloads by default; we never use pickle. Payloads only carry ids (the worker
reads everything else from the database), so plain MessagePack is enough. Exceptions that arq
stores as failed results become ``{"error": <type name>, "message": <text>}``.
"""

from __future__ import annotations

from typing import Any

import msgspec


def _encode_extra(obj: Any) -> Any:
    if isinstance(obj, BaseException):
        return {"error": type(obj).__name__, "message": str(obj)}
    raise NotImplementedError(f"cannot serialize {type(obj).__name__} for the job queue")


_encoder = msgspec.msgpack.Encoder(enc_hook=_encode_extra)
_decoder = msgspec.msgpack.Decoder()


def job_serializer(data: dict[str, Any]) -> bytes:
    """Encode a job or result dict as MessagePack (arq's ``job_serializer``)."""
    return _encoder.encode(data)


def job_deserializer(raw: bytes) -> dict[str, Any]:
    """Decode MessagePack into the dict arq expects (arq's ``job_deserializer``)."""
    data = _decoder.decode(raw)
    if not isinstance(data, dict):
        raise ValueError("a queued job must decode to a mapping")
    return data


__all__ = ["job_deserializer", "job_serializer"]
