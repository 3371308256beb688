"""The CLI's HTTP client for a Clearinghouse server: token from the environment, errors as lines.

The token is read from CLEARINGHOUSE_TOKEN, never from the command line, where other users
of the machine could read it; the server from --server or CLEARINGHOUSE_SERVER.
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request
from typing import Any

from ._common import BadInput, field_errors

_TIMEOUT_SECONDS = 300


def server_url(args: argparse.Namespace, *, local_allowed: bool = False) -> str | None:
    """The server to talk to; None means the local database (where the verb allows it)."""
    server = getattr(args, "server", None) or os.environ.get("CLEARINGHOUSE_SERVER")
    if server and not server.startswith(("http://", "https://")):
        raise BadInput(f"--server must be an http(s) URL, not {server!r}")
    if server is None:
        if local_allowed and getattr(args, "as_user", None):
            return None
        hint = " or --as-user USER" if local_allowed else ""
        raise BadInput(f"give --server URL (with CLEARINGHOUSE_TOKEN){hint}")
    return server.rstrip("/")


def required_server(args: argparse.Namespace) -> str:
    """The server URL for verbs that only work against a server."""
    server = server_url(args)
    assert server is not None  # server_url refuses a missing server unless local is allowed
    return server


def api_call(
    server: str,
    method: str,
    path: str,
    *,
    body: Any = None,
    data: bytes | None = None,
    content_type: str = "application/json",
    source: str = "",
) -> tuple[int, bytes]:
    """Call the server's API and return the status and the raw reply.

    `body` is sent as JSON, or `data` as it is with `content_type`. Field errors are
    reported against `source` (the input file) when given; other refusals name it too.
    """
    token = os.environ.get("CLEARINGHOUSE_TOKEN")
    if not token:
        raise BadInput("set CLEARINGHOUSE_TOKEN to an API token (see the API tokens page)")
    payload = json.dumps(body).encode() if body is not None else data
    request = urllib.request.Request(  # noqa: S310  (scheme checked in server_url)
        f"{server}/api{path}",
        method=method,
        data=payload,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        try:
            detail = json.loads(error.read() or b"{}").get("detail", error.reason)
        except ValueError:
            detail = error.reason
        if isinstance(detail, list):
            raise field_errors(source or path, detail) from None
        prefix = f"{source}: " if source else ""
        raise BadInput(f"{prefix}server answered {error.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise BadInput(f"cannot reach {server}: {error}") from None


def api_request(
    server: str, method: str, path: str, body: Any = None, *, source: str = "", raw: bool = False
) -> Any:
    """Call the server's API with a JSON body and return its JSON (or bytes with `raw`)."""
    _, content = api_call(server, method, path, body=body, source=source)
    return content if raw else json.loads(content)
