"""Reads of the learning loop: what is due, and how ready the learner is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Q

from problems.models import Attempt, Problem

from . import clock, scheduling
from .models import Bookmark, Card, CardState, ReviewLog, StudyPreferences

# "Retention" is the chance, by FSRS, of recalling a problem a day from now: a problem just
# answered is always recalled this instant, so "now" would rate every fresh mistake at 100 %.
RETENTION_HORIZON = timedelta(days=1)
# An area is weak when its retention is below what the scheduler aims for.
WEAK_BELOW = scheduling.SCHEDULER.desired_retention
WEAK_AREAS_SHOWN = 3
FORECAST_DAYS = 7


def _preferences(user: AbstractBaseUser) -> StudyPreferences:
    """The learner's preferences (defaults if never saved), read once per user object."""
    cached = getattr(user, "_study_preferences_cache", None)
    if cached is None:
        cached = StudyPreferences.objects.filter(user=user).first() or StudyPreferences(user=user)
        user._study_preferences_cache = cached
    return cached


def learner_zone(user: AbstractBaseUser) -> ZoneInfo:
    return ZoneInfo(_preferences(user).time_zone)


def learner_day_start(user: AbstractBaseUser, at: datetime | None = None) -> datetime:
    """Midnight of the learner's day containing `at` (their time zone, Asia/Tokyo by default)."""
    local = (at or clock.now()).astimezone(learner_zone(user))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class DueCard:
    slug: str
    due_at: datetime
    reason: str  # "leech", "mistake", "scheduled" or "new"
    problem_id: int


def _reason(card: Card) -> str:
    if card.introduced_at is None:
        return "new"
    if card.is_leech:
        return "leech"
    if card.last_correct is False:
        return "mistake"
    return "scheduled"


def problems_in_open_attempts(user: AbstractBaseUser) -> set[int]:
    """Problems of the learner's quizzes in progress: their pages refuse answers (and must not
    show explanations), so the review does not serve them until the quiz ends."""
    open_attempts = Attempt.objects.filter(user=user, finished_at__isnull=True)
    return {pk for a in open_attempts if a.is_open() for pk in a.problem_order}


def new_cards_left_today(user: AbstractBaseUser) -> int:
    """How many never-reviewed cards the review may still serve today (the daily limit)."""
    # cards added with 学習する and first reviewed today (a graded event makes and reviews a
    # card at once: those are not "new" and do not count)
    introduced_today = Card.objects.filter(
        user=user,
        problem__is_published=True,
        introduced_at__gte=learner_day_start(user),
        introduced_at__gt=F("added_at"),
    ).count()
    return max(0, _preferences(user).new_cards_per_day - introduced_today)


def review_due(*, user: AbstractBaseUser, until: datetime | None = None) -> list[DueCard]:
    """The learner's cards due up to `until` (default now), earliest first.

    Cards never reviewed ("new", added with 学習する) come after, at most the daily limit.
    Only published problems are served.
    """
    until = until or clock.now()
    cards = (
        Card.objects.filter(user=user, due_at__lte=until, problem__is_published=True)
        .exclude(problem_id__in=problems_in_open_attempts(user))
        .select_related("problem")
        .order_by("due_at", "id")
    )
    reviewed = [c for c in cards if c.introduced_at is not None]
    new = [c for c in cards if c.introduced_at is None][: new_cards_left_today(user)]
    return [
        DueCard(slug=c.problem.slug, due_at=c.due_at, reason=_reason(c), problem_id=c.problem_id)
        for c in reviewed + new
    ]


