"""Assessment runs (ours, or uploaded eval logs) and the vulnerabilities models reported in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clearinghouse.accounts.models import Organisation
from clearinghouse.fields import ExactJSONField
from clearinghouse.frontier.models import AIModel
from clearinghouse.reviews.models import Notice

_USER = settings.AUTH_USER_MODEL


class AssessmentRun(models.Model):
    """One assessment of a notice's model: a suite run by the worker, or an uploaded eval log.

    Runs hold no secret: `target` describes the model reached (endpoint, model name, key
    fingerprint); the key itself is decrypted inside the worker only.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    class Origin(models.TextChoices):
        PLATFORM = "platform", "Run by the platform"
        SELF_REPORTED = "self_reported", "Self-reported by the lab"
        EXTERNAL = "external", "Uploaded by an institute"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="assessment_runs")
    suite = models.CharField(max_length=64)
    families = ExactJSONField(default=list, help_text="The suite's task (family) names.")
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.PLATFORM)
    self_reported = models.BooleanField(default=False, help_text="Uploaded by the lab itself.")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who ran it: the starter's or uploader's organisation.",
        null=True,
    )
    target = models.CharField(max_length=500, help_text="The model assessed; never a secret.")
    model_override = models.CharField(max_length=200, blank=True)
    sandbox = models.CharField(max_length=20, blank=True)
    bounds = ExactJSONField(
        default=dict,
        blank=True,
        help_text="The limits the run was started with (settings then), kept for its resumption.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    failure_reason = models.TextField(blank=True)
    samples_done = models.PositiveIntegerField(default=0)
    samples_total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker took it.")
    worker_id = models.CharField(
        max_length=64, blank=True, help_text="The worker that took it last ('' run directly)."
    )
    log_dir = models.CharField(max_length=300, blank=True, help_text="Under the data dir.")
    log_paths = ExactJSONField(default=list, help_text="Eval logs, relative to the data dir.")
    scores = ExactJSONField(default=dict, help_text="Headline score per family.")
    levels = ExactJSONField(default=dict, help_text="Capability level (0-4) per family.")
    policy_id = models.CharField(max_length=64, blank=True)
    policy_version = models.CharField(max_length=32, blank=True)
    started_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["notice", "status"])]

    def __str__(self) -> str:
        return f"Assessment #{self.pk} ({self.suite}) of {self.notice}"

    @property
    def highest_level(self) -> int | None:
        """The highest capability level any family of this run reached."""
        return max(self.levels.values()) if self.levels else None

    @property
    def uploaded(self) -> bool:
        """Ran elsewhere and uploaded as an eval log."""
        return self.origin != self.Origin.PLATFORM


class CandidateReport(models.Model):
    """A concrete vulnerability a model reported during an assessment, kept for the desk.

    A coordinator sends a candidate to intake (`services.send_candidate`), which files it as a
    report citing the model and the run; `report` links the two. Until then it stays here with
    the model, run and location it came from.
    """

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="candidates")
    ai_model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="+")
    sample_id = models.CharField(max_length=200)
    language = models.CharField(max_length=40, blank=True)
    cwe = models.CharField(max_length=20)
    line = models.PositiveIntegerField(null=True, blank=True)
    function = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    matches_ground_truth = models.BooleanField(
        default=False, help_text="The reported CWE is one the snippet's ground truth accepts."
    )
    report = models.ForeignKey(
        "intake.Report",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The intake report the desk turned this candidate into.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "sample_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "sample_id"], name="one_candidate_per_sample")
        ]

    def __str__(self) -> str:
        return f"{self.cwe} in {self.sample_id} (run #{self.run_id})"
