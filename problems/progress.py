"""Reads for the learner's progress: per problem, per section, over time. A fixed number of
queries whatever the size of the curriculum (the pages that use these assert it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404

from .models import (
    AcceptedAnswer,
    Answer,
    Attempt,
    Choice,
    Course,
    Problem,
    Quiz,
    Section,
    Submission,
    SubmissionStatus,
    Verdict,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

SOLVED = "solved"
ATTEMPTED = "attempted"


def problem_states_for_user(*, user, problem_ids: list[int] | None = None) -> dict[int, str]:
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


def section_progress_list(*, user, course: Course) -> list[SectionProgress]:
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
        item = by_section.get(section_of.get(problem_id))
        if item is None:
            continue
        item.attempted += 1
        if state == SOLVED:
            item.solved += 1
    return progress


def course_current() -> Course | None:
    """The course the site shows (this service has one)."""
    return Course.objects.order_by("pk").first()


def section_get(*, slug: str) -> Section:
    section = Section.objects.select_related("course").filter(slug=slug).first()
    if section is None:
        raise Http404(f"No section has the slug '{slug}'.")
    return section


def quiz_list_for_section(*, section: Section) -> QuerySet[Quiz]:
    """Quizzes made only of this section's problems, with their question counts."""
    return (
        Quiz.objects.annotate(
            question_count=Count("items", distinct=True),
            in_section=Count("items", filter=Q(items__problem__section=section), distinct=True),
        )
        .filter(in_section__gt=0, in_section=F("question_count"))
        .order_by("order", "slug")
    )


def quiz_list_for_course(*, course: Course) -> QuerySet[Quiz]:
    """The course-wide quizzes (the mock exam): those drawing on more than one section."""
    return (
        Quiz.objects.filter(course=course)
        .annotate(
            question_count=Count("items", distinct=True),
            section_count=Count("items__problem__section", distinct=True),
        )
        .filter(Q(section_count__gt=1) | Q(time_limit_minutes__isnull=False))
        .order_by("order", "slug")
    )


def quiz_get(*, slug: str) -> Quiz:
    quiz = Quiz.objects.annotate(question_count=Count("items")).filter(slug=slug).first()
    if quiz is None:
        raise Http404(f"No quiz has the slug '{slug}'.")
    return quiz


def problems_for_display(problem_ids: list[int]) -> list[Problem]:
    """Problems in the given order, with what their pages and reviews show, in three queries."""
    problems = (
        Problem.objects.filter(pk__in=problem_ids)
        .select_related("section")
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "id")),
            Prefetch("accepted_answers", queryset=AcceptedAnswer.objects.order_by("id")),
        )
    )
    by_id = {problem.pk: problem for problem in problems}
    return [by_id[pk] for pk in problem_ids if pk in by_id]


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
    *, user: AbstractBaseUser | AnonymousUser | None, problem_ids: Iterable[int] | None = None
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


def attempt_list_for_user(*, user, quiz: Quiz | None = None, limit: int = 10) -> list[Attempt]:
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


@dataclass
class Totals:
    answered: int = 0
    correct: int = 0
    submissions: int = 0
    accepted: int = 0
    by_verdict: dict[str, int] = field(default_factory=dict)


def totals_for_user(*, user) -> Totals:
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


def score_history(*, user) -> list[dict]:
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


def submission_history(*, user, verdict: str = "") -> QuerySet[Submission]:
    """The learner's submissions, newest first, without the heavy columns a list does not show."""
    queryset = (
        Submission.objects.filter(user=user)
        .select_related("problem")
        .defer(
            "code", "stdout", "stderr", "tests", "problem__statement_ja", "problem__statement_en"
        )
        .order_by("-created_at", "-id")
    )
    if verdict in Verdict.values:
        queryset = queryset.filter(verdict=verdict)
    elif verdict in {SubmissionStatus.QUEUED, SubmissionStatus.RUNNING}:
        queryset = queryset.filter(status=verdict)
    return queryset


def submission_latest(*, user, problem: Problem) -> Submission | None:
    if not user.is_authenticated:
        return None
    return (
        Submission.objects.filter(user=user, problem=problem).order_by("-created_at", "-id").first()
    )