def review_queue(*, user: AbstractBaseUser) -> list[DueCard]:
    """The order of today's review page: leeches (with their explanation first), today's
    mistakes, then the rest by due date; a review card due later today counts as due today."""
    now = clock.now()
    end_of_day = learner_day_start(user) + timedelta(days=1)
    due = review_due(user=user, until=end_of_day)
    # Learning steps are minutes apart on purpose: those wait for their time.
    learning_later = set(
        Card.objects.filter(
            user=user, due_at__gt=now, state__in=[CardState.LEARNING, CardState.RELEARNING]
        ).values_list("problem_id", flat=True)
    )
    due = [d for d in due if d.problem_id not in learning_later]
    rank = {"leech": 0, "mistake": 1, "scheduled": 2, "new": 3}
    return sorted(due, key=lambda d: (rank[d.reason], d.due_at))


def review_count(*, user: AbstractBaseUser) -> int:
    """len(review_queue(user)) in one aggregate (plus the preferences and the open quizzes):
    every page's header shows it."""
    now = clock.now()
    day_start = learner_day_start(user)
    in_quiz = Q(problem_id__in=problems_in_open_attempts(user))
    servable = Q(introduced_at__isnull=False) & ~in_quiz
    counts = Card.objects.filter(user=user, problem__is_published=True).aggregate(
        due=Count("pk", filter=servable & Q(due_at__lte=now)),
        later_today=Count(
            "pk",
            filter=servable
            & Q(state=CardState.REVIEW, due_at__gt=now, due_at__lt=day_start + timedelta(days=1)),
        ),
        new=Count(
            "pk",
            filter=Q(introduced_at__isnull=True, due_at__lte=now) & ~in_quiz,
        ),
        # today's new ones count whether or not an open quiz holds them (new_cards_left_today)
        new_today=Count(
            "pk", filter=Q(introduced_at__gte=day_start, introduced_at__gt=F("added_at"))
        ),
    )
    allowance = max(0, _preferences(user).new_cards_per_day - counts["new_today"])
    return counts["due"] + counts["later_today"] + min(counts["new"], allowance)


def card_is_leech(*, user: AbstractBaseUser, problem: Problem) -> bool:
    return Card.objects.filter(user=user, problem=problem, is_leech=True).exists()


def card_next_due(*, user: AbstractBaseUser, problem: Problem) -> datetime | None:
    return Card.objects.filter(user=user, problem=problem).values_list("due_at", flat=True).first()


@dataclass
class Area:
    kind: str  # "section" or "tag"
    slug: str
    attempted: int = 0
    first_try_correct: int = 0
    due: int = 0
    total: int = 0
    retention_sum: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def retention(self) -> float | None:
        return round(self.retention_sum / self.attempted, 4) if self.attempted else None


def first_try_results(*, user: AbstractBaseUser, problem_ids: list[int]) -> dict[int, bool]:
    """Whether each problem's first graded answer was right (problems never graded are absent)."""
    if not user.is_authenticated:
        return {}
    return dict(
        ReviewLog.objects.filter(
            user=user, first_review=True, problem_id__in=problem_ids
        ).values_list("problem_id", "correct")
    )


def _first_try(user: AbstractBaseUser) -> dict[int, bool]:
    return dict(
        ReviewLog.objects.filter(user=user, first_review=True).values_list("problem_id", "correct")
    )


def progress(*, user: AbstractBaseUser) -> dict:
    """Per section and per tag: attempted, first-try correct, retention, due; weak areas; the
    week's forecast of reviews due (the learner's days)."""
    return progress_with_problems(user=user)[0]


