"""Reading a submitted document: decoded safely, its format detected, read by its reader.

JSON for every format; YAML only for readers that accept it (a file named .yaml/.yml, or a
declared format that takes YAML when the bytes are not JSON). The limits live here, once
for every format: UTF-8 only, nesting bounded by the parser (too deep is refused), no YAML
anchors or aliases, and a reader refuses too many items before validating them.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from clearinghouse.core.formats.osv import load_yaml

from ._base import Document, Item, Reader, Source, Syntax
from ._errors import DocumentError
from ._registry import Format, detect, yaml_labels


def _decode_json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise DocumentError.at((), f"not UTF-8 text: {error}") from None
    except RecursionError:
        raise DocumentError.at((), "nested too deeply") from None


def _decode_yaml(data: bytes) -> Any:
    # Aliases let a few hundred bytes expand into billions of nodes ("billion laughs"); no
    # format intake reads needs them. The event stream is checked before anything is built.
    try:
        for event in yaml.parse(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise DocumentError.at((), "YAML anchors and aliases are not accepted")
        return load_yaml(data.decode("utf-8-sig"))
    except yaml.YAMLError as error:
        raise DocumentError.at((), f"not valid YAML: {error}") from None
    except UnicodeDecodeError as error:
        raise DocumentError.at((), f"not UTF-8 text: {error}") from None
    except RecursionError:
        raise DocumentError.at((), "nested too deeply") from None


def _decoded(data: bytes, filename: str, declared: Reader | None) -> tuple[Syntax, Any]:
    if not filename.lower().endswith((".yaml", ".yml")):
        try:
            return "json", _decode_json(data)
        except json.JSONDecodeError as error:
            if declared is None or not declared.yaml:
                raise DocumentError.at((), f"not valid JSON: {error}") from None
    if declared is not None and not declared.yaml:
        raise DocumentError.at((), f"only {yaml_labels()} records are accepted as YAML")
    return "yaml", _decode_yaml(data)


def read_document(
    data: bytes, *, filename: str = "", declared: str | None = None, max_items: int = 5000
) -> Document:
    """Validate a submitted document against its format's rules and reduce it to items.

    `declared` names the format instead of detecting it (ValueError if no reader has that
    name: check it first with `Format`). Raises `DocumentError` naming every problem found,
    with the format once known; nothing partial is returned.
    """
    reader = Format(declared).reader if declared else None
    try:
        syntax, tree = _decoded(data, filename, reader)
        reader = reader or detect(tree, syntax)
        items: list[Item] = reader.read(Source(data, syntax, tree, max_items))
    except DocumentError as error:
        if reader is None:
            raise
        raise error.of(reader.name) from None
    return Document(Format(reader.name), tuple(items))
