"""Vulnerability intake: submitted documents, the reports they hold, duplicate candidates, feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from clearinghouse.accounts.models import Organisation
from clearinghouse.core.scoring.dedup import conflicting_identifiers
from clearinghouse.core.triage import ReportStatus
from clearinghouse.fields import ExactJSONField


class ReporterKind(models.TextChoices):
    """Who found the vulnerability (DESIGN.md §1)."""

    LAB = "lab", "AI lab"
    RESEARCHER = "researcher", "Researcher"
    VENDOR = "vendor", "Vendor"
    OPERATOR = "operator", "Operator"


class Submission(models.Model):
    """One submitted document, kept exactly as received, and how its processing went."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="submissions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    format = models.CharField(max_length=10)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    # NULL, not "", when absent: the per-organisation unique constraint must ignore it.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    original = models.TextField(help_text="The document exactly as submitted (UTF-8).")
    size_bytes = models.PositiveIntegerField(default=0)
    reporter_kind = models.CharField(max_length=20, choices=ReporterKind.choices)
    model_name = models.CharField("AI model", max_length=200, blank=True)
    assessment_reference = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    total_items = models.PositiveIntegerField(default=0)
    processed_items = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The list's orders, alone and under a status filter (one submission per report
        # when reports arrive one at a time: as many rows as reports).
        indexes = [
            models.Index(fields=["created_at", "id"], name="submission_by_date"),
            models.Index(fields=["status", "created_at", "id"], name="submission_by_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sha256"], name="submission_unique_document"
            ),
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"], name="submission_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"submission #{self.pk} ({self.format})"


#: The SSVC decisions from most to least urgent: the queue's SSVC order.
SSVC_DECISIONS = ("Act", "Attend", "Track*", "Track")
#: The sector key of a report that names no sector: after every sector's code.
NO_SECTOR = "~"


