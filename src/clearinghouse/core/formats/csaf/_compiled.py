"""A compiled yes/no check of the CSAF and CVSS schemas' keywords, 15-30x faster than jsonschema.

`jsonschema` interprets the schema anew for every node of every document (a validator object per
descent, a `referencing` lookup per `$ref`): ~6 ms for a small CISA advisory, ~0.9 s for one of
400 vulnerabilities, most of intake's time. This module turns the schema, once, into nested
closures that answer only "valid or not". jsonschema stays the reference: it is asked for the
error messages whenever this check says no, and the tests compare both verdicts on the whole
CISA corpus and on mutated documents.

The keyword semantics are jsonschema's own (`jsonschema._keywords`), including its switch to
another draft's rules inside a resource that declares its `$schema` (the FIRST CVSS schemas are
draft-04 and -07). A schema using any keyword outside the supported set raises
`UnsupportedSchema`, so a future CSAF schema falls back to jsonschema instead of being checked
half-way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from referencing._core import Resolver  # the type of `Registry.resolver()`; not re-exported
from referencing.jsonschema import specification_with

Check = Callable[[Any], bool]

# Keywords that never make an instance invalid (annotations, identifiers, containers of
# subschemas reached only through `$ref`). `format` is an annotation: the validator has no
# format checker, as jsonschema's default.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "id",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "examples",
        "default",
        "format",
        "license",
    }
)
# Drafts in which `$ref` makes its sibling keywords ignored (jsonschema's `ignore_ref_siblings`).
_LEGACY_REF_DRAFTS = frozenset(
    {
        "http://json-schema.org/draft-03/schema",
        "http://json-schema.org/draft-04/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
    }
)
_DRAFTS = _LEGACY_REF_DRAFTS | {
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
}


class UnsupportedSchema(ValueError):
    """The schema uses something this compiler does not implement; use jsonschema instead."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "number": _is_number,
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def _frozen(value: Any) -> Any:
    """A hashable key equal for two values exactly when `jsonschema._utils.equal` says so."""
    if isinstance(value, bool):
        return ("bool", value)  # True is not 1 in JSON Schema
    if isinstance(value, list | tuple):
        return ("array", tuple(_frozen(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((key, _frozen(item)) for key, item in value.items()))
    return value  # strings, None, and numbers (1 == 1.0, as in jsonschema)


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    frozen = tuple(checks)
    return lambda value: all(check(value) for check in frozen)


class _Compiler:
    def __init__(self) -> None:
        # (id of the subschema, draft) -> one-element cell, filled once compiled; the cell
        # lets a recursive `$ref` (branches within branches) point at a check still being built.
        self._cells: dict[tuple[int, str], list[Check]] = {}
        self._keep: list[Any] = []  # keeps the ids above from being reused

    def compile(self, schema: Any, resolver: Resolver[Any], draft: str) -> Check:
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, Mapping):
            raise UnsupportedSchema(f"a schema must be an object or a boolean, not {schema!r}")
        declared = schema.get("$schema")
        if declared is not None:
            draft = str(declared).rstrip("#")
            if draft not in _DRAFTS:
                raise UnsupportedSchema(f"unknown draft {declared!r}")
        key = (id(schema), draft)
        cell = self._cells.get(key)
        if cell is None:
            cell = []
            self._cells[key] = cell
            self._keep.append(schema)
            # As jsonschema's `descend`: a subschema with its own id becomes the base for its refs.
            resource = specification_with(draft).create_resource(schema)
            if resource.id() is not None:
                resolver = resolver.in_subresource(resource)
            cell.append(self._node(schema, resolver, draft))
        if cell:
            return cell[0]
        return lambda value: cell[0](value)  # recursion: the cell is filled by the time we run

    def _node(self, schema: Mapping[str, Any], resolver: Resolver[Any], draft: str) -> Check:
        keywords = dict(schema)
        if "$ref" in keywords and draft in _LEGACY_REF_DRAFTS:
            keywords = {"$ref": keywords["$ref"]}
        checks: list[Check] = []
        for keyword, value in keywords.items():
            if keyword in _ANNOTATIONS:
                continue
            build = getattr(self, "_" + keyword.lstrip("$"), None)
            if build is None:
                raise UnsupportedSchema(f"keyword {keyword!r} is not supported")
            checks.append(build(value, schema, resolver, draft))
        return _all(checks)

    # One builder per keyword, each mirroring jsonschema._keywords.

    def _ref(self, ref: str, _: Any, resolver: Resolver[Any], draft: str) -> Check:
        resolved = resolver.lookup(ref)
        return self.compile(resolved.contents, resolved.resolver, draft)

    def _type(self, names: Any, *_: Any) -> Check:
        if isinstance(names, str):
            names = [names]
        try:
            tests = tuple(_TYPES[name] for name in names)
        except KeyError as missing:
            raise UnsupportedSchema(f"type {missing} is not supported") from None
        if len(tests) == 1:
            return tests[0]
        return lambda value: any(test(value) for test in tests)

    def _enum(self, values: list[Any], *_: Any) -> Check:
        if all(isinstance(value, str) for value in values):
            strings = frozenset(values)
            return lambda value: isinstance(value, str) and value in strings
        allowed = frozenset(_frozen(value) for value in values)
        return lambda value: _frozen(value) in allowed

    def _properties(
        self, properties: Mapping[str, Any], _: Any, resolver: Resolver[Any], draft: str
    ) -> Check:
        checks = tuple(
            (name, self.compile(subschema, resolver, draft))
            for name, subschema in properties.items()
        )

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, valid in checks:  # noqa: SIM110 (the hot path: a loop beats all())
                if name in value and not valid(value[name]):
                    return False
            return True

        return check

    def _required(self, names: list[str], *_: Any) -> Check:
        needed = tuple(names)
        return lambda value: not isinstance(value, dict) or all(name in value for name in needed)

    def _items(
        self, items: Any, schema: Mapping[str, Any], resolver: Resolver[Any], draft: str
    ) -> Check:
        if not isinstance(items, Mapping | bool) or "prefixItems" in schema:
            raise UnsupportedSchema("only a single `items` schema is supported")
        valid = self.compile(items, resolver, draft)
        return lambda value: not isinstance(value, list) or all(valid(item) for item in value)

    def _oneOf(self, schemas: list[Any], _: Any, resolver: Resolver[Any], draft: str) -> Check:
        options = tuple(self.compile(subschema, resolver, draft) for subschema in schemas)
        return lambda value: sum(1 for valid in options if valid(value)) == 1

    def _pattern(self, pattern: str, *_: Any) -> Check:
        search = re.compile(pattern).search
        return lambda value: not isinstance(value, str) or search(value) is not None

    def _minLength(self, bound: int, *_: Any) -> Check:
        return lambda value: not isinstance(value, str) or len(value) >= bound

    def _minItems(self, bound: int, *_: Any) -> Check:
        return lambda value: not isinstance(value, list) or len(value) >= bound

    def _minProperties(self, bound: int, *_: Any) -> Check:
        return lambda value: not isinstance(value, dict) or len(value) >= bound

    def _maxProperties(self, bound: int, *_: Any) -> Check:
        return lambda value: not isinstance(value, dict) or len(value) <= bound

    def _uniqueItems(self, unique: bool, *_: Any) -> Check:
        if not unique:
            return lambda value: True

        def check(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            return len({_frozen(item) for item in value}) == len(value)

        return check

    def _minimum(self, bound: float, *_: Any) -> Check:
        return lambda value: not _is_number(value) or value >= bound

    def _maximum(self, bound: float, *_: Any) -> Check:
        return lambda value: not _is_number(value) or value <= bound


def compile_schema(schema: Mapping[str, Any], resolver: Resolver[Any]) -> Check:
    """Turn `schema` (resolving `$ref`s with `resolver`) into a function: is an instance valid?

    Raises `UnsupportedSchema` if the schema, or one it references, uses an unsupported keyword.
    """
    draft = str(schema.get("$schema", "https://json-schema.org/draft/2020-12/schema"))
    return _Compiler().compile(schema, resolver, draft.rstrip("#"))
