"""What every dashboard page shares: who is signed in, form tokens, headers, error pages.

Pages never see an API key. ``viewer`` turns the signed session cookie into the owner,
and every query a page makes goes through the same owner-scoped store functions as the
REST API, so another owner's objects answer "not found" here too.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from litestar import Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_core.errors import SynthGenError
from synthgen_service.dashboard.session import COOKIE, same_token, verify
from synthgen_service.errors import ServiceError
from synthgen_service.store import keys

#: Scripts only from this origin (htmx is a static file here), so an injected inline
#: script never runs; no framing, forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
#: The hidden form field that carries the session's form token.
CSRF_FIELD = "_csrf"


class Viewer(NamedTuple):
    """The signed-in owner and the form token their forms must send back."""

    owner: str
    csrf: str


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in page."""


async def provide_viewer(
    request: Request[Any, Any, Any], state: State, session: AsyncSession
) -> Viewer:
    """The owner behind the session cookie; a forged, expired or revoked one signs out."""
    found = verify(request.cookies.get(COOKIE), state.session_secret)
    if found is None or not await keys.is_active(session, found.key_id, found.owner):
        raise SignInRequired
    return Viewer(found.owner, found.csrf)


def check_csrf(viewer: Viewer, sent: str | None) -> None:
    """Refuse a state-changing form that does not carry this session's token (403)."""
    if not same_token(viewer.csrf, sent):
        raise PermissionDeniedException(
            "the form's security token is missing or stale; reload the page and submit again"
        )


def page(template: str, viewer: Viewer | None, status_code: int = 200, **context: Any) -> Template:
    """Render ``template`` with the viewer (for the header and the form tokens)."""
    return Template(
        template_name=template,
        context={"viewer": viewer, "csrf_field": CSRF_FIELD, **context},
        status_code=status_code,
        headers=SECURITY_HEADERS,
    )


def secure(response: Response[Any]) -> Response[Any]:
    """After-request hook: the security headers on every dashboard response."""
    response.headers.update(SECURITY_HEADERS)
    return response


def _sign_in(request: Request[Any, Any, Any], _: SignInRequired) -> Response[Any]:
    if request.headers.get("hx-request"):  # htmx: make the whole page go, not a fragment
        return Response(content="", headers={"HX-Redirect": "/", **SECURITY_HEADERS})
    return Redirect("/", status_code=303, headers=SECURITY_HEADERS)


def _error_page(status: int, detail: str) -> Template:
    return page("error.html", None, status_code=status, status=status, detail=detail)


def _service(_: Request[Any, Any, Any], exc: ServiceError) -> Template:
    return _error_page(exc.status_code, exc.detail)


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Template:
    return _error_page(exc.status_code, exc.detail)


def _library(_: Request[Any, Any, Any], exc: SynthGenError) -> Template:
    return _error_page(422, str(exc))


#: Errors on dashboard pages are pages too (the REST API's stay JSON).
EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    SignInRequired: _sign_in,
    ServiceError: _service,
    HTTPException: _http,
    SynthGenError: _library,
}

__all__ = [
    "CSRF_FIELD",
    "EXCEPTION_HANDLERS",
    "SECURITY_HEADERS",
    "SignInRequired",
    "Viewer",
    "check_csrf",
    "page",
    "provide_viewer",
    "secure",
]
