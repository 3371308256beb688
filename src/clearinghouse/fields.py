"""Model fields shared by the apps."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    _Field = models.Field[Any, Any]  # set and read as JSON values, stored as text
else:
    _Field = models.Field


class ExactJSONField(_Field):
    """JSON kept as text, so numbers come back exactly as written on every database.

    PostgreSQL's jsonb stores numbers as decimals and returns 1e+26 as the integer
    100000000000000000000000000, so the same determination would read differently on
    SQLite and PostgreSQL. Use this for stored documents that are read whole, never queried.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)
