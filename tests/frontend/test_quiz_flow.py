"""The moves of a quiz attempt (frontend/quiz_flow.py), without requests: the table in its
docstring, row by row. The pages that follow these moves are in test_pages.py."""

from __future__ import annotations

import pytest

from frontend.quiz_flow import Then, quiz_step

UNTIMED = {"timed_out": False, "is_code": False, "timed": False, "last": False}

# (action, the situation, then, records, dont_know, needs_answer)
MOVES = [
    ("flag", {}, Then.FLAG, False, False, False),
    ("flag", {"timed_out": True}, Then.FINISH, False, False, False),
    ("previous", {}, Then.PREVIOUS, False, False, False),
    ("answer", {}, Then.NEXT, True, False, True),
    ("answer", {"last": True}, Then.FINISH, True, False, True),
    ("answer", {"timed_out": True}, Then.FINISH, True, False, False),
    ("dont_know", {}, Then.NEXT, True, True, True),
    ("dont_know", {"timed": True}, Then.NEXT, False, False, False),
    ("finish", {}, Then.FINISH, True, False, False),
    ("skip", {}, Then.NEXT, False, False, False),
    ("skip", {"timed_out": True}, Then.FINISH, False, False, False),
    ("answer", {"is_code": True}, Then.NEXT, False, False, False),
    ("answer", {"is_code": True, "last": True}, Then.FINISH, False, False, False),
    ("dont_know", {"is_code": True}, Then.NEXT, False, False, False),
]


@pytest.mark.parametrize(("action", "situation", "then", "records", "dont_know", "needs"), MOVES)
def test_each_posted_action_makes_its_move(action, situation, then, records, dont_know, needs):
    step = quiz_step(action=action, **{**UNTIMED, **situation})
    assert (step.then, step.records, step.dont_know, step.needs_answer) == (
        then,
        records,
        dont_know,
        needs,
    )
