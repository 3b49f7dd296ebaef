"""FSRS scheduling and the rating map: how a graded event becomes Again, Hard, Good or Easy.

The rating map (docs/learning.md):

| what happened                                                  | rating |
|----------------------------------------------------------------|--------|
| wrong, "わからない" (I don't know), or the model solution shown  | Again  |
| right after a hint, or with low confidence (自信なし)            | Hard   |
| code accepted after a failed submission since the last review  | Hard   |
| right                                                          | Good   |
| right, confident (自信あり) and quick (within QUICK)             | Easy   |

Fuzzing is off: due dates are a function of the reviews alone, so the forecast a learner sees
is the schedule they get, and tests can state exact dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler, State

from .models import Card, CardState, Rating

# A right answer given with confidence within this time is "easy"; the client measures it
# from showing the problem to sending the answer.
QUICK = timedelta(seconds=20)
# Lapses (forgotten after being learned) that make a card a leech: shown with its
# explanation first, since answering it again has not been enough.
LEECH_LAPSES = 6

SCHEDULER = Scheduler(
    desired_retention=0.9,
    learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
    relearning_steps=(timedelta(minutes=10),),
    # An exam is months away at most: nothing is put off for longer than half a year.
    maximum_interval=180,
    enable_fuzzing=False,
)


@dataclass(frozen=True)
class Event:
    """A graded event as the scheduler sees it."""

    correct: bool
    dont_know: bool = False
    gave_up: bool = False
    confidence: str = ""  # "high", "low" or ""
    hints_used: int = 0
    after_failures: bool = False  # code: a failed submission since the card's last review
    duration: timedelta | None = None


def rating_for(event: Event) -> Rating:
    if event.dont_know or event.gave_up or not event.correct:
        return Rating.AGAIN
    if event.hints_used or event.confidence == "low" or event.after_failures:
        return Rating.HARD
    if event.confidence == "high" and event.duration is not None and event.duration <= QUICK:
        return Rating.EASY
    return Rating.GOOD


def _to_fsrs(card: Card) -> FsrsCard:
    return FsrsCard(
        card_id=card.pk or 1,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due_at,
        last_review=card.last_review_at,
    )


def review(card: Card, rating: Rating, at: datetime) -> None:
    """Apply one review to `card` in place (not saved): FSRS state, due date, lapses, leech."""
    updated, _log = SCHEDULER.review_card(_to_fsrs(card), FsrsRating(rating), at)
    if rating == Rating.AGAIN and card.state == CardState.REVIEW:  # forgotten once learned
        card.lapses += 1
    card.state = updated.state.value
    card.step = updated.step
    card.stability = updated.stability
    card.difficulty = updated.difficulty
    card.due_at = updated.due
    card.last_review_at = updated.last_review
    card.reps += 1
    card.is_leech = card.is_leech or card.lapses >= LEECH_LAPSES


def retrievability(card: Card, at: datetime) -> float:
    """The probability, by FSRS, that the learner recalls the problem at `at` (0 if unreviewed)."""
    return float(SCHEDULER.get_card_retrievability(_to_fsrs(card), at))
