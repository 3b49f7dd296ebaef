"""Reads of quiz attempts: their answers, a learner's list, a finished one's sections and history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Answer, Attempt, Quiz, Section
from ..roles import User, Visitor


def attempt_answers(*, attempt: Attempt) -> dict[int, Answer]:
    return {answer.problem_id: answer for answer in attempt.answers.all()}


@dataclass(frozen=True)
class OpenAttempt:
    """A quiz the learner started and has not finished, and where to resume it."""

    attempt: Attempt
    answered: int
    resume_number: int  # the first unanswered question (from 1), or 1 when all are answered

    @property
    def total(self) -> int:
        return len(self.attempt.problem_order)

    def number_of(self, problem_id: int) -> int:
        """The question number of a problem of this attempt (from 1)."""
        return self.attempt.problem_order.index(problem_id) + 1


def attempts_open(
    *, user: Visitor | None, problem_ids: Iterable[int] | None = None
) -> list[OpenAttempt]:
    """The learner's quizzes in progress (untimed, or timed and before their deadline), newest
    first; with `problem_ids`, those holding one of these problems (whose pages then refuse
    answers). Two queries, the second only when some quiz is in progress."""
    if user is None or not user.is_authenticated:
        return []
    unfinished = Attempt.objects.filter(user=user, finished_at__isnull=True).select_related("quiz")
    attempts = [
        attempt for attempt in unfinished.order_by("-started_at", "-id") if attempt.is_open()
    ]
    if problem_ids is not None:
        wanted = set(problem_ids)
        attempts = [attempt for attempt in attempts if wanted.intersection(attempt.problem_order)]
    if not attempts:
        return []
    answered: dict[int, set[int]] = defaultdict(set)
    for attempt_id, problem_id in Answer.objects.filter(attempt__in=attempts).values_list(
        "attempt_id", "problem_id"
    ):
        answered[attempt_id].add(problem_id)
    return [
        OpenAttempt(
            attempt=attempt,
            answered=len(answered[attempt.pk]),
            resume_number=next(
                (
                    number
                    for number, problem_id in enumerate(attempt.problem_order, 1)
                    if problem_id not in answered[attempt.pk]
                ),
                1,
            ),
        )
        for attempt in attempts
    ]


def attempt_list_for_user(
    *, user: User, quiz: Quiz | None = None, limit: int = 10
) -> list[Attempt]:
    queryset = Attempt.objects.filter(user=user).select_related("quiz")
    if quiz is not None:
        queryset = queryset.filter(quiz=quiz)
    return list(queryset.order_by("-started_at", "-id")[:limit])


@dataclass
class SectionScore:
    section: Section
    correct: int = 0
    answered: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


def attempt_section_scores(*, items: list[dict]) -> list[SectionScore]:
    """A finished attempt's questions per section: right, answered, asked (in section order)."""
    scores: dict[int, SectionScore] = {}
    for item in items:
        problem, answer = item["problem"], item["answer"]
        score = scores.setdefault(problem.section_id, SectionScore(section=problem.section))
        score.total += 1
        score.answered += answer is not None
        score.correct += bool(answer and answer.is_correct)
    return sorted(scores.values(), key=lambda s: s.section.order)


def attempt_history(*, attempt: Attempt, limit: int = 10) -> list[dict]:
    """The learner's finished attempts of the same quiz, newest first, with their percent."""
    finished = Attempt.objects.filter(
        user_id=attempt.user_id, quiz_id=attempt.quiz_id, finished_at__isnull=False
    ).order_by("-finished_at", "-id")[:limit]
    return [
        {
            "attempt": a,
            "percent": round(100 * a.score / a.max_score) if a.max_score else 0,
            "this": a.pk == attempt.pk,
        }
        for a in finished
    ]
