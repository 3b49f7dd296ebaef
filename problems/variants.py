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
import random
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from problems.answers import AnswerFormatError
from problems.models import CHOICE_KINDS, Answer, Attempt, Problem


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


# Choice order -------------------------------------------------------------------------------


class StaleOccurrence(AnswerFormatError):
    """The answer was given for another occurrence than the learner's current one (another tab
    answered first); the message tells them to reload."""


def choice_order(*, problem: Problem, occurrence: Occurrence) -> list[str]:
    """The choice keys in the order this learner sees them in this occurrence.

    Shuffled with `random.Random(occurrence.seed)`, so a reload shows the same order; file order
    for a problem marked `fixed_order` (its texts refer to choices by position)."""
    keys = [choice.key for choice in problem.choices.all()]
    if problem.fixed_order:
        return keys
    random.Random(occurrence.seed).shuffle(keys)
    return keys


def choices_in_order(*, problem: Problem, order: list[str] | None) -> list:
    """The problem's choices in `order` (keys), each with `.label`, its displayed number from 1.

    Keys missing from `order` (a choice added since the answer was recorded) follow in file
    order; keys no longer in the problem are dropped."""
    choices = list(problem.choices.all())
    rank = {key: index for index, key in enumerate(order or [])}
    choices.sort(key=lambda choice: rank.get(choice.key, len(rank)))
    for number, choice in enumerate(choices, start=1):
        choice.label = str(number)
    return choices


def recorded_choice_order(answer: Answer | None) -> list[str] | None:
    """The choice order an answer was given in; None when it recorded none (older answers)."""
    if answer is None:
        return None
    order = (answer.variant or {}).get("choice_order")
    return [str(key) for key in order] if isinstance(order, list) else None


def variant_record(*, problem: Problem, occurrence: Occurrence) -> dict:
    """What to store in `Answer.variant` for an answer given in `occurrence`."""
    record: dict = {"occurrence": occurrence.key}
    if problem.kind in CHOICE_KINDS:
        record["choice_order"] = choice_order(problem=problem, occurrence=occurrence)
    return record


def occurrence_check(
    *, user, problem: Problem, attempt: Attempt | None = None, posted: str | None = None
) -> Occurrence:
    """The learner's current occurrence, refusing an answer posted for another one.

    `posted` is the occurrence key the page or API client showed; None (older clients) means
    the current one."""
    current = occurrence_for(user=user, problem=problem, attempt=attempt)
    if posted is not None and posted != current.key:
        raise StaleOccurrence(
            _(
                "This question changed since you opened it (it was answered in another tab or "
                "window); reload the page and answer it again."
            )
        )
    return current


# References to choices in explanations and feedback -----------------------------------------

# "[[choice:2]]" in an explanation or a choice's feedback: the number the learner saw choice
# "2" under, so a text can say "選択肢 [[choice:2]] は…" and stay right in every order.
CHOICE_REFERENCE = re.compile(r"\[\[choice:([^\[\]\s]+)\]\]")


def choice_references(text: str) -> list[str]:
    """The choice keys `text` refers to, in order."""
    return CHOICE_REFERENCE.findall(text or "")


# "[[choice:1]], [[choice:2]] and [[choice:4]]": a list, numbered in ascending order when shown
_REFERENCE_LIST = re.compile(
    rf"{CHOICE_REFERENCE.pattern}(?:(?:\s*(?:,|、|・|と)\s*|,? and |,? or ){CHOICE_REFERENCE.pattern})+"
)


def _label_number(label: str) -> tuple[int, str]:
    return (int(label), label) if label.isdigit() else (10**9, label)


def choice_references_render(text: str, *, labels: dict[str, str]) -> str:
    """`text` with each reference replaced by the label of its choice (its displayed number);
    a list of references reads in ascending order ("1, 3 and 4", not "4, 1 and 3")."""

    def label(key: str) -> str:
        return labels.get(key, key)

    def sorted_list(match: re.Match) -> str:
        names = iter(
            sorted((label(k) for k in choice_references(match.group(0))), key=_label_number)
        )
        return CHOICE_REFERENCE.sub(lambda _m: next(names), match.group(0))

    text = _REFERENCE_LIST.sub(sorted_list, text or "")
    return CHOICE_REFERENCE.sub(lambda m: label(m.group(1)), text)


def choice_labels(choices: list) -> dict[str, str]:
    """Key → displayed label, from `choices_in_order`'s list (file positions without labels)."""
    return {
        choice.key: getattr(choice, "label", str(number))
        for number, choice in enumerate(choices, start=1)
    }
