"""The curriculum: Course → Section → Problem (its choices, accepted answers, code spec), and
the frozen versions submissions are graded against."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..fields import ExactJSONField
from .base import BilingualMixin, TimeStampedModel


class Course(BilingualMixin, TimeStampedModel):
    slug = models.SlugField(unique=True, max_length=100)
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_ja = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title_en or self.slug


class Section(BilingualMixin, TimeStampedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(unique=True, max_length=100)
    order = models.PositiveIntegerField()
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_ja = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        ordering = ["course_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["course", "order"], name="section_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title_en or self.slug}"


class ProblemKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    NUMERIC = "numeric", _("Numeric")
    TEXT = "text", _("Short text")
    CODE = "code", _("Code")


CHOICE_KINDS = (ProblemKind.SINGLE_CHOICE, ProblemKind.MULTIPLE_CHOICE)


def validate_hints(value) -> None:
    """A list of {"ja": text, "en": text}, both non-empty, at most ten."""
    if not isinstance(value, list) or len(value) > 10:
        raise ValidationError('Hints are a list (at most 10) of {"ja": "...", "en": "..."}.')
    for n, hint in enumerate(value, start=1):
        if not (
            isinstance(hint, dict)
            and set(hint) == {"ja", "en"}
            and all(isinstance(hint[k], str) and hint[k].strip() for k in ("ja", "en"))
        ):
            raise ValidationError(
                f'Hint {n} must be {{"ja": "...", "en": "..."}} with both texts filled in.'
            )


class Problem(BilingualMixin, TimeStampedModel):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="problems")
    slug = models.SlugField(unique=True, max_length=100)
    kind = models.CharField(max_length=20, choices=ProblemKind.choices)
    order = models.PositiveIntegerField(default=0)
    points = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    tags = models.JSONField(default=list, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where in the seed curriculum this comes from."
    )
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    statement_ja = models.TextField()
    statement_en = models.TextField()
    explanation_ja = models.TextField()
    explanation_en = models.TextField()
    diagram = models.TextField(blank=True, help_text="Mermaid source shown under the statement.")
    hints = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_hints],
        help_text='A ladder of hints, from a nudge to nearly the answer: [{"ja": "...", "en": "..."}, ...]',
    )
    is_published = models.BooleanField(default=False)
    fixed_order = models.BooleanField(
        default=False,
        help_text="Choice problems: show the choices in file order for everyone (their texts "
        "refer to one another by position); otherwise each learner sees them shuffled.",
    )
    # Numeric problems: |given - answer| <= tolerance.
    numeric_answer = models.FloatField(null=True, blank=True)
    numeric_tolerance = models.FloatField(default=0.0, validators=[MinValueValidator(0.0)])
    numeric_unit = models.CharField(max_length=32, blank=True)
    # A parameterised problem (engine.variants): {"params", "answer_function", "choice_count"};
    # its texts are templates and its answer is computed for each learner's variant.
    variant_spec = ExactJSONField(
        null=True,
        blank=True,
        help_text='Parameterised problems: {"params": {...}, "answer_function": "<name>"}.',
    )
    # problems/published.py: empty unless a code problem's latest edit awaits validation;
    # then the learner-facing part of the version that grades learners, which they see.
    learner_content = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="What learners see while an edit awaits validation (problems/published.py).",
    )

    class Meta:
        ordering = ["section__order", "order", "slug"]
        indexes = [
            models.Index(fields=["section", "order"]),
            models.Index(fields=["is_published", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1), name="problem_points_positive"),
            models.CheckConstraint(
                condition=Q(numeric_tolerance__gte=0), name="problem_tolerance_not_negative"
            ),
            models.CheckConstraint(
                # a parameterised problem's answer is its variant's, computed on the fly
                condition=~Q(kind="numeric")
                | Q(numeric_answer__isnull=False)
                | Q(variant_spec__isnull=False),
                name="problem_numeric_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    def save(self, *args, **kwargs):
        # problems.parameterised renders a learner's variant into a copy: never store one.
        if getattr(self, "rendered_variant", None) is not None:
            raise ValueError("A learner's variant of a problem is for display; save the original.")
        if getattr(self, "shows_learner_content", False):
            raise ValueError(
                "This problem holds what learners see (problems/published.py); save the "
                "author's content from a fresh copy."
            )
        super().save(*args, **kwargs)

    def localized(self, name: str) -> str:
        """As `BilingualMixin.localized`, from the learner content while an edit awaits
        validation, so that every page and list shows learners their graded version."""
        shown = (self.learner_content or {}).get(name)
        if not shown:
            return super().localized(name)
        language = (get_language() or "ja")[:2]
        return shown.get(language) or shown.get("ja", "")

    @property
    def is_code(self) -> bool:
        return self.kind == ProblemKind.CODE

    @property
    def is_parameterised(self) -> bool:
        return self.variant_spec is not None

    def hint_text(self, n: int) -> str:
        """Hint `n` (from 1) in the active language (Japanese when the other is missing)."""
        hint = self.hints[n - 1]
        language = (get_language() or "ja")[:2]
        return hint.get(language) or hint["ja"]


class Choice(BilingualMixin, models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="choices")
    # A stable identifier that answers record; learners see positions in their own order
    # (problems.variants.choice_order), never the key.
    key = models.CharField(max_length=8, help_text="A stable id of the choice, e.g. 1 or a.")
    order = models.PositiveIntegerField(default=0)
    text_ja = models.TextField()
    text_en = models.TextField()
    is_correct = models.BooleanField(default=False)
    # Why this choice is wrong (or, for a correct one, why it is right): shown only where the
    # answer is revealed, for the choices the learner picked and for the correct ones.
    feedback_ja = models.TextField(blank=True)
    feedback_en = models.TextField(blank=True)
    # A parameterised single-choice problem's distractor: the registered mistake it shows.
    misconception = models.CharField(max_length=64, blank=True)

    localized_feedback = property(lambda self: self.localized("feedback"))

    class Meta:
        ordering = ["problem_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "key"], name="choice_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text_en[:40]}"


class AcceptedAnswer(models.Model):
    """One accepted spelling of a short-text answer (compared after NFKC, case and spaces)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="accepted_answers")
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["problem_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "text"], name="accepted_answer_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class Framework(models.TextChoices):
    NUMPY = "numpy", "NumPy"
    TORCH = "torch", "PyTorch"


class CodeSpec(models.Model):
    """What a code problem runs: the `code:` part of its content file, as the engine reads it."""

    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="code_spec")
    framework = models.CharField(max_length=8, choices=Framework.choices, default=Framework.NUMPY)
    entry_points = ExactJSONField(default=list)
    starter_code = models.TextField(blank=True)
    reference = ExactJSONField(
        default=dict, help_text='{"engine": "<function>"} or {"code": "<python source>"}'
    )
    tests = ExactJSONField(default=list, help_text="Test specifications (engine schema).")
    mutants = ExactJSONField(default=list, blank=True, help_text="Wrong answers to reject.")
    limits = ExactJSONField(default=dict, blank=True)
    forbidden_calls = ExactJSONField(default=list, blank=True)
    extra = ExactJSONField(default=dict, blank=True, help_text="Other engine spec keys.")

    def __str__(self) -> str:
        return f"code spec of {self.problem.slug}"

    def as_engine_spec(self) -> dict:
        spec = {
            "framework": self.framework,
            "entry_points": list(self.entry_points),
            "starter": self.starter_code,
            "reference": dict(self.reference),
            "tests": list(self.tests),
            "mutants": list(self.mutants),
            "limits": dict(self.limits),
            "forbidden_calls": list(self.forbidden_calls),
        }
        spec.update(self.extra)
        return spec

    @property
    def visible_test_count(self) -> int:
        return sum(1 for test in self.tests if not test.get("hidden", False))


class ProblemVersion(models.Model):
    """A frozen copy of a problem's gradable content; submissions are graded against one."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = ExactJSONField(help_text="The problem as in its content file.")
    content_hash = models.CharField(max_length=64)
    queue = models.CharField(
        max_length=16, default="grading", help_text="Celery queue: grading, or training."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    validation = ExactJSONField(default=dict, blank=True)

    class Meta:
        ordering = ["problem_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "number"], name="version_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.problem.slug} v{self.number}"

    @property
    def engine_spec(self) -> dict:
        return self.snapshot.get("code") or {}
