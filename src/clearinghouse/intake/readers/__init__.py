"""Intake's formats as a registry: one reader module per format behind one small interface.

Each public module here (`csaf`, `cve5`, `native`, `osv`, `sarif`) defines a `Reader` and
registers it with `@register`; importing this package imports them all. To add a format,
add a module: nothing else names the formats. `read_document` decodes a submission safely,
detects its format (or takes the declared one) and hands it to the reader, which raises a
`DocumentError` whose problems carry the format, the item, the place and the message.
"""

from ._base import Document, Item, Reader, Source, Syntax, clean
from ._errors import DocumentError, DocumentFieldError, DocumentProblem
from ._read import read_document
from ._registry import (
    Format,
    detect,
    discover,
    formats,
    reader_named,
    readers,
    register,
    unregister,
)

__all__ = [
    "Document",
    "DocumentError",
    "DocumentFieldError",
    "DocumentProblem",
    "Format",
    "Item",
    "Reader",
    "Source",
    "Syntax",
    "clean",
    "detect",
    "discover",
    "formats",
    "read_document",
    "reader_named",
    "readers",
    "register",
    "unregister",
]

discover(__name__, __path__)
