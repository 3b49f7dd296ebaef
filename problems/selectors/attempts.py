"""Reads of quiz attempts: their answers, a learner's list, a finished one's sections and history."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Answer, Attempt, Quiz, Section
from ..roles import User


def attempt_answers(*, attempt: Attempt) -> dict[int, Answer]:
    return {answer.problem_id: answer for answer in attempt.answers.all()}


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
