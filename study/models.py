"""Cards (one per learner and problem), their review log, hint uses, bookmarks, preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from problems.models import Problem


class CardState(models.IntegerChoices):
    # The values of fsrs.State, so a card converts both ways without a table.
    LEARNING = 1, "learning"
    REVIEW = 2, "review"
    RELEARNING = 3, "relearning"


class Card(models.Model):
    """A learner's memory of one problem, scheduled by FSRS.

    A card exists once the learner has been graded on the problem (or added it with 学習する);
    `due_at` is when it should be reviewed next. `introduced_at` is null for a card added but
    never reviewed ("new"), which waits for the daily limit of new cards.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards"
    )
    problem = models.ForeignKey("problems.Problem", on_delete=models.CASCADE, related_name="cards")
    state = models.PositiveSmallIntegerField(choices=CardState.choices, default=CardState.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due_at = models.DateTimeField()
    last_review_at = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0, help_text="Forgotten after it was learned.")
    last_correct = models.BooleanField(null=True, blank=True)
    is_leech = models.BooleanField(default=False)
    added_at = models.DateTimeField()
    introduced_at = models.DateTimeField(null=True, blank=True, help_text="First review.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "problem"], name="card_one_per_user_problem"),
        ]
        indexes = [models.Index(fields=["user", "due_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.problem.slug}"


class Rating(models.IntegerChoices):
    # The values of fsrs.Rating.
    AGAIN = 1, "again"
    HARD = 2, "hard"
    GOOD = 3, "good"
    EASY = 4, "easy"


class ReviewSource(models.TextChoices):
    ANSWER = "answer", "answer"
    SUBMISSION = "submission", "code submission"
    QUIZ = "quiz", "finished quiz"
    GIVE_UP = "give_up", "model solution shown"


class ReviewLog(models.Model):
    """One graded event and what it did to the card: the evidence behind every figure."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey("problems.Problem", on_delete=models.CASCADE, related_name="+")
    reviewed_at = models.DateTimeField()
    source = models.CharField(max_length=12, choices=ReviewSource.choices)
    correct = models.BooleanField()
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    confidence = models.CharField(max_length=4, blank=True, help_text="high, low or empty.")
    dont_know = models.BooleanField(default=False)
    hints_used = models.PositiveSmallIntegerField(default=0)
    first_review = models.BooleanField(default=False)
    practice = models.BooleanField(
        default=False,
        help_text="A right answer before the card was due: logged, the schedule unchanged.",
    )
    state_before = models.PositiveSmallIntegerField(choices=CardState.choices)
    due_before = models.DateTimeField()
    due_after = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-reviewed_at"]),
            models.Index(fields=["problem", "first_review"]),
        ]

    def __str__(self) -> str:
        return f"{self.card} {self.get_rating_display()} at {self.reviewed_at:%Y-%m-%d %H:%M}"


class HintUse(models.Model):
    """A hint the learner asked for (level `n`, from 1), counted by the next review."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey("problems.Problem", on_delete=models.CASCADE, related_name="+")
    n = models.PositiveSmallIntegerField()
    used_at = models.DateTimeField()
    counted = models.BooleanField(default=False, help_text="Already counted by a review.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "problem", "n"],
                condition=Q(counted=False),
                name="hint_use_once_per_level_until_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.problem.slug} hint {self.n}"


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey("problems.Problem", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "problem"], name="bookmark_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.problem.slug}"


class StudyPreferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_preferences"
    )
    new_cards_per_day = models.PositiveSmallIntegerField(default=10)
    time_zone = models.CharField(max_length=64, default="Asia/Tokyo")

    class Meta:
        verbose_name_plural = "study preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(new_cards_per_day__lte=200), name="new_cards_per_day_at_most_200"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.new_cards_per_day} new a day, {self.time_zone}"


class ProblemReadiness(Problem):
    """Per problem, what the learning loop saw (the admin's read-only report for authors):
    a proxy of problems.Problem, so the report lives here and `problems` stays unaware of it."""

    class Meta:
        proxy = True
        verbose_name = "problem readiness"
        verbose_name_plural = "problem readiness"
