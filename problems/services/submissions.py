"""Writes of code submissions: the row is written (`queued`) and the queue rung after the commit;
what happens next is `problems.pipeline`'s."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Problem, Submission, SubmissionStatus
from ..pipeline import submission_dispatch
from ..roles import User
from ..selectors.content import problem_version_for_grading


class SubmissionRejected(ValidationError):
    """A submission that cannot be accepted; the message says what to change."""

    def __init__(self, message: str, *, status_code: int = 400):
        super().__init__(message)
        self.status_code = status_code


def _validate_code(code: object) -> str:
    if not isinstance(code, str):
        raise SubmissionRejected(_('Send the code as a JSON string in the field "code".'))
    if "\x00" in code:
        raise SubmissionRejected(
            _("The code contains a NUL byte; remove it and submit plain text.")
        )
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError:
        raise SubmissionRejected(
            _("The code is not valid UTF-8 text; save it as UTF-8 and resubmit.")
        ) from None
    limit = settings.SUBMISSION_MAX_CODE_BYTES
    if size > limit:
        raise SubmissionRejected(
            _("The code is %(size)d KiB; the limit is %(limit)d KiB. Shorten it.")
            % {"size": round(size / 1024), "limit": limit // 1024},
            status_code=413,
        )
    if not code.strip():
        raise SubmissionRejected(_("The code is empty; write your solution and submit it."))
    return code


def submission_create(
    *, user: User, problem: Problem, code: object, visible_only: bool = False
) -> Submission:
    """Write the row (`queued`) and ring the queue after the transaction commits.

    Identical code for the same version of the problem while an earlier copy is still in
    flight returns that submission instead of grading it twice."""
    code = _validate_code(code)
    if not problem.is_code:
        raise SubmissionRejected(
            _("This problem takes an answer, not code; post to its answers endpoint.")
        )
    version = problem_version_for_grading(problem=problem)
    if version is None:
        raise SubmissionRejected(_("This problem has no gradable version yet."), status_code=409)
    limit = settings.SUBMISSIONS_IN_FLIGHT_PER_USER
    with transaction.atomic():
        # Lock the learner's row so two concurrent requests cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        in_flight = Submission.objects.filter(
            user=user, status__in=[SubmissionStatus.QUEUED, SubmissionStatus.RUNNING]
        )
        duplicate = (
            in_flight.filter(problem_version=version, code=code, visible_only=visible_only)
            .order_by("-id")
            .first()
        )
        if duplicate is not None:
            # The same code still being graded (a double-click, a resent request): the same
            # submission, not a second grading of it.
            return duplicate
        in_flight_count = in_flight.count()
        if in_flight_count >= limit:
            raise SubmissionRejected(
                _(
                    "You have %(count)d submissions still being graded; wait for one to finish "
                    "(the limit is %(limit)d at a time)."
                )
                % {"count": in_flight_count, "limit": limit},
                status_code=429,
            )
        submission = Submission.objects.create(
            user=user,
            problem=problem,
            problem_version=version,
            code=code,
            visible_only=visible_only,
        )
        transaction.on_commit(
            lambda: submission_dispatch(submission_id=submission.pk, queue=version.queue)
        )
    return submission