class Report(models.Model):
    """One vulnerability from a submission: what it says, how it scores, where triage took it."""

    class Status(models.TextChoices):
        # The core's states (clearinghouse.core.triage), as Django choices for the column.
        RECEIVED = ReportStatus.RECEIVED, ReportStatus.RECEIVED.label
        ACCEPTED = ReportStatus.ACCEPTED, ReportStatus.ACCEPTED.label
        DUPLICATE = ReportStatus.DUPLICATE, ReportStatus.DUPLICATE.label
        DECLINED = ReportStatus.DECLINED, ReportStatus.DECLINED.label
        CASE = ReportStatus.CASE, ReportStatus.CASE.label

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    index = models.PositiveIntegerField(help_text="Position of the item in its document.")
    source_format = models.CharField(max_length=10)
    reporter_kind = models.CharField(max_length=20, choices=ReporterKind.choices)
    model_name = models.CharField("AI model", max_length=200, blank=True)
    assessment_reference = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    aliases = models.JSONField(default=list, blank=True)
    cve_ids = models.JSONField(default=list, blank=True)
    has_cve = models.BooleanField(default=False)
    cwe = models.CharField(max_length=20, blank=True)
    products = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    item = ExactJSONField(null=True, blank=True, help_text="The item's part of the document.")
    cvss_vectors = models.JSONField(default=list, blank=True)
    cvss_vector = models.CharField(max_length=300, blank=True, help_text="The vector scored.")
    cvss_version = models.CharField(max_length=5, blank=True)
    cvss_score = models.FloatField(null=True, blank=True)
    cvss_label = models.CharField(max_length=100, blank=True)
    sectors = models.JSONField(default=list, blank=True)
    ssvc_exploitation = models.CharField(max_length=20, blank=True)
    ssvc_automatable = models.CharField(max_length=5, blank=True)
    ssvc_technical_impact = models.CharField(max_length=10, blank=True)
    ssvc_mission_prevalence = models.CharField(max_length=20, blank=True)
    ssvc_public_well_being = models.CharField(max_length=20, blank=True)
    ssvc_mission_well_being = models.CharField(max_length=10, blank=True)
    ssvc_inputs = models.JSONField(default=dict, blank=True, help_text="The values decided on.")
    ssvc_decision = models.CharField(max_length=10, blank=True, db_index=True)
    # Sort keys the database computes from the columns above, so that the queue's SSVC and
    # sector orders read an index instead of sorting the whole store, and no writer (intake,
    # a rescore, a bulk insert) can leave them stale.
    ssvc_rank = models.GeneratedField(
        expression=Case(
            *(When(ssvc_decision=d, then=Value(rank)) for rank, d in enumerate(SSVC_DECISIONS)),
            default=Value(len(SSVC_DECISIONS)),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
        help_text="Act 0, Attend 1, Track* 2, Track 3, none 4.",
    )
    sector_key = models.GeneratedField(
        expression=Coalesce(KT("sectors__0"), Value(NO_SECTOR), output_field=models.TextField()),
        output_field=models.CharField(max_length=40),
        db_persist=True,
        help_text="The first sector the report names ('~' for none).",
    )
    in_kev = models.BooleanField(default=False)
    epss = models.FloatField(null=True, blank=True)
    priority_points = models.IntegerField(default=0)
    priority_reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    decline_reason = models.TextField(blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    merged_aliases = models.JSONField(
        default=list, blank=True, help_text="Aliases this report gave its primary when merged."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-priority_points", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "index"], name="report_unique_item")
        ]
        # The queue's orders (intake/services/_search.py), so that a page of 10^5 reports is
        # read from an index, not sorted; the status one also serves a status filter and the
        # dashboard's oldest untriaged report.
        indexes = [
            models.Index(fields=["-priority_points", "id"], name="report_by_priority"),
            models.Index(fields=["created_at", "id"], name="report_by_date"),
            models.Index(fields=["ssvc_rank", "-priority_points", "id"], name="report_by_ssvc"),
            models.Index(fields=["sector_key", "-priority_points", "id"], name="report_by_sector"),
            models.Index(fields=["status", "created_at", "id"], name="report_by_status_date"),
        ]

    def __str__(self) -> str:
        return f"report #{self.pk}: {self.title[:60]}"


class ReportKey(models.Model):
    """A posting of dedup's store-wide index: one key of a report, where new reports look up.

    A report's keys are its aliases and fingerprint (`alias:`, `fp:`), its product names and
    package URLs (`product:`, `purl:`) and its heaviest words (`w:`); a new report is compared
    with the stored reports that share most of its keys (intake/services/_index.py), so intake
    never re-reads the whole store.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=300, db_index=True)

    def __str__(self) -> str:
        return self.key


class TermFrequency(models.Model):
    """How many stored reports use a word (or a product key): the store's own word weights.

    Dedup weighs a word by how rare it is across everything stored, not across the batch it
    came in, so one document sent alone or in a batch of a thousand scores the same. The row
    `REPORTS` counts the reports themselves.
    """

    REPORTS = "#reports"

    term = models.CharField(max_length=300, primary_key=True)
    reports = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term}: {self.reports}"


class DuplicateCandidate(models.Model):
    """An earlier report that may describe the same vulnerability, with dedup's score and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="candidates")
    candidate = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["-score", "candidate_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "candidate"], name="candidate_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} ~ {self.candidate_id} ({self.score:.2f})"

    @property
    def conflict(self) -> str:
        """The ids of one namespace the two reports differ in ("" when none), as of now.

        Read from the reports' current aliases (a merge changes them), so it is not stored;
        shown on the candidate so that a coordinator sees it before confirming the pair.
        """
        clashes = conflicting_identifiers(self.report.aliases, self.candidate.aliases)
        return "; ".join(str(clash) for clash in clashes)


class KevListing(models.Model):
    """A CVE in CISA's Known Exploited Vulnerabilities catalog, as last imported."""

    cve_id = models.CharField(max_length=30, unique=True)
    vendor = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=200, blank=True)
    vulnerability_name = models.CharField(max_length=500, blank=True)
    date_added = models.DateField()
    known_ransomware_campaign_use = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.cve_id


class EpssEntry(models.Model):
    """A CVE's EPSS probability and percentile, from the last imported daily file."""

    cve_id = models.CharField(max_length=30, unique=True)
    probability = models.FloatField()
    percentile = models.FloatField()

    def __str__(self) -> str:
        return f"{self.cve_id} {self.probability:.3f}"


class FeedImport(models.Model):
    """One import of a scoring feed (KEV, EPSS): the subject of its audit event."""

    kind = models.CharField(max_length=10)
    source = models.CharField(max_length=1000)
    version = models.CharField(max_length=100, blank=True)
    entries = models.PositiveIntegerField(default=0)
    rescored = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.source}"
