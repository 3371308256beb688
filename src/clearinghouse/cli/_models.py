"""`clearinghouse models …`: register and list models, on a server (token) or the local database.

A lab uses a server: `--server URL` (or CLEARINGHOUSE_SERVER) with its API token in
CLEARINGHOUSE_TOKEN, never on the command line where other users could read it. An
instance's own operators may act on the local database as a named user with `--as-user`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ._client import api_request, server_url
from ._common import (
    EXIT_OK,
    BadInput,
    field_errors,
    page_query,
    page_summary,
    print_determination,
    read_json,
    setup_django,
)


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
    from clearinghouse.frontier.inputs import RegisterModel
    from clearinghouse.frontier.services import register_model
    from clearinghouse.inputs import parse

    try:
        model = register_model(user, parse(RegisterModel, declaration))
    except InvalidInput as error:
        raise field_errors(source, error.detail()) from None
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
    server = server_url(args, local_allowed=True)
    if server:
        model = api_request(server, "POST", "/frontier/models", declaration, source=str(path))
    else:
        model = _register_locally(args.as_user, declaration, source=str(path))
    if args.json:
        print(json.dumps(model, indent=2))
    else:
        print(f"registered model #{model['id']}")
        print_determination(model["determination"], f"{model['name']} {model['version']}")
    return EXIT_OK


def listing(args: argparse.Namespace) -> int:
    """List a page of the models the user may see, with their coverage and the total."""
    server = server_url(args, local_allowed=True)
    if server:
        page = api_request(server, "GET", "/frontier/models" + page_query(args))
    else:
        page = _local_page(args)
    if args.json:
        print(json.dumps(page, indent=2))
    else:
        for model in page["items"]:
            coverage = "COVERED" if model["covered"] else "not covered"
            print(
                f"#{model['id']:<5} {model['organisation']:<28} {model['name']} "
                f"{model['version']:<10} {coverage:<12} release {model['planned_release_date']}"
            )
        print(page_summary(args, page))
    return EXIT_OK


def _local_page(args: argparse.Namespace) -> dict[str, Any]:
    """The page of models the API would answer, read from the local database."""
    user = _local_user(args.as_user)
    from clearinghouse.accounts.permissions import visible
    from clearinghouse.frontier.api import ModelOut
    from clearinghouse.frontier.models import AIModel
    from clearinghouse.paging import MAX_LIMIT, MAX_OFFSET

    if not (1 <= args.limit <= MAX_LIMIT and 0 <= args.offset <= MAX_OFFSET):
        raise BadInput(f"--limit is 1 to {MAX_LIMIT} and --offset 0 to {MAX_OFFSET}")
    models = (
        visible(AIModel, user)
        .select_related("organisation")
        .order_by("organisation__name", "name", "version", "id")
    )
    items = models[args.offset : args.offset + args.limit]
    return {
        "items": [ModelOut.from_orm(model).model_dump(mode="json") for model in items],
        "count": models.count(),
    }
