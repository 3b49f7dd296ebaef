"""Which variant of a problem a learner sees: one per *occurrence*, stable while they work on it.

An occurrence is one meeting of a learner with a problem:

- inside a quiz attempt, the attempt (``"attempt:<id>"``): reloads and answering again inside the
  attempt keep the variant; the next attempt draws a new one;
- outside a quiz (the problem page, a review of its card), the learner's n-th answer to it
  (``"practice:<n>"``, n = how many answers they have already recorded outside quizzes): every
  answer closes the occurrence, so the next visit — a review the next day, a retry after the
  answer was revealed — sees a fresh variant, and a reload before answering sees the same one.

The seed of a variant is derived from (learner, problem, occurrence) alone, so it needs no
storage to be stable; what the learner saw is stored with the answer (``Answer.variant``) so a
review shows it even if the problem's content changes. Everything random in a variant (the
order of the choices, the numbers of a parameterised problem) is drawn from
``random.Random(occurrence.seed)`` — never from the global generator.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from problems.models import Answer, Attempt, Problem


@dataclass(frozen=True)
class Occurrence:
    key: str  # "attempt:<id>" or "practice:<n>"
    seed: int  # 63 bits, from (learner, problem, key)


def variant_seed(*, user_id: int | None, problem_slug: str, key: str) -> int:
    """A stable 63-bit seed; anonymous visitors (no answers to record) share user 0."""
    text = f"{user_id or 0}\x1f{problem_slug}\x1f{key}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big") >> 1


def occurrence_for(*, user, problem: Problem, attempt: Attempt | None = None) -> Occurrence:
    """The occurrence a learner is in now with `problem` (inside `attempt` when given)."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    if attempt is not None:
        key = f"attempt:{attempt.pk}"
    elif user_id is None:
        key = "practice:0"
    else:
        done = Answer.objects.filter(user_id=user_id, problem=problem, attempt=None).count()
        key = f"practice:{done}"
    return Occurrence(
        key=key, seed=variant_seed(user_id=user_id, problem_slug=problem.slug, key=key)
    )
