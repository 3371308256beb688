"""Reuse the review fixtures (a covered model, people on both tracks)."""

from tests.reviews.conftest import covered_model, people

__all__ = ["covered_model", "people"]
