"""The formats intake reads: every module of this package registers its reader, nothing lists them.

Adding a format is adding a module with a `@register`ed `Reader` (as pip-audit adds a
format or a dependency source): detection, the API's and the form's choices, the stored
format name and the error messages all come from here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from ._base import Reader, Syntax
from ._errors import DocumentError

_NAME = re.compile(r"^[a-z][a-z0-9]{0,9}$")  # fits Submission.format and Report.source_format
_READERS: dict[str, Reader] = {}

R = TypeVar("R", bound=type[Reader])


def register(cls: R) -> R:
    """Class decorator: make the reader's format one intake accepts (its name once only)."""
    reader = cls()
    if not _NAME.match(reader.name):
        raise ValueError(f"format name {reader.name!r}: lowercase, at most 10 characters")
    if reader.name in _READERS:
        raise ValueError(f"format {reader.name!r} is registered twice")
    _READERS[reader.name] = reader
    return cls


def unregister(name: str) -> None:
    """Forget a format (a reader registered for a test)."""
    del _READERS[name]


def readers() -> list[Reader]:
    """Every registered reader, in registration order."""
    return list(_READERS.values())


def reader_named(name: str) -> Reader:
    """The reader of a format by its name; KeyError when no reader has it."""
    return _READERS[name]


class Format(str):
    """A registered format's name, as stored (`Submission.format`): `Format("csaf")`.

    Built from any string it checks the name against the registry (ValueError otherwise), so
    a typed input with a `Format` field refuses unknown names and the OpenAPI document lists
    the known ones.
    """

    __slots__ = ()

    def __new__(cls, name: str) -> Format:
        """The format named `name`; ValueError when no reader has it."""
        if name not in _READERS:
            raise ValueError(f"must be one of {', '.join(_READERS)}")
        return super().__new__(cls, name)

    @property
    def value(self) -> str:
        """The name (as an enum member's value: forms and templates read it so)."""
        return str(self)

    @property
    def label(self) -> str:
        """The format's usual name."""
        return _READERS[self].label

    @property
    def reader(self) -> Reader:
        """The format's reader."""
        return _READERS[self]

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validated as a string naming a registered format."""
        return core_schema.no_info_after_validator_function(
            cls, core_schema.str_schema(), serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """A string enumerating the registered names."""
        return {"type": "string", "enum": list(_READERS)}


def formats() -> list[Format]:
    """Every registered format, in registration order."""
    return [Format(name) for name in _READERS]


def _listed(labels: Iterable[str]) -> str:
    *first, last = [*labels] or ["none"]
    return f"{', '.join(first)} or {last}" if first else last


def detect(tree: Any, syntax: Syntax = "json") -> Reader:
    """The one reader whose markers a decoded document carries; DocumentError otherwise.

    A document two formats both claim is refused rather than guessed: name its format.
    Where only one format is accepted in this syntax (YAML: OSV), it is that one's to judge.
    """
    candidates = [reader for reader in _READERS.values() if syntax == "json" or reader.yaml]
    found = [reader for reader in candidates if reader.recognises(tree)]
    if len(found) == 1:
        return found[0]
    if len(candidates) == 1:
        return candidates[0]
    if found:
        raise DocumentError.at(
            (), f"looks like {_listed(r.label for r in found)}: name the format to submit it"
        )
    raise DocumentError.at(
        (), f"cannot tell the format: expected {_listed(r.label for r in candidates)}"
    )


def yaml_labels() -> str:
    """The formats accepted as YAML, for a message."""
    return _listed(reader.label for reader in _READERS.values() if reader.yaml)


def discover(package: str, path: Iterable[str]) -> None:
    """Import every public module of a package: each registers its reader as it loads."""
    for module in sorted(pkgutil.iter_modules(path), key=lambda module: module.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"{package}.{module.name}")
