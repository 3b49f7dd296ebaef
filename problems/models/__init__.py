"""The models of `problems`, one module per part: `content` (the curriculum and its versions),
`quizzes` (attempts, answers), `submissions` (code, verdicts, regrades). Django finds models
here, so every one is named below."""

from .base import BilingualMixin, TimeStampedModel
from .content import (
    CHOICE_KINDS,
    AcceptedAnswer,
    Choice,
    CodeSpec,
    Course,
    Framework,
    Problem,
    ProblemKind,
    ProblemVersion,
    Section,
    validate_hints,
)
from .quizzes import DEADLINE_GRACE, Answer, Attempt, Quiz, QuizItem, slot_matches
from .submissions import GradingRecord, RegradeBatch, Submission, SubmissionStatus, Verdict

__all__ = [
    "CHOICE_KINDS",
    "DEADLINE_GRACE",
    "AcceptedAnswer",
    "Answer",
    "Attempt",
    "BilingualMixin",
    "Choice",
    "CodeSpec",
    "Course",
    "Framework",
    "GradingRecord",
    "Problem",
    "ProblemKind",
    "ProblemVersion",
    "Quiz",
    "QuizItem",
    "RegradeBatch",
    "Section",
    "Submission",
    "SubmissionStatus",
    "TimeStampedModel",
    "Verdict",
    "slot_matches",
    "validate_hints",
]
