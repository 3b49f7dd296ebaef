"""Code submissions, their verdicts (the engine's vocabulary), earlier verdicts kept by a regrade,
and regrade batches."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .content import Problem, ProblemVersion


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    ERROR = "error", _("Error")


class Verdict(models.TextChoices):
    """The engine's verdicts (`engine.results.Verdict`) with the labels learners read: one
    vocabulary, spelt twice because `study` reads these models and must not import the engine;
    tests/problems/test_models.py proves the two agree."""

    AC = "AC", _("Accepted")
    WA = "WA", _("Wrong answer")
    RE = "RE", _("Runtime error")
    CE = "CE", _("Compile error")
    TLE = "TLE", _("Time limit exceeded")
    MLE = "MLE", _("Memory limit exceeded")
    OLE = "OLE", _("Output limit exceeded")
    IE = "IE", _("Internal error")


class Submission(models.Model):
    """Learner code for a code problem. The row is the source of truth; the queue only rings."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="submissions")
    problem_version = models.ForeignKey(
        ProblemVersion, on_delete=models.PROTECT, related_name="submissions"
    )
    code = models.TextField()
    visible_only = models.BooleanField(
        default=False, help_text="A 'run visible tests' run: not counted as a graded submission."
    )
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.QUEUED
    )
    verdict = models.CharField(max_length=3, choices=Verdict.choices, blank=True)
    # Test points may be fractional; the score is the sum of the points of passed tests.
    score = models.FloatField(default=0.0, validators=[MinValueValidator(0.0)])
    max_score = models.FloatField(default=0.0, validators=[MinValueValidator(0.0)])
    tests = models.JSONField(default=list, blank=True, help_text="Per-test results.")
    stdout = models.TextField(blank=True)
    stderr = models.TextField(blank=True)
    message = models.TextField(blank=True, help_text="A sentence for the learner about the run.")
    message_data = models.JSONField(
        null=True,
        blank=True,
        help_text="The message as a code and parameters, rendered in the reader's language.",
    )
    diagnosis = models.JSONField(
        null=True,
        blank=True,
        help_text="The misconception a wrong answer behaves like: {mutant, feedback: {ja, en}}.",
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker claimed it.")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Being staff or an author does not let one read learners' work (problems/access.py).
        permissions = [("view_learner_work", "Can read learners' code, outputs and reviews")]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["problem", "verdict"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=F("max_score")),
                name="submission_score_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values), name="submission_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(verdict__in=Verdict.values),
                name="submission_verdict_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["done", "error"]) | ~Q(verdict=""),
                name="submission_finished_has_verdict",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.problem.slug} {self.status} {self.verdict}"

    @property
    def is_finished(self) -> bool:
        return self.status in {SubmissionStatus.DONE, SubmissionStatus.ERROR}


class GradingRecord(models.Model):
    """An earlier verdict of a submission, kept when it is regraded."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="history")
    problem_version = models.ForeignKey(ProblemVersion, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=3, choices=Verdict.choices)
    score = models.FloatField()
    max_score = models.FloatField()
    tests = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["submission_id", "-superseded_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.submission_id} v{self.problem_version.number} {self.verdict}"


class RegradeBatch(models.Model):
    """A bulk regrade an author started; its progress is the share of its submissions finished."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    description = models.CharField(max_length=200)
    submission_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "regrade batches"

    def __str__(self) -> str:
        return self.description
