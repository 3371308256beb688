"""A refused document's problems as data (format, item, place, message), for every interface.

`DocumentError` is an `InvalidInput`: the API answers it as its 422 (each entry with the
document's `format`, the `item` index, a JSON `pointer` and the `loc` of every 422), the CLI
as one line per problem, the page as its message, a failed submission stores the entries.
Nobody re-parses a message to find the place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from clearinghouse.core.formats import Location, Problem
from clearinghouse.errors import FieldError, InvalidInput


@dataclass(frozen=True)
class DocumentProblem(Problem):
    """A problem of a document: where in it, why, and which item (None: the whole)."""

    item: int | None = None


@dataclass(frozen=True)
class DocumentFieldError(FieldError):
    """A document's problem as one entry of a 422: `loc` and `msg`, and the document's terms."""

    format: str = ""
    item: int | None = None
    pointer: str = ""

    def as_detail(self) -> dict[str, object]:
        """The entry with the document's format, the item and an RFC 6901 pointer."""
        return super().as_detail() | {
            "format": self.format or None,
            "item": self.item,
            "pointer": self.pointer,
        }


class DocumentError(InvalidInput):
    """A document refused whole; `problems` name each place, `format` the reader ('' unknown)."""

    def __init__(self, problems: Sequence[DocumentProblem], *, format: str = "") -> None:
        self.problems = tuple(problems)
        self.format = format
        super().__init__(
            [
                DocumentFieldError(
                    ("document", *(str(part) for part in problem.location)),
                    problem.message,
                    format=format,
                    item=problem.item,
                    pointer=problem.pointer,
                )
                for problem in self.problems
            ]
        )

    @classmethod
    def at(cls, location: Location, message: str, *, item: int | None = None) -> DocumentError:
        """One problem at one place (`()`: the document as a whole)."""
        return cls([DocumentProblem(location, message, item)])

    @classmethod
    def located(
        cls, problems: Iterable[Problem], item_of: Callable[[Location], int | None]
    ) -> DocumentError:
        """A format parser's problems, each given the item its place falls in."""
        return cls([DocumentProblem(p.location, p.message, item_of(p.location)) for p in problems])

    def of(self, format: str) -> DocumentError:
        """The same problems, as a problem of a document in `format` (kept if already known)."""
        return self if self.format else DocumentError(self.problems, format=format)


def item_in(container: str) -> Callable[[Location], int | None]:
    """The item a place falls in when the items are the list at `container` (CSAF, native)."""

    def item_of(location: Location) -> int | None:
        if len(location) >= 2 and location[0] == container and isinstance(location[1], int):
            return location[1]
        return None

    return item_of
