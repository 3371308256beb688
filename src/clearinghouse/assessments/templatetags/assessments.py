"""`{% assessments_section notice %}`: the assessments part of a notice page."""

from __future__ import annotations

from typing import Any

from django import template

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import can, visible
from clearinghouse.reviews.services import usable_grant

from .. import availability, runner, services
from ..catalog import AGENTIC, LEVEL_NAMES, SUITE_FAMILIES
from ..models import AssessmentRun
from ..permissions import speaks_for_a_lab

register = template.Library()


@register.inclusion_tag("assessments/_notice_section.html", takes_context=True)
def assessments_section(context: dict[str, Any], notice: Any) -> dict[str, Any]:
    """Runs and uploaded logs the user may see, the start button and the upload form."""
    user = context["request"].user
    if not isinstance(user, User):
        return {"show": False}
    is_lab = speaks_for_a_lab(user)
    can_assess = can(user, "assessments.run", notice)
    lab_levels = services.levels_for_lab(notice) if is_lab else {}
    return {
        "show": True,
        "csrf_token": context.get("csrf_token"),
        "notice": notice,
        "is_lab": is_lab,
        "can_assess": can_assess,
        "can_upload": can(user, "assessments.upload_log", notice),
        "suites": list(SUITE_FAMILIES),
        "optional_suites": [s for s in availability.suites() if s.optional] if can_assess else [],
        **(_sandbox(notice) if can_assess else {}),
        "runs": visible(AssessmentRun, user)
        .filter(notice=notice)
        .select_related("organisation", "started_by"),
        "lab_levels": [
            {"family": family, "level": level, "name": LEVEL_NAMES[level]}
            for family, level in sorted(lab_levels.items())
        ],
    }


def _sandbox(notice: Any) -> dict[str, Any]:
    # Where the granted model's agentic tasks would run, or why the start refuses them: the
    # form says so before anyone presses the button.
    grant = usable_grant(notice)
    if grant is None:
        return {}
    choice = runner.sandbox_for(runner.target_model(grant), runner.limits())
    refused = {
        suite for suite, families in SUITE_FAMILIES.items() if AGENTIC.intersection(families)
    }
    return {
        "sandbox": choice.sandbox,
        "sandbox_refused": choice.refused,
        "refused_suites": refused if choice.refused else set(),
    }