def progress_with_problems(*, user: AbstractBaseUser) -> tuple[dict, dict[str, Problem]]:
    """`progress` and the published problems it read, by slug (pages show their titles)."""
    now = clock.now()
    horizon = now + RETENTION_HORIZON
    problems = list(
        Problem.objects.filter(is_published=True)
        .select_related("section")
        .order_by("section__order", "order", "slug")
    )
    cards = {
        c.problem_id: c
        for c in Card.objects.filter(
            user=user, introduced_at__isnull=False, problem__is_published=True
        )
    }
    first_try = _first_try(user)
    sections: dict[str, Area] = {}
    tags: dict[str, Area] = {}
    for problem in problems:
        areas = [sections.setdefault(problem.section.slug, Area("section", problem.section.slug))]
        areas += [tags.setdefault(tag, Area("tag", tag)) for tag in problem.tags]
        card = cards.get(problem.pk)
        for area in areas:
            area.total += 1
            if card is None:
                continue
            area.attempted += 1
            area.first_try_correct += bool(first_try.get(problem.pk))
            area.due += card.due_at <= now
            area.retention_sum += scheduling.retrievability(card, horizon)
            area.problems.append(problem.slug)
    weak = sorted(
        (
            a
            for a in [*sections.values(), *tags.values()]
            if a.attempted and a.retention < WEAK_BELOW
        ),
        key=lambda a: (a.retention, a.kind, a.slug),
    )[:WEAK_AREAS_SHOWN]
    return {
        "sections": [_area_row(a) for a in sections.values()],
        "tags": [_area_row(a) for a in sorted(tags.values(), key=lambda a: a.slug)],
        "weak_areas": [
            {
                "kind": a.kind,
                "slug": a.slug,
                "retention": a.retention,
                "problems": _weakest_first(
                    a.problems, cards, {p.slug: p.pk for p in problems}, horizon
                ),
            }
            for a in weak
        ],
        "forecast": _forecast(user, [c.due_at for c in cards.values()]),
    }, {p.slug: p for p in problems}


def _weakest_first(slugs, cards, ids, horizon) -> list[str]:
    return sorted(slugs, key=lambda s: scheduling.retrievability(cards[ids[s]], horizon))


def _area_row(area: Area) -> dict:
    return {
        "slug": area.slug,
        "total": area.total,
        "attempted": area.attempted,
        "coverage": round(area.attempted / area.total, 4) if area.total else 0.0,
        "first_try_correct": area.first_try_correct,
        "retention": area.retention,
        "due": area.due,
    }


def forecast(*, user: AbstractBaseUser, days: int = FORECAST_DAYS) -> list[dict]:
    """Reviews due on each of the learner's next `days` days; today includes what is overdue."""
    due_dates = Card.objects.filter(
        user=user, introduced_at__isnull=False, problem__is_published=True
    ).values_list("due_at", flat=True)
    return _forecast(user, list(due_dates), days)


def _forecast(user: AbstractBaseUser, due_dates: list[datetime], days: int = FORECAST_DAYS):
    start = learner_day_start(user)
    due_dates = [d for d in due_dates if d < start + timedelta(days=days)]
    counts: dict[date, int] = defaultdict(int)
    zone = learner_zone(user)
    for due_at in due_dates:
        counts[max(due_at.astimezone(zone).date(), start.date())] += 1
    return [
        {
            "date": (start + timedelta(days=k)).date().isoformat(),
            "due": counts[(start + timedelta(days=k)).date()],
        }
        for k in range(days)
    ]


def mistakes(*, user: AbstractBaseUser, section: str = "", tag: str = "") -> list[Card]:
    """間違えた問題: every problem whose last review was wrong, most recent first."""
    cards = Card.objects.filter(
        user=user, last_correct=False, problem__is_published=True
    ).select_related("problem__section")
    if section:
        cards = cards.filter(problem__section__slug=section)
    cards = list(cards.order_by("-last_review_at"))
    return [c for c in cards if not tag or tag in c.problem.tags]


def bookmarked_problem_ids(*, user: AbstractBaseUser) -> set[int]:
    return set(Bookmark.objects.filter(user=user).values_list("problem_id", flat=True))


def streak(*, user: AbstractBaseUser) -> int:
    """Consecutive learner days, ending today (or yesterday, if nothing yet today), with a review."""
    zone = learner_zone(user)
    days = {
        at.astimezone(zone).date()
        for at in ReviewLog.objects.filter(user=user).values_list("reviewed_at", flat=True)
    }
    today = learner_day_start(user).date()
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count
