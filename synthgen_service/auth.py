"""Bearer API keys: who is calling, before any route runs.

The key's owner becomes ``request.user``; every store query is scoped to it, which is how
another owner's resources answer 404. Only a SHA-256 hash of each key is stored
(``store.keys``). ``/health``, ``/ready`` and the OpenAPI document need no key.
"""

from __future__ import annotations

import re

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from synthgen_service.store import keys

#: Paths reachable without a key.
PUBLIC_PATHS = ["^/health$", "^/ready$", "^/schema"]
#: The dashboard's pages, signed in with a session cookie instead (synthgen_service.dashboard).
DASHBOARD_PATHS = ["^/$", "^/dashboard(/|$)"]
#: RFC 7235: the scheme name is case-insensitive (``bearer``, ``BEARER`` are fine too).
_BEARER = re.compile(r"^Bearer +([A-Za-z0-9_\-]{1,200})$", re.IGNORECASE)
_HOW_TO = "send 'Authorization: Bearer <api key>'; create a key with `synthgen keys create`"


class ApiKeyMiddleware(AbstractAuthenticationMiddleware):
    """Resolves ``Authorization: Bearer <key>`` to the key's owner or answers 401."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:  # type: ignore[type-arg]
        header = connection.headers.get("authorization")
        if not header:
            raise NotAuthorizedException(f"missing API key: {_HOW_TO}")
        match = _BEARER.match(header.strip())
        if match is None:
            raise NotAuthorizedException(f"malformed Authorization header: {_HOW_TO}")
        sessions: async_sessionmaker[AsyncSession] = connection.app.state.sessions
        async with sessions() as session:
            row = await keys.find_active(session, match.group(1))
        if row is None:
            raise NotAuthorizedException("unknown or revoked API key; create a new one")
        return AuthenticationResult(user=row.owner, auth=row.id)


def auth_middleware() -> DefineMiddleware:
    return DefineMiddleware(ApiKeyMiddleware, exclude=PUBLIC_PATHS + DASHBOARD_PATHS)


__all__ = ["DASHBOARD_PATHS", "PUBLIC_PATHS", "ApiKeyMiddleware", "auth_middleware"]
