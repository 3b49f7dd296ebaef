"""Who may see what: one `access_*` helper per object kind, each fetching the object *and*
checking the user's right to it, used by the API, the pages, the event stream and the admin.

A learner's work (their code, its output, their answers and attempt reviews) is for the
learner and for users with the explicit permission `problems.view_learner_work` (the
"reviewer" role and superusers). Being staff, or an author, does not imply it: anyone else
gets a 404, so that they cannot even tell which ids exist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Attempt, Problem, ProblemVersion, RegradeBatch, Submission
from .roles import User, Visitor
from .selectors.content import problem_get_published

VIEW_LEARNER_WORK = "problems.view_learner_work"
# Authors (and reviewers of content) look at unpublished problems; learners never.
VIEW_UNPUBLISHED = "problems.view_problem"


def can_read_learner_work(user: Visitor | None) -> bool:
    """Whether `user` may read every learner's code, outputs and reviews."""
    return bool(user and user.is_authenticated and user.has_perm(VIEW_LEARNER_WORK))


def access_submission(*, user: User, submission_id: int) -> Submission:
    """The submission if `user` wrote it or may read learners' work; 404 for anyone else."""
    # The version's snapshot and validation report (over 100 KB of JSON for lstm-cell) are
    # the grader's: nothing that shows a submission reads them.
    queryset = Submission.objects.select_related("problem", "problem_version").defer(
        "problem_version__snapshot", "problem_version__validation"
    )
    # The owner first: one query, without loading the user's permissions (two more queries on
    # every request of the event stream and the submission page).
    submission = queryset.filter(pk=submission_id, user_id=user.pk).first()
    if submission is None and can_read_learner_work(user):
        submission = queryset.filter(pk=submission_id).first()
    if submission is None:
        raise Http404("No such submission.")
    return submission


def access_attempt(*, user: User, attempt_id: int, to_answer: bool = False) -> Attempt:
    """The attempt if `user` took it or may read learners' work; 404 for anyone else.

    `to_answer`: only the learner who took an attempt answers in it or finishes it, whatever
    their permissions.
    """
    queryset = Attempt.objects.select_related("quiz")
    attempt = queryset.filter(pk=attempt_id, user_id=user.pk).first()  # the owner first, as above
    if attempt is None and not to_answer and can_read_learner_work(user):
        attempt = queryset.filter(pk=attempt_id).first()
    if attempt is None:
        if to_answer:
            raise Http404("Only the learner who took an attempt can answer in it.")
        raise Http404("No such attempt.")
    return attempt


def access_problem(*, user: Visitor, slug: str, with_content: bool = True) -> Problem:
    """A published problem, or an unpublished one for a user who may view drafts (authors);
    404 for anyone else."""
    try:  # published: no need to load the user's permissions
        return problem_get_published(slug=slug, with_content=with_content)
    except Http404:
        if not (user and user.is_authenticated and user.has_perm(VIEW_UNPUBLISHED)):
            raise
    return problem_get_published(slug=slug, with_content=with_content, include_unpublished=True)


def access_problem_preview(*, user: Visitor, pk: int) -> Problem:
    """Any problem, published or not, for the admin's "Preview as learner" (a page of
    `frontend`): 404 if there is none, 403 unless `user` is staff who may view problems in the
    admin (authors, reviewers, superusers), as the admin's own views decide."""
    problem = Problem.objects.select_related("section", "code_spec").filter(pk=pk).first()
    if problem is None:
        raise Http404("No such problem.")
    may_view = user.has_perm(VIEW_UNPUBLISHED) or user.has_perm("problems.change_problem")
    if not (user.is_active and user.is_staff and may_view):
        raise PermissionDenied
    return problem


def access_problem_in_admin(
    *, model_admin: Any, request: HttpRequest, pk: int, change: bool, code_spec: bool = False
) -> Problem:
    """A problem for one of the admin's own views (validate, publish, report): 404 if
    there is none, 403 unless the user has the admin permission the view needs."""
    problem = Problem.objects.filter(pk=pk).first()
    if problem is None:
        raise Http404("No such problem.")
    if change:
        allowed = model_admin.has_change_permission(request, problem)
    else:
        allowed = model_admin.has_view_permission(request, problem)
    if code_spec:
        allowed = allowed and model_admin.has_code_spec_permission(request)
    if not allowed:
        raise PermissionDenied
    return problem


def access_regrade_batch(*, model_admin: Any, request: HttpRequest, pk: int | str) -> RegradeBatch:
    """A regrade batch for its admin page: 404 if there is none, 403 unless the user may view
    batches in the admin."""
    batch = RegradeBatch.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if batch is None:
        raise Http404("No such regrade batch.")
    if not model_admin.has_view_permission(request, batch):
        raise PermissionDenied
    return batch


def access_version_validation(*, user: Visitor, pk: int) -> ProblemVersion:
    """A version, for following its validation live: 403 unless `user` is active staff who
    may read code specs (the progress names the mutants), then 404 if there is none. The
    permission comes first, so that no one else can tell which ids exist."""
    may_read_specs = user.is_authenticated and user.has_perm("problems.view_codespec")
    if not (user.is_active and user.is_staff and may_read_specs):
        raise PermissionDenied
    version = ProblemVersion.objects.select_related("problem").filter(pk=pk).first()
    if version is None:
        raise Http404("No such version.")
    return version
