"""Reads for the learner's progress: per problem, per section, over time. A fixed number of
queries whatever the size of the curriculum (the pages that use these assert it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from ..models import Answer, Course, Problem, Section, Submission, SubmissionStatus, Verdict
from ..roles import User, Visitor

SOLVED = "solved"
ATTEMPTED = "attempted"


def problem_states_for_user(
    *, user: Visitor | None, problem_ids: list[int] | None = None
) -> dict[int, str]:
    """`solved` (a correct answer or an accepted graded submission) or `attempted`, per problem id.

    Visible-test runs count as attempts, never as solutions: they do not run the hidden tests.
    """
    if user is None or not user.is_authenticated:
        return {}
    answers = Answer.objects.filter(user=user)
    submissions = Submission.objects.filter(user=user)
    if problem_ids is not None:
        answers = answers.filter(problem_id__in=problem_ids)
        submissions = submissions.filter(problem_id__in=problem_ids)
    states: dict[int, str] = {}
    rows = [
        *answers.values_list("problem_id", "is_correct").distinct(),
        *(
            (problem_id, verdict == Verdict.AC and not visible_only)
            for problem_id, verdict, visible_only in submissions.values_list(
                "problem_id", "verdict", "visible_only"
            ).distinct()
        ),
    ]
    for problem_id, correct in rows:
        if correct:
            states[problem_id] = SOLVED
        else:
            states.setdefault(problem_id, ATTEMPTED)
    return states


@dataclass
class SectionProgress:
    section: Section
    problem_count: int
    attempted: int = 0
    solved: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.solved / self.problem_count) if self.problem_count else 0


def section_progress_list(*, user: Visitor, course: Course) -> list[SectionProgress]:
    """Every section of `course` in order, with the learner's attempted and solved counts."""
    sections = (
        Section.objects.filter(course=course)
        .annotate(problem_count=Count("problems", filter=Q(problems__is_published=True)))
        .order_by("order")
    )
    progress = [SectionProgress(section=s, problem_count=s.problem_count) for s in sections]
    states = problem_states_for_user(user=user)
    if not states:
        return progress
    section_of = dict(
        Problem.objects.filter(pk__in=states, is_published=True).values_list("pk", "section_id")
    )
    by_section = {item.section.pk: item for item in progress}
    for problem_id, state in states.items():
        section_id = section_of.get(problem_id)
        item = by_section.get(section_id) if section_id is not None else None
        if item is None:
            continue
        item.attempted += 1
        if state == SOLVED:
            item.solved += 1
    return progress


@dataclass
class Totals:
    answered: int = 0
    correct: int = 0
    submissions: int = 0
    accepted: int = 0
    by_verdict: dict[str, int] = field(default_factory=dict)


def totals_for_user(*, user: User) -> Totals:
    answers = Answer.objects.filter(user=user).aggregate(
        answered=Count("id"), correct=Count("id", filter=Q(is_correct=True))
    )
    graded = Submission.objects.filter(user=user, visible_only=False).exclude(verdict="")
    by_verdict = dict(
        graded.values("verdict").annotate(n=Count("id")).values_list("verdict", "n").order_by()
    )
    return Totals(
        answered=answers["answered"],
        correct=answers["correct"],
        submissions=sum(by_verdict.values()),
        accepted=by_verdict.get(Verdict.AC, 0),
        by_verdict=by_verdict,
    )


def score_history(*, user: User) -> list[dict]:
    """Points earned out of points tried, per day: answers and graded submissions together."""
    days: dict[date, list[float]] = defaultdict(lambda: [0.0, 0.0])
    answers = (
        Answer.objects.filter(user=user)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(score=Sum("score"), max_score=Sum("max_score"))
        .order_by()
    )
    submissions = (
        Submission.objects.filter(
            user=user, visible_only=False, status=SubmissionStatus.DONE, max_score__gt=0
        )
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(score=Sum("score"), max_score=Sum("max_score"))
        .order_by()
    )
    for row in [*answers, *submissions]:
        days[row["day"]][0] += float(row["score"] or 0)
        days[row["day"]][1] += float(row["max_score"] or 0)
    return [
        {"date": day.isoformat(), "score": round(score, 2), "max_score": round(max_score, 2)}
        for day, (score, max_score) in sorted(days.items())
        if max_score > 0
    ]
