"""Quizzes and what learners do in them: attempts and answers (answers outside a quiz too)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .base import BilingualMixin, TimeStampedModel
from .content import Course, Problem


class Quiz(BilingualMixin, TimeStampedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    slug = models.SlugField(unique=True, max_length=100)
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_ja = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    shuffle = models.BooleanField(default=False)
    draw_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Questions drawn afresh for each attempt from the quiz's problems (its pool), "
        "spread over its sections in proportion; empty: every problem, every time.",
    )
    slots = models.JSONField(
        default=list,
        blank=True,
        help_text='Pools each attempt draws from first, e.g. [{"tag": "fill-in", "count": 10}, '
        '{"section": "01-rnn", "count": 5}, {"problems": ["a", "b"], "count": 1}]; the rest of '
        "draw_count comes from the whole pool, spread over its sections.",
    )
    pass_percent = models.PositiveSmallIntegerField(
        default=70, help_text="The readiness line the review compares the score with."
    )
    order = models.PositiveIntegerField(default=0)
    problems = models.ManyToManyField(Problem, through="QuizItem", related_name="quizzes")

    class Meta:
        ordering = ["course_id", "order", "slug"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.slug


class QuizItem(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="quiz_items")
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["quiz_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "problem"], name="quiz_item_unique_problem"),
            models.UniqueConstraint(fields=["quiz", "order"], name="quiz_item_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz.slug} #{self.order}: {self.problem.slug}"


# The countdown submits the quiz when it reaches zero; that request needs a moment to arrive.
DEADLINE_GRACE = timedelta(seconds=3)


class Attempt(models.Model):
    """One learner taking one quiz; the problem order is fixed when it starts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    problem_order = models.JSONField(default=list, help_text="Problem ids in the order shown.")
    seed = models.BigIntegerField(
        null=True, blank=True, help_text="What the questions and their order were drawn with."
    )
    flagged = models.JSONField(
        default=list, blank=True, help_text="Problem ids the learner marked to look at again."
    )
    started_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveIntegerField(default=0)
    max_score = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "quiz", "-started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=F("max_score")), name="attempt_score_le_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.quiz.slug}"

    def is_open(self, *, now=None) -> bool:
        """Unfinished and, if timed, not past its deadline (and the grace)."""
        now = now or timezone.now()
        expired = self.deadline is not None and now > self.deadline + DEADLINE_GRACE
        return self.finished_at is None and not expired


class Answer(models.Model):
    """A learner's answer to a non-code problem, inside a quiz attempt or on its own."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers"
    )
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="answers")
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers", null=True, blank=True
    )
    response = models.JSONField(
        help_text='What the learner gave: keys, a number or a text ("" for "I don\'t know").'
    )
    confidence = models.CharField(
        max_length=4,
        blank=True,
        choices=[("high", "confident"), ("low", "not confident")],
        help_text="How sure the learner said they were, if they said.",
    )
    dont_know = models.BooleanField(
        default=False, help_text='"わからない": counts as wrong, without a guess.'
    )
    variant = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the learner saw (problems.variants): the occurrence key, the choice "
        "order and the parameters of a parameterised problem.",
    )
    is_correct = models.BooleanField()
    score = models.PositiveIntegerField()
    max_score = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "problem", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=F("max_score")), name="answer_score_le_max"
            ),
            models.UniqueConstraint(
                fields=["attempt", "problem"],
                condition=Q(attempt__isnull=False),
                name="answer_once_per_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.problem.slug}"

    def save(self, *args, **kwargs):
        # The database cannot check across tables; this keeps an attempt's answers its owner's.
        if self.attempt_id is not None and self.attempt.user_id != self.user_id:
            raise ValueError("An answer in an attempt must belong to the attempt's learner.")
        super().save(*args, **kwargs)


def slot_matches(slot: dict, *, slug: str, section_slug: str, tags: list[str]) -> bool:
    """Whether a problem is in a quiz slot's pool: its section, one of its tags, or its slug in
    the slot's list (`Quiz.slots`)."""
    if "section" in slot:
        return section_slug == slot["section"]
    if "tag" in slot:
        return slot["tag"] in (tags or [])
    return slug in slot.get("problems", [])
