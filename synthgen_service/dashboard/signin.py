"""Signing in with an API key, and out again.

The key is posted once, checked against the stored hashes like a Bearer key, and
forgotten: the browser keeps only the signed session (``session.py``). The sign-in form
has its own token too, held in a short-lived SameSite=Strict cookie, so another site
cannot sign a browser in behind its user's back.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.dashboard.session import (
    COOKIE,
    LIFETIME_SECONDS,
    Session,
    same_token,
    sign,
    verify,
)
from synthgen_service.dashboard.web import CSRF_FIELD, SECURITY_HEADERS, Viewer, check_csrf, page
from synthgen_service.store import keys

SIGN_IN_COOKIE = "synthgen_sign_in"
HOME = "/dashboard/projects"
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _cookie(request: Request[Any, Any, Any], name: str, value: str, max_age: int) -> Cookie:
    """HttpOnly, SameSite=Strict, and Secure whenever the page came over HTTPS."""
    secure = request.url.scheme == "https"
    return Cookie(
        key=name, value=value, max_age=max_age, path="/", httponly=True,
        samesite="strict", secure=secure,
    )  # fmt: skip


def _sign_in_page(request: Request[Any, Any, Any], error: str | None, status: int) -> Template:
    token = secrets.token_urlsafe(32)
    response = page("sign_in.html", None, status_code=status, error=error, token=token)
    response.cookies.append(_cookie(request, SIGN_IN_COOKIE, token, 3600))
    return response


@get("/", include_in_schema=False)
async def home(
    request: Request[Any, Any, Any], state: State, session: AsyncSession
) -> Response[Any]:
    """The sign-in page, or the projects when a valid session is already there."""
    found = verify(request.cookies.get(COOKIE), state.session_secret)
    if found is not None and await keys.is_active(session, found.key_id, found.owner):
        return Redirect(HOME, status_code=303, headers=SECURITY_HEADERS)
    return _sign_in_page(request, None, 200)


@post("/dashboard/sign-in", include_in_schema=False)
async def sign_in(
    request: Request[Any, Any, Any], state: State, session: AsyncSession, data: Form
) -> Response[Any]:
    expected = request.cookies.get(SIGN_IN_COOKIE)
    if not expected or not same_token(expected, data.get(CSRF_FIELD)):
        raise PermissionDeniedException(
            "the sign-in form's security token is missing or stale; reload the page"
        )
    row = await keys.find_active(session, data.get("api_key", "").strip())
    if row is None:
        return _sign_in_page(request, "That API key is unknown or revoked.", 200)
    signed = sign(Session.start(row.owner, row.id), state.session_secret)
    response = Redirect(HOME, status_code=303, headers=SECURITY_HEADERS)
    response.cookies.append(_cookie(request, COOKIE, signed, LIFETIME_SECONDS))
    response.cookies.append(_cookie(request, SIGN_IN_COOKIE, "", 0))
    return response


@post("/dashboard/sign-out", include_in_schema=False)
async def sign_out(request: Request[Any, Any, Any], viewer: Viewer, data: Form) -> Response[Any]:
    check_csrf(viewer, data.get(CSRF_FIELD))
    response = Redirect("/", status_code=303, headers=SECURITY_HEADERS)
    response.cookies.append(_cookie(request, COOKIE, "", 0))
    return response


__all__ = ["HOME", "home", "sign_in", "sign_out"]
