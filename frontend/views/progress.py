"""The learner's own: their submissions, one submission, the progress dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from problems.access import access_submission
from problems.models import SubmissionStatus, Verdict
from problems.selectors.attempts import (
    attempt_list_for_user,
)
from problems.selectors.content import (
    course_current,
)
from problems.selectors.progress import (
    score_history,
    section_progress_list,
    totals_for_user,
)
from problems.selectors.submissions import submission_history

from .study import dashboard_study_context

VERDICT_FILTERS = [*Verdict.values, SubmissionStatus.QUEUED, SubmissionStatus.RUNNING]


@login_required
def my_submissions(request):
    verdict = request.GET.get("verdict", "")
    if verdict not in VERDICT_FILTERS:
        verdict = ""
    page = Paginator(submission_history(user=request.user, verdict=verdict), 50)
    context = {
        "page": page.get_page(request.GET.get("page")),
        "verdict": verdict,
        "verdicts": Verdict.choices,
    }
    return render(request, "frontend/submissions.html", context)


@login_required
def submission_detail(request, pk: int):
    submission = access_submission(user=request.user, submission_id=pk)
    context = {"submission": submission, "problem": submission.problem}
    return render(request, "frontend/submission_detail.html", context)


@login_required
def dashboard(request):
    course = course_current()
    sections = section_progress_list(user=request.user, course=course) if course else []
    context = {
        "course": course,
        "sections": sections,
        "totals": totals_for_user(user=request.user),
        "history": score_history(user=request.user),
        "attempts": attempt_list_for_user(user=request.user, limit=10),
        "solved": sum(item.solved for item in sections),
        "problem_count": sum(item.problem_count for item in sections),
        **dashboard_study_context(request.user),
    }
    for item in sections:
        item.study = context["study_sections"].get(item.section.slug)
    return render(request, "frontend/dashboard.html", context)
