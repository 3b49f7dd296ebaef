"""Writes of quiz attempts: starting one (its questions drawn and ordered), marking questions,
finishing it (scored once, announced to the learning loop)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import events
from ..models import Attempt, Problem, Quiz, slot_matches
from ..roles import User
from .answers import AnswerRejected


def attempt_is_open(attempt: Attempt, *, now: datetime | None = None) -> bool:
    """Unfinished and, if timed, not past its deadline (and the grace)."""
    return attempt.is_open(now=now)


def _draw(pool: list[tuple[int, int]], count: int, rng: random.Random) -> list[int]:
    """`count` problem ids from `pool` ((problem id, section id) pairs): each section's share in
    proportion to its size (largest remainders first), every section at least once when `count`
    allows, then drawn at random within the section."""
    if count >= len(pool):
        return [problem_id for problem_id, _ in pool]
    by_section: dict[int, list[int]] = {}
    for problem_id, section_id in pool:
        by_section.setdefault(section_id, []).append(problem_id)
    quotas = {s: count * len(ids) / len(pool) for s, ids in by_section.items()}
    floor_one = 1 if count >= len(by_section) else 0
    shares = {s: max(int(q), floor_one) for s, q in quotas.items()}
    while sum(shares.values()) > count:  # the floor of one took too many: trim the largest
        shares[max(shares, key=lambda s: (shares[s], s))] -= 1
    by_remainder = sorted(by_section, key=lambda s: (quotas[s] - int(quotas[s]), s), reverse=True)
    while sum(shares.values()) < count:  # count < len(pool): some section has room
        for s in by_remainder:
            if sum(shares.values()) < count and shares[s] < len(by_section[s]):
                shares[s] += 1
    return [pk for s, ids in by_section.items() for pk in rng.sample(ids, shares[s])]


def _draw_slots(rows: list[tuple], slots: list[dict], rng: random.Random) -> set[int]:
    """Each slot's `count` problems drawn at random from the pool's problems it names (a
    section, a tag or a list), none twice; fewer when the pool has fewer left (an unpublished
    problem), never an error at the start of an exam."""
    drawn: set[int] = set()
    for slot in slots:
        candidates = [
            pk
            for pk, _, slug, section_slug, tags in rows
            if pk not in drawn
            and slot_matches(slot, slug=slug, section_slug=section_slug, tags=tags)
        ]
        drawn |= set(rng.sample(candidates, min(slot["count"], len(candidates))))
    return drawn


def attempt_start(*, user: User, quiz: Quiz) -> Attempt:
    """A new attempt: a quiz with `slots` and/or `draw_count` draws its questions afresh from its
    pool (each slot's count from its own pool first, the rest spread over the sections); the
    seed is recorded so the draw can be explained later."""
    rows = list(
        quiz.items.filter(problem__is_published=True)
        .order_by("order")
        .values_list(
            "problem_id",
            "problem__section_id",
            "problem__slug",
            "problem__section__slug",
            "problem__tags",
        )
    )
    pool = [(problem_id, section_id) for problem_id, section_id, *_ in rows]
    seed = random.SystemRandom().randrange(2**62)
    rng = random.Random(seed)
    if quiz.draw_count or quiz.slots:
        drawn = _draw_slots(rows, quiz.slots, rng)
        rest = [(pk, section_id) for pk, section_id in pool if pk not in drawn]
        count = max(0, (quiz.draw_count or len(drawn)) - len(drawn))
        drawn |= set(_draw(rest, count, rng)) if count else set()
        problem_ids = [problem_id for problem_id, _ in pool if problem_id in drawn]
    else:
        problem_ids = [problem_id for problem_id, _ in pool]
    if quiz.shuffle:
        rng.shuffle(problem_ids)
    deadline = None
    if quiz.time_limit_minutes:
        deadline = timezone.now() + timedelta(minutes=quiz.time_limit_minutes)
    max_score = sum(Problem.objects.filter(pk__in=problem_ids).values_list("points", flat=True))
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        problem_order=problem_ids,
        deadline=deadline,
        max_score=max_score,
        seed=seed,
    )


def attempt_flag_toggle(*, attempt: Attempt, problem: Problem) -> bool:
    """Mark a question of an open attempt to look at again, or unmark it; True if now marked."""
    if problem.pk not in attempt.problem_order:
        raise AnswerRejected(_("This problem is not part of the attempt's quiz."))
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.finished_at is not None:
            raise AnswerRejected(_("This attempt is finished; start a new one to answer again."))
        flagged = [pk for pk in locked.flagged if pk != problem.pk]
        if len(flagged) == len(locked.flagged):
            flagged.append(problem.pk)
        locked.flagged = flagged
        locked.save(update_fields=["flagged"])
    attempt.flagged = flagged
    return problem.pk in flagged


def attempt_finish(*, attempt: Attempt) -> Attempt:
    with transaction.atomic():
        # two "finish" clicks: the second waits, then finds it finished and announces nothing
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.finished_at is None:
            locked.score = sum(locked.answers.values_list("score", flat=True))
            locked.finished_at = timezone.now()
            locked.save(update_fields=["score", "finished_at"])
            events.announce(events.attempt_finished, sender=Attempt, attempt=locked)
        attempt.score, attempt.finished_at = locked.score, locked.finished_at
    return attempt


def attempt_abandon(*, attempt: Attempt) -> Attempt | None:
    """Give up a quiz in progress, which frees its problems' own pages.

    With answers, it is finished as it stands (as "finish" does: graded, reviewed, and the
    questions left blank count as unanswered); with none, it is deleted, as if never started,
    so that an empty attempt adds no 0 % to the learner's history. Returns the finished
    attempt, or None when it was deleted (or already gone: a second click).
    """
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().filter(pk=attempt.pk).first()
        if locked is None:
            return None
        if locked.finished_at is None and not locked.answers.exists():
            locked.delete()
            return None
        return attempt_finish(attempt=attempt)
