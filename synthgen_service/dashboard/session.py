"""Dashboard sessions: a signed cookie that names the owner and the key id, never the key.

The cookie is ``base64url(JSON payload) "." base64url(HMAC-SHA256(secret, payload))``. The
payload holds the owner, the id of the API key that signed in, the form token (CSRF) and an
expiry; a cookie whose signature does not match is ignored, so a forged or edited cookie
is simply "not signed in". Each request also checks that the key is still active, so
revoking a key ends every session it opened.

The secret comes from ``Settings.session_secret`` or, when that is unset, from
``<data_dir>/session-secret``, created with 32 random bytes on first start (mode 0600).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import time
import uuid
from pathlib import Path

import msgspec

from synthgen_service.settings import Settings

COOKIE = "synthgen_session"
#: How long a session lasts after signing in.
LIFETIME_SECONDS = 12 * 3600
SECRET_FILE = "session-secret"


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """What the signed cookie carries."""

    owner: str
    key_id: uuid.UUID
    #: Sent back in every state-changing form; a request without it is refused.
    csrf: str
    #: Unix time after which the cookie is no longer accepted.
    expires: int

    @classmethod
    def start(cls, owner: str, key_id: uuid.UUID) -> Session:
        expires = int(time.time()) + LIFETIME_SECONDS
        return cls(owner=owner, key_id=key_id, csrf=secrets.token_urlsafe(32), expires=expires)


def load_secret(settings: Settings) -> bytes:
    """The signing secret: the setting, else the data dir's file (created when missing)."""
    if settings.session_secret:
        return settings.session_secret.encode("utf-8")
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        _create_secret(path)
    return path.read_bytes().strip()


def _create_secret(path: Path) -> None:
    # O_EXCL: two processes starting at once must not each write a different secret.
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())


def sign(session: Session, secret: bytes) -> str:
    payload = _b64(msgspec.json.encode(session))
    return f"{payload}.{_mac(secret, payload)}"


def verify(cookie: str | None, secret: bytes) -> Session | None:
    """The session in ``cookie`` if its signature holds and it has not expired, else None."""
    if not cookie or cookie.count(".") != 1:
        return None
    payload, mac = cookie.split(".")
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    try:
        session = msgspec.json.decode(_unb64(payload), type=Session)
    except (msgspec.DecodeError, binascii.Error, ValueError):
        return None
    return session if session.expires > time.time() else None


def same_token(expected: str, sent: str | None) -> bool:
    """Constant-time comparison of a form token with the one it should equal."""
    return sent is not None and hmac.compare_digest(expected.encode(), sent.encode())


__all__ = [
    "COOKIE",
    "LIFETIME_SECONDS",
    "SECRET_FILE",
    "Session",
    "load_secret",
    "same_token",
    "sign",
    "verify",
]
