"""How much one submission (or one batch of them) may hold, from settings, with defaults."""

from __future__ import annotations

from django.conf import settings

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ITEMS = 5000
DEFAULT_BACKGROUND_ITEMS = 500
DEFAULT_MAX_BATCH_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_BATCH_DOCUMENTS = 1000


def max_bytes() -> int:
    """The largest document accepted (setting CLEARINGHOUSE_INTAKE_MAX_BYTES)."""
    return int(getattr(settings, "CLEARINGHOUSE_INTAKE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_items() -> int:
    """The most items one document may hold (setting CLEARINGHOUSE_INTAKE_MAX_ITEMS)."""
    return int(getattr(settings, "CLEARINGHOUSE_INTAKE_MAX_ITEMS", DEFAULT_MAX_ITEMS))


def background_items() -> int:
    """Documents with more items than this are processed by the worker."""
    return int(getattr(settings, "CLEARINGHOUSE_INTAKE_BACKGROUND_ITEMS", DEFAULT_BACKGROUND_ITEMS))


def max_batch_bytes() -> int:
    """The most bytes one batch may hold in all (setting CLEARINGHOUSE_INTAKE_MAX_BATCH_BYTES)."""
    return int(getattr(settings, "CLEARINGHOUSE_INTAKE_MAX_BATCH_BYTES", DEFAULT_MAX_BATCH_BYTES))


def max_batch_documents() -> int:
    """The most documents one batch may hold (setting CLEARINGHOUSE_INTAKE_MAX_BATCH_DOCUMENTS)."""
    return int(
        getattr(settings, "CLEARINGHOUSE_INTAKE_MAX_BATCH_DOCUMENTS", DEFAULT_MAX_BATCH_DOCUMENTS)
    )
