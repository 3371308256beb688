"""The one NinjaAPI: routers of every app, authentication, and the error contract."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from clearinghouse import __version__
from clearinghouse.accounts.api import router as accounts_router
from clearinghouse.advisories.api import router as advisories_router
from clearinghouse.assessments.api import router as assessments_router
from clearinghouse.assets.api import router as assets_router
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.frontier.api import router as frontier_router
from clearinghouse.intake.api import router as intake_router
from clearinghouse.notifications.api import router as notifications_router
from clearinghouse.reviews.api import router as reviews_router

from .auth import SessionAuth, TokenAuth
from .contract import ClearinghouseAPI
from .parser import StrictJsonParser

api = ClearinghouseAPI(
    title="Clearinghouse API",
    version=__version__,
    description=(
        "Frontier model review and cybersecurity clearinghouse. Authenticate with "
        "`Authorization: Bearer <token>` (issue one at /api/accounts/tokens or with "
        "`clearinghouse token create`) or a signed-in browser session."
    ),
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    parser=StrictJsonParser(),
)
api.add_router("/accounts", accounts_router)
api.add_router("/frontier", frontier_router)
api.add_router("/advisories", advisories_router)
api.add_router("/assets", assets_router)
api.add_router("/intake", intake_router)
api.add_router("/reviews", reviews_router)
api.add_router("/assessments", assessments_router)
api.add_router("/notifications", notifications_router)


@api.exception_handler(InvalidInput)
def _invalid(request: HttpRequest, error: InvalidInput) -> HttpResponse:
    return api.create_response(request, {"detail": error.detail()}, status=422)


@api.exception_handler(SchemaError)
def _schema(request: HttpRequest, error: SchemaError) -> HttpResponse:
    """A body or query that breaks a typed input's rules: the same 422 as a service's refusal."""
    detail = [
        {
            "loc": list(item.get("loc", ())),
            "msg": str(item.get("msg", "")).removeprefix("Value error, "),
        }
        for item in error.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or "forbidden"}, status=403)


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, error: Conflict) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=409)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    """401 with the scheme to use (RFC 6750); a token that was sent and refused is invalid."""
    response = api.create_response(
        request, {"detail": "authentication required: a bearer token or a session"}, status=401
    )
    refused = ', error="invalid_token"' if "authorization" in request.headers else ""
    response["WWW-Authenticate"] = f'Bearer realm="clearinghouse"{refused}'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    """Malformed JSON is invalid input like any other (422), with the parser's reason."""
    if isinstance(error.__cause__, InvalidInput):
        return _invalid(request, error.__cause__)
    if isinstance(error.__cause__, ValueError):  # json.JSONDecodeError, UnicodeDecodeError
        detail = [
            {"loc": ["body"], "msg": f"the request body is not valid JSON: {error.__cause__}"}
        ]
        return api.create_response(request, {"detail": detail}, status=422)
    return api.create_response(request, {"detail": str(error)}, status=error.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=413)
