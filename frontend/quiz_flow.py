"""The moves of a quiz attempt, one posted question at a time: a state machine without requests.

A question page posts an `action`; `quiz_step` says what it does, and the view does it:

| action       | records the answer   | then                                        |
|--------------|----------------------|---------------------------------------------|
| `flag`       | no                   | the same question, its 見直し mark toggled  |
| `previous`   | no                   | the question before                         |
| `answer`     | yes (one is needed)  | the next question; after the last, finish   |
| `dont_know`  | "わからない", untimed | as `answer`; in a timed exam, as `skip`     |
| `finish`     | yes, if one is given | finish the attempt                          |
| `skip`, else | no                   | the next question                           |

A code question records nothing (its own page grades code): `answer` moves on as `skip`, or
finishes after the last question. When the countdown ran out (`timed_out`), whatever was
posted is recorded if it can be and the attempt finishes; `flag` does not apply then.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Then(StrEnum):
    FLAG = "flag"  # toggle the mark, show the same question
    PREVIOUS = "previous"
    NEXT = "next"
    FINISH = "finish"


@dataclass(frozen=True)
class QuizStep:
    then: Then
    records: bool = False  # the posted answer (or "わからない") is recorded, if there is one
    dont_know: bool = False  # "わからない": a wrong answer without a guess
    needs_answer: bool = False  # without an answer: say so and show the question again
    timed_out: bool = False


def quiz_step(*, action: str, timed_out: bool, is_code: bool, timed: bool, last: bool) -> QuizStep:
    """What posting `action` on a question does (see the table above)."""
    if action == "flag" and not timed_out:
        return QuizStep(Then.FLAG)
    if action == "previous":
        return QuizStep(Then.PREVIOUS)
    # "わからない" outside a timed exam: a wrong answer without a guess, then on as an answer
    dont_know = action == "dont_know" and not timed and not is_code
    if dont_know:
        action = "answer"
    if is_code and action == "answer":
        # Quizzes do not grade code (its page does): the button only moves on.
        action = "finish" if last else "skip"
    finish = timed_out or action == "finish" or (action == "answer" and last)
    return QuizStep(
        Then.FINISH if finish else Then.NEXT,
        records=action in {"answer", "finish"} and not is_code,
        dont_know=dont_know,
        needs_answer=action == "answer" and not timed_out,
        timed_out=timed_out,
    )
