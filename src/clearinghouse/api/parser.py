"""JSON bodies as the API reads them: only numbers JSON itself allows, and finite ones.

Python's `json` accepts `NaN`, `Infinity` and overflows like `1e999` (to `inf`); stored and
answered back they are invalid JSON. The parser refuses them, so a body holding one is a
422 naming the value.
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn, cast

from django.http import HttpRequest
from ninja.parser import Parser

from clearinghouse.errors import InvalidInput


def _refuse_constant(name: str) -> NoReturn:
    raise InvalidInput.single("body", f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidInput.single("body", f"{text} is too large for a number")
    return value


class StrictJsonParser(Parser):
    """ninja's parser, refusing non-finite numbers in request bodies."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(
            dict[str, Any],
            json.loads(request.body, parse_constant=_refuse_constant, parse_float=_finite),
        )
