"""Background re-matching: an advisory change re-matches only the components under its keys."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from clearinghouse.audit.services import audited

from . import services
from .matching import locked_components, match_components


@task()
def rematch(keys: list[list[str]], advisory_ids: list[str]) -> dict[str, int]:
    """Re-match the components of the changed package keys; notify each affected operator.

    Findings, their notifications (delivery rows and tasks) and the audit events commit in
    one transaction, so a worker killed at any point leaves all or nothing; run again, a
    re-match finds the findings it made and notifies no one twice. The assets are locked
    for the whole of it (`locked_components`), so two re-matches, or a re-match and an SBOM
    replacement, of one asset run one after the other, each seeing what the other wrote.
    """
    with audited():
        components = locked_components([(ecosystem, name) for ecosystem, name in keys])
        outcome = match_components(components)
        deliveries = services.notify_operators(outcome.opened)
        services.record_rematch(outcome, advisory_ids)
    return {
        "components": len(components),
        "opened": len(outcome.opened),
        "closed": outcome.closed,
        "notifications": len(deliveries),
    }


def enqueue_rematch(
    sender: Any, *, keys: list[list[str]], advisory_ids: list[str], **_: Any
) -> None:
    """`advisories_changed` receiver (in the import's transaction): queue the re-match."""
    rematch.enqueue(keys, advisory_ids)
