"""The review report of a notice, as HTML (a page) and as PDF (fpdf2, no system libraries).

Both forms are built from one context, filtered through the permission layer, so a lab's
copy holds only what the lab may see: released findings, decisions, never internal notes.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from fpdf import FPDF

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import visible

from .models import Finding, Notice


def report_context(notice: Notice, user: User) -> dict[str, Any]:
    """What the report shows to `user`."""
    now = timezone.now()
    return {
        "notice": notice,
        "generated_at": now,
        "days_left": notice.days_left,
        "tracks": list(notice.tracks.all()),
        "findings": list(
            visible(Finding, user)
            .filter(track_review__notice=notice)
            .select_related("track_review")
        ),
        "viewer": user,
    }


def _text(value: object) -> str:
    # The core PDF fonts are Latin-1; replace what they cannot draw rather than fail.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def report_pdf(context: dict[str, Any]) -> bytes:
    """Render the report as a PDF document."""
    notice: Notice = context["notice"]
    pdf = FPDF()
    pdf.set_title(_text(f"Review report, notice {notice.pk}"))
    pdf.set_author("Clearinghouse")
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int = 13) -> None:
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, 8, _text(text), new_x="LMARGIN", new_y="NEXT")

    def line(text: str) -> None:
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width, 5.5, _text(text), new_x="LMARGIN", new_y="NEXT")

    heading(f"Pre-deployment review report - notice #{notice.pk}", 16)
    line(f"Model: {notice.ai_model} ({notice.organisation.name})")
    line(f"Policy: {notice.policy_id} v{notice.policy_version}")
    line(f"Status: {notice.get_status_display()}")
    line(f"Planned release: {notice.planned_release_date.isoformat()}")
    deadline = f"{notice.review_deadline:%Y-%m-%d %H:%M} UTC"
    line(f"Review deadline: {deadline} ({context['days_left']} days left)")
    if notice.overall_decision:
        line(f"Overall decision: {notice.get_overall_decision_display()}")
        for condition in notice.overall_conditions:
            line(f"  - condition: {condition}")
    pdf.ln(3)
    heading("Review tracks")
    for track in context["tracks"]:
        decision = track.get_decision_display() if track.decision else "not yet decided"
        line(f"{track.get_track_display()}: {decision}")
        if track.rationale:
            line(f"  Rationale: {track.rationale}")
        for condition in track.conditions:
            line(f"  Condition: {condition}")
    pdf.ln(3)
    heading("Findings")
    if not context["findings"]:
        line("None recorded (or none released to you).")
    for finding in context["findings"]:
        line(
            f"[{finding.get_severity_display()}] {finding.title} "
            f"({finding.get_category_display()}, {finding.track_review.get_track_display()} track)"
        )
        line(f"  {finding.description}")
    pdf.ln(3)
    line(
        f"Generated {context['generated_at']:%Y-%m-%d %H:%M} UTC for {context['viewer'].username}."
    )
    return bytes(pdf.output())
