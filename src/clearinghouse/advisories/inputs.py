"""Typed input of the advisory store's list: the API's query parameters and the page's form.

The page builds it with `clearinghouse.inputs.parse`, so a rule and its message live once.
"""

from __future__ import annotations

from pydantic import Field

from clearinghouse.inputs import Command


class AdvisoryFilter(Command):
    """Narrow the list by package: ecosystem and normalised name, as the index keys them."""

    ecosystem: str | None = Field(default=None, max_length=100, description="e.g. PyPI")
    package: str | None = Field(default=None, max_length=500, description="normalised name")
