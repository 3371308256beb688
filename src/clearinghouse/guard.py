"""The door every request passes: input no part of Clearinghouse can store is refused here.

A NUL character in a query parameter, a header, a form field or a JSON/text body, a body
over the documented size, or more files than a batch may hold, is answered with a 4xx naming
the problem (JSON `{"detail": [...]}` under `/api/`, a plain page elsewhere) before any view
runs, so it can never reach the database as a 500 (PostgreSQL refuses NUL in text) and
nothing already stored is touched. Uploaded files are read by their own readers, which
refuse NUL in what they take from them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.datastructures import MultiValueDict

from clearinghouse.core.text import NUL_MESSAGE, has_nul


class RequestGuard:
    """Middleware: refuse NUL characters and over-limit bodies with a clear 4xx."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refusal = self._refusal(request)
        except (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent) as error:
            return _answer(request, 413, "body", str(error))
        if refusal is not None:
            return _answer(request, 422, *refusal)
        return self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest) -> tuple[str, str] | None:
        """Where a NUL sits (`("query", name)` and so on), or None when the request is clean."""
        found = _nul_in(request.GET, "query")
        if found is None:
            found = next(
                (("header", name) for name, value in request.headers.items() if "\x00" in value),
                None,
            )
        if found is None and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
                found = _nul_in(request.POST, "form")
            elif has_nul(request.body):
                found = ("body", "")
        return found


def _nul_in(data: MultiValueDict[str, str], where: str) -> tuple[str, str] | None:
    for name, values in data.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return (where, name.replace("\x00", ""))
    return None


def _answer(request: HttpRequest, status: int, where: str, name: str) -> HttpResponse:
    message = NUL_MESSAGE if status == 422 else f"the request is too large: {name}"
    if request.path.startswith("/api/"):
        loc = [where, name] if name and status == 422 else [where]
        return JsonResponse({"detail": [{"loc": loc, "msg": message}]}, status=status)
    response = HttpResponseBadRequest(f"{message} ({where}{' ' + name if name else ''})\n")
    response.status_code = 400 if status == 422 else status
    response["Content-Type"] = "text/plain; charset=utf-8"
    return response
