"""Background intake: large submissions become reports in the worker, with visible progress."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def process_submission(submission_id: int) -> dict[str, int]:
    """Create, score and de-duplicate the reports of a stored submission."""
    submission = services.process(submission_id)
    return {"submission": submission.pk, "reports": submission.processed_items}
