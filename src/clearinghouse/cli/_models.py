"""`clearinghouse models …`: register and list models, on a server (token) or the local database.

A lab uses a server: `--server URL` (or CLEARINGHOUSE_SERVER) with its API token in
CLEARINGHOUSE_TOKEN, never on the command line where other users could read it. An
instance's own operators may act on the local database as a named user with `--as-user`.
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from ._common import EXIT_OK, BadInput, field_errors, print_determination, read_json, setup_django

_TIMEOUT_SECONDS = 60


def _server(args: argparse.Namespace) -> str | None:
    server = args.server or os.environ.get("CLEARINGHOUSE_SERVER")
    if server and not server.startswith(("http://", "https://")):
        raise BadInput(f"--server must be an http(s) URL, not {server!r}")
    if server is None and not args.as_user:
        raise BadInput("give --server URL (with CLEARINGHOUSE_TOKEN) or --as-user USER")
    return server.rstrip("/") if server else None


def _request(server: str, method: str, path: str, body: Any = None, source: str = "") -> Any:
    """Call the server's API; field errors are reported against `source` (the input file)."""
    token = os.environ.get("CLEARINGHOUSE_TOKEN")
    if not token:
        raise BadInput("set CLEARINGHOUSE_TOKEN to an API token (see the API tokens page)")
    request = urllib.request.Request(  # noqa: S310  (scheme checked in _server)
        f"{server}/api{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        detail = json.loads(error.read() or b"{}").get("detail", error.reason)
        if isinstance(detail, list):
            raise field_errors(source or path, detail) from None
        raise BadInput(f"server answered {error.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise BadInput(f"cannot reach {server}: {error}") from None


def _local_user(username: str) -> Any:
    setup_django()
    from clearinghouse.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise BadInput(f"no active user named {username!r}")
    return user


def _register_locally(username: str, declaration: dict[str, Any], source: str) -> dict[str, Any]:
    user = _local_user(username)
    from django.core.exceptions import PermissionDenied

    from clearinghouse.errors import Conflict, InvalidInput
    from clearinghouse.frontier.api import ModelOut
    from clearinghouse.frontier.services import register_model

    try:
        model = register_model(user, declaration)
    except InvalidInput as error:
        detail = [{"loc": list(item.loc), "msg": item.msg} for item in error.errors]
        raise field_errors(source, detail) from None
    except (PermissionDenied, Conflict) as error:
        raise BadInput(str(error)) from None
    return ModelOut.from_orm(model).model_dump(mode="json")


def register(args: argparse.Namespace) -> int:
    """Register a model from a JSON declaration and print its determination."""
    path = Path(args.model)
    declaration = read_json(path)
    if not isinstance(declaration, dict):
        raise BadInput(f"{path}: expected a JSON object")
    declaration.pop("developer", None)  # the lab is the signed-in user's organisation
    server = _server(args)
    if server:
        model = _request(server, "POST", "/frontier/models", declaration, source=str(path))
    else:
        model = _register_locally(args.as_user, declaration, source=str(path))
    if args.json:
        print(json.dumps(model, indent=2))
    else:
        print(f"registered model #{model['id']}")
        print_determination(model["determination"], f"{model['name']} {model['version']}")
    return EXIT_OK


def listing(args: argparse.Namespace) -> int:
    """List the models the user may see, with their coverage."""
    server = _server(args)
    if server:
        models = _request(server, "GET", "/frontier/models")
    else:
        user = _local_user(args.as_user)
        from clearinghouse.accounts.permissions import visible
        from clearinghouse.frontier.api import ModelOut
        from clearinghouse.frontier.models import AIModel

        models = [
            ModelOut.from_orm(model).model_dump(mode="json")
            for model in visible(AIModel, user).select_related("organisation")
        ]
    if args.json:
        print(json.dumps(models, indent=2))
    else:
        for model in models:
            coverage = "COVERED" if model["covered"] else "not covered"
            print(
                f"#{model['id']:<5} {model['organisation']:<28} {model['name']} "
                f"{model['version']:<10} {coverage:<12} release {model['planned_release_date']}"
            )
    return EXIT_OK
