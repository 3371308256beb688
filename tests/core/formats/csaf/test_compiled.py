from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from clearinghouse.core.formats.csaf import _schema, schema_errors
from clearinghouse.core.formats.csaf._compiled import UnsupportedSchema, compile_schema
from tests.shared_data import shared_data

from ._documents import example_document

DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"


def _both(schema: dict[str, Any], *resources: tuple[str, dict[str, Any]]) -> tuple[Any, Any]:
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(contents)) for uri, contents in resources
    )
    reference = Draft202012Validator(schema, registry=registry)
    compiled = compile_schema(schema, registry.resolver_with_root(Resource.from_contents(schema)))
    return reference, compiled


@pytest.mark.parametrize(
    ("schema", "instances"),
    [
        ({"type": "number"}, [1, 2.5, True, "1", None]),
        ({"type": ["string", "null"]}, ["a", None, 0]),
        ({"enum": ["a", "b"]}, ["a", "c", 1]),
        ({"enum": [1, "x"]}, [1, 1.0, True, "x"]),
        ({"uniqueItems": True}, [[1, True], [1, 1.0], [{"a": [1]}, {"a": [1.0]}], ["a", "b"]]),
        ({"minLength": 2, "pattern": "^a"}, ["ab", "a", "ba", 5]),
        ({"required": ["a"], "minProperties": 2, "maxProperties": 2}, [{"a": 1}, {"a": 1, "b": 2}]),
        ({"items": {"type": "string"}, "minItems": 1}, [[], ["a"], ["a", 1], "not an array"]),
        ({"oneOf": [{"type": "string"}, {"minLength": 3}]}, ["ab", "abc", 5]),
        ({"minimum": 0, "maximum": 10}, [0, 10, 10.5, -1, "11"]),
    ],
)
def test_each_keyword_gives_jsonschemas_verdict(
    schema: dict[str, Any], instances: list[Any]
) -> None:
    reference, compiled = _both({"$schema": DRAFT_2020, **schema})
    verdicts = [compiled(instance) for instance in instances]
    assert verdicts == [reference.is_valid(instance) for instance in instances]
    assert True in verdicts and False in verdicts  # each case exercises both answers


def test_recursive_references_are_followed() -> None:
    schema = {
        "$schema": DRAFT_2020,
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"children": {"items": {"$ref": "#/$defs/node"}}},
            }
        },
        "$ref": "#/$defs/node",
    }
    reference, compiled = _both(schema)
    deep_bad = {"children": [{"children": [{"children": ["leaf"]}]}]}
    deep_good: dict[str, Any] = {"children": [{"children": [{"children": []}]}]}
    assert (compiled(deep_bad), compiled(deep_good)) == (False, True)
    assert reference.is_valid(deep_good) and not reference.is_valid(deep_bad)


def test_a_draft_04_resource_ignores_the_siblings_of_ref_as_jsonschema_does() -> None:
    other = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "definitions": {"text": {"type": "string"}},
        "properties": {"v": {"$ref": "#/definitions/text", "minLength": 5}},
    }
    schema = {"$schema": DRAFT_2020, "$ref": "https://example.org/other.json"}
    reference, compiled = _both(schema, ("https://example.org/other.json", other))
    for instance in ({"v": "ab"}, {"v": 1}):
        assert compiled(instance) == reference.is_valid(instance)
    assert compiled({"v": "ab"})  # minLength beside $ref does not apply in draft-04


def test_an_unsupported_keyword_refuses_to_compile_rather_than_half_check() -> None:
    with pytest.raises(UnsupportedSchema, match="additionalProperties"):
        _both({"$schema": DRAFT_2020, "additionalProperties": False})


def test_without_a_compiled_check_jsonschema_gives_the_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_schema, "_fast_check", lambda: None)
    document = example_document()
    assert schema_errors(document) == ()
    document["document"]["category"] = ""
    assert schema_errors(document)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, (*path, index))


_REPLACEMENTS: list[Any] = [
    None, "", 0, -1, 10.5, 1.0, True, [], {}, "x", ["a", "a"], [{}], {"a": 1},
    "CVSS:3.1/AV:Q", "2020-01-01T00:00:00Z", "AV:N/AC:L/Au:N/C:P/I:P/A:P",
]  # fmt: skip


def _mutated(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    document = copy.deepcopy(document)
    for _ in range(rng.choice([1, 1, 2])):
        path, node = rng.choice(list(_nodes(document))[1:])
        parent: Any = document
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        roll = rng.random()
        if roll < 0.2:
            del parent[key]
        elif roll < 0.3 and isinstance(parent, list):
            parent.append(copy.deepcopy(node))
        elif roll < 0.4 and isinstance(node, str):
            parent[key] = node + rng.choice([" ", "!", "\n", "Z"])
        else:
            parent[key] = copy.deepcopy(rng.choice(_REPLACEMENTS))
    return document


def test_the_compiled_check_agrees_with_jsonschema_on_real_and_mutated_advisories() -> None:
    paths = sorted(shared_data("csaf/cisa/2017").glob("*.json"))
    paths += sorted(shared_data("csaf/examples/csaf").glob("**/*.json"))
    documents = [json.loads(path.read_bytes()) for path in paths]
    reference, compiled = _schema._validator(), _schema._fast_check()
    assert compiled is not None
    for document in documents:
        assert compiled(document) == reference.is_valid(document)
    rng = random.Random(2024)
    verdicts = []
    for _ in range(600):
        mutant = _mutated(rng.choice(documents), rng)
        verdict = compiled(mutant)
        assert verdict == reference.is_valid(mutant), json.dumps(mutant)[:2000]
        verdicts.append(verdict)
    assert 0.2 < verdicts.count(False) / len(verdicts) < 0.95  # the mutations do break documents
