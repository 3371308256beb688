"""Errors that services raise and every interface (API, pages, CLI) turns into the same answer."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field: where (`loc`) and what (`msg`)."""

    loc: tuple[str, ...]
    msg: str

    def as_detail(self) -> dict[str, object]:
        """This error as one entry of the API's 422 body (a subclass may add its own terms)."""
        return {"loc": list(self.loc), "msg": self.msg}


class InvalidInput(ValueError):
    """Input that breaks a rule: HTTP 422, CLI exit 2, a form error per field. Nothing changed."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(e.loc) or 'input'}: {e.msg}" for e in errors))

    @classmethod
    def from_validation(cls, error: ValidationError) -> InvalidInput:
        """Translate pydantic's errors, keeping the field path and a readable message."""
        return cls(
            [
                FieldError(
                    tuple(str(part) for part in item["loc"]),
                    item["msg"].removeprefix("Value error, "),
                )
                for item in error.errors()
            ]
        )

    def detail(self) -> list[dict[str, object]]:
        """The errors as the API's 422 body lists them: `[{"loc": [...], "msg": ...}]`."""
        return [error.as_detail() for error in self.errors]

    @classmethod
    def single(cls, field: str, message: str) -> InvalidInput:
        """One error on one field."""
        return cls([FieldError((field,), message)])


class Conflict(RuntimeError):
    """A request that clashes with the current state (a duplicate, an illegal transition): 409."""
