"""What every intake format reduces a document to, and the one interface a format implements.

Pure (no Django). A format is a `Reader`: it tells its own documents from others'
(`recognises`) and turns a decoded document into `Item`s (`read`), raising `DocumentError`
with each problem's place. The registry (`_registry`) finds the readers; nothing else
names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from clearinghouse.core.scoring.dedup import ProductRef

from ._errors import DocumentError

if TYPE_CHECKING:
    from ._registry import Format

# C0 controls except tab, newline and carriage return; DEL; the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TITLE_CHARS = 500
TEXT_CHARS = 100_000

#: How a document's bytes were decoded.
Syntax = Literal["json", "yaml"]


@dataclass(frozen=True)
class Item:
    """One vulnerability a document reports, in the shape every format reduces to."""

    index: int
    title: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    cwe: str = ""
    products: tuple[ProductRef, ...] = ()
    cvss_vectors: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    exploitation: str = ""
    automatable: str = ""
    technical_impact: str = ""
    model: str = ""
    assessment: str = ""
    raw: Any = None


@dataclass(frozen=True)
class Document:
    """A validated document: its format and its items."""

    format: Format
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Source:
    """A submitted document as a reader gets it: its bytes, how they decoded, and the tree."""

    data: bytes
    syntax: Syntax
    tree: Any
    #: The most items a document may hold: a reader refuses more before validating them.
    max_items: int


class Reader(Protocol):
    """One intake format. Implement it in a module of `intake/readers/` and `@register` it."""

    #: Stored as the submission's and its reports' format: lowercase, at most 10 characters.
    name: str
    #: The format's usual name, as pages and messages show it.
    label: str
    #: Whether documents may come as YAML as well as JSON.
    yaml: bool
    #: Whether a document's items are distinct vulnerabilities by construction (one
    #: advisory's entries): dedup then never groups two items of one document.
    distinct_items: bool

    def recognises(self, tree: Any) -> bool:
        """Whether a decoded document carries this format's own markers (detection)."""
        ...

    def read(self, source: Source) -> list[Item]:
        """Validate the document whole and reduce it to items; raise `DocumentError`."""
        ...


def clean(text: object, limit: int = TEXT_CHARS) -> str:
    """Drop control characters (they corrupt logs and terminals) and cap the length."""
    return _CONTROL.sub("", str(text or ""))[:limit]


def check_count(count: int, max_items: int, where: str) -> None:
    """Refuse a document with more items than accepted, before validating any of them."""
    if count > max_items:
        raise DocumentError.at(
            (where,), f"{count:,} items; at most {max_items:,} are accepted in one document"
        )
