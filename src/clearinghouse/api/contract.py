"""The error answers of the API, declared in the OpenAPI document once for every operation.

The exception handlers in `api/urls.py` turn refusals into the same JSON bodies whatever the
operation (401 unauthenticated, 403 forbidden, 404 unknown or invisible, 409 a clash with the
current state, 413 too large, 422 invalid input). Each operation's own `response=` declares
its successes; this adds the errors its shape allows, so a client (and schemathesis in
tests/api/test_schemathesis.py) can rely on the document for every status code it gets.
"""

from typing import Any

from ninja import NinjaAPI

_MESSAGE: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "format": {
                        "type": ["string", "null"],
                        "description": "A refused document's format (null: not told yet).",
                    },
                    "item": {
                        "type": ["integer", "null"],
                        "description": "The index of the document's item the problem is in "
                        "(null: the document as a whole).",
                    },
                    "pointer": {
                        "type": "string",
                        "description": "Where in the document, as an RFC 6901 JSON Pointer "
                        '("/vulnerabilities/2/cve"; "" is the whole document).',
                    },
                },
                "required": ["loc", "msg"],
            },
        }
    },
    "required": ["detail"],
}
SCHEMAS = {"ErrorMessage": _MESSAGE, "FieldErrors": _FIELD_ERRORS}
_WRITES = {"post", "put", "patch", "delete"}


def _answer(description: str, schema: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def error_codes(method: str, operation: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The error responses an operation of this method and shape can answer with."""
    parameters = operation.get("parameters", [])
    writes = method.lower() in _WRITES
    codes = {
        401: _answer("No valid bearer token or session.", "ErrorMessage"),
        403: _answer(
            "The caller may not do this (or a session lacks its CSRF token).", "ErrorMessage"
        ),
    }
    if writes or any(p.get("in") == "path" for p in parameters):
        codes[404] = _answer(
            "An object the request names (in its path or body) does not exist, or is not one "
            "the caller may see.",
            "ErrorMessage",
        )
    if writes:
        codes[409] = _answer("The request clashes with the object's current state.", "ErrorMessage")
        codes[413] = _answer(
            "The request body is larger than the instance accepts.", "ErrorMessage"
        )
    if parameters or writes:
        codes[422] = _answer("Invalid input: each error names its place and reason.", "FieldErrors")
    return codes


class ClearinghouseAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the error contract of every operation."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for code, answer in error_codes(method, operation).items():
                    if code not in responses and str(code) not in responses:
                        responses[code] = answer
        return schema
