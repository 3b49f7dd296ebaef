"""The curriculum's pages: home, a section, a problem (answered or submitted on its page) and
the admin's preview of a problem as learners see it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from problems.access import access_problem, access_problem_preview
from problems.answers import AnswerFormatError
from problems.models import Problem
from problems.parameterised import problem_as_answered, problem_for_occurrence
from problems.published import problem_as_draft, problem_as_learners_see
from problems.selectors.attempts import attempts_open
from problems.selectors.content import (
    course_current,
    problem_list_published,
    quiz_list_for_course,
    quiz_list_for_section,
    section_get,
)
from problems.selectors.progress import (
    ATTEMPTED,
    SOLVED,
    problem_states_for_user,
    section_progress_list,
)
from problems.selectors.submissions import submission_latest
from problems.services.answers import CONFIDENCE_LEVELS, answer_create
from problems.services.submissions import SubmissionRejected, submission_create
from problems.throttles import SubmissionThrottle, throttle_wait
from problems.variants import (
    StaleOccurrence,
    choice_order,
    choices_in_order,
    occurrence_for,
    recorded_choice_order,
)
from study.selectors import card_next_due, first_try_results

from ..answer_text import as_keys, correct_answer_text
from ..forms import answer_from_post
from .study import code_study_context, problem_study_context


def home(request):
    course = course_current()
    context = {
        "course": course,
        "sections": [],
        "quizzes": [],
        "open_attempts": attempts_open(user=request.user),
    }
    if course is not None:
        context["sections"] = section_progress_list(user=request.user, course=course)
        context["quizzes"] = list(quiz_list_for_course(course=course))
    return render(request, "frontend/home.html", context)


def section_detail(request, slug: str):
    section = section_get(slug=slug)
    problems = list(problem_list_published().filter(section=section).order_by("order", "slug"))
    states = problem_states_for_user(user=request.user, problem_ids=[p.pk for p in problems])
    first_try = first_try_results(user=request.user, problem_ids=[p.pk for p in problems])
    for problem in problems:
        problem_as_learners_see(problem)
        problem.state = states.get(problem.pk, "")
        problem.first_try = first_try.get(problem.pk)
    context = {
        "section": section,
        "problems": problems,
        "solved": sum(1 for p in problems if p.state == SOLVED),
        "quizzes": list(quiz_list_for_section(section=section)),
        # a quiz in progress holds its problems: resume it here, or abandon it
        "open_attempts": attempts_open(user=request.user, problem_ids=[p.pk for p in problems]),
    }
    return render(request, "frontend/section.html", context)


def _neighbours(problem: Problem) -> tuple[str | None, str | None]:
    slugs = list(
        problem_list_published()
        .filter(section_id=problem.section_id)
        .order_by("order", "slug")
        .values_list("slug", flat=True)
    )
    index = slugs.index(problem.slug)
    previous = slugs[index - 1] if index > 0 else None
    following = slugs[index + 1] if index + 1 < len(slugs) else None
    return previous, following


@require_http_methods(["GET", "POST"])
def problem_detail(request, slug: str):
    return render_problem(request, access_problem(user=request.user, slug=slug))


@staff_member_required
@require_GET  # a preview never records an answer or a submission
def problem_preview(request, pk: int):
    """The admin's "Preview as learner" (linked from a problem's change form): any problem,
    published or not, as its page shows it, without the learner's study panel."""
    problem = access_problem_preview(user=request.user, pk=pk)
    # the author's content, even while learners still see the validated version's
    return render_problem(request, problem_as_draft(problem), preview=True)


def render_problem(request, problem: Problem, *, preview: bool = False):
    """The problem page. `preview` is the admin's: any problem, published or not, for GET only."""
    # A draft an author opens has no place among the published problems of its section.
    listed = problem.is_published and not preview
    previous, following = _neighbours(problem) if listed else (None, None)
    state = problem_states_for_user(user=request.user, problem_ids=[problem.pk])
    original = problem
    occurrence = occurrence_for(user=request.user, problem=problem)
    # a parameterised problem: the numbers of the learner's current occurrence
    problem = problem_for_occurrence(problem, occurrence)
    context = {
        "problem": problem,
        "section": problem.section,
        # in this learner's order for this occurrence; the form posts the occurrence back
        "choices": choices_in_order(
            problem=problem, order=choice_order(problem=problem, occurrence=occurrence)
        ),
        "occurrence": occurrence.key,
        "state": state.get(problem.pk, ""),
        "previous_slug": previous,
        "next_slug": following,
        "preview": preview,
    }
    if not preview:
        context.update(problem_study_context(request, problem))
    if problem.is_code:
        return _code_problem(request, problem, context)
    # Answered in its quiz, not here (the answer would be told): the page links to the quiz.
    held = [] if preview else attempts_open(user=request.user, problem_ids=[problem.pk])
    if held:
        context.update(open_attempt=held[0], open_attempt_number=held[0].number_of(problem.pk))
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        answered = _answer_from_form(request, original)
        status = answered.pop("status", 200)
        context.update(answered)
    return render(request, "frontend/problem.html", context, status=status)


def _answer_from_form(request, problem: Problem) -> dict:
    dont_know = request.POST.get("dont_know") == "1"
    response = None if dont_know else answer_from_post(problem, request.POST)
    if response is None and not dont_know:
        messages.error(request, _("Choose or type an answer first."))
        return {}
    confidence = request.POST.get("confidence", "")
    try:
        answer, outcome = answer_create(
            user=request.user,
            problem=problem,
            response=response,
            dont_know=dont_know,
            confidence=confidence if confidence in CONFIDENCE_LEVELS else "",
            occurrence=request.POST.get("occurrence") or None,
        )
    except StaleOccurrence as error:
        # answered in another tab: this page's order is gone; show the current one
        messages.error(request, str(error))
        return {"status": 409}
    except AnswerFormatError as error:
        messages.error(request, str(error))
        return {"given": response, "given_keys": as_keys(response) if response else []}
    order = recorded_choice_order(answer)
    # the explanation and the right answer of the variant the learner answered
    problem = problem_as_answered(problem, answer)
    return {
        "problem": problem,
        "outcome": outcome,
        # the choices as they were when answered, not the next occurrence's order
        "choices": choices_in_order(problem=problem, order=order),
        "given": outcome.response,
        "given_keys": as_keys(outcome.response),
        "correct_answer": correct_answer_text(problem, order=order),
        "state": SOLVED if outcome.correct else ATTEMPTED,
        "dont_know": dont_know,
        "next_due_at": card_next_due(user=request.user, problem=problem),
    }


def _code_problem(request, problem: Problem, context: dict):
    if request.method == "POST":
        return problem_submit(request, problem.slug)
    spec = getattr(problem, "code_spec", None)
    latest = submission_latest(user=request.user, problem=problem)
    context.update(
        spec=spec,
        starter_code=spec.starter_code if spec else "",
        latest=latest,
        latest_finished=latest.is_finished if latest else False,
        draft_key=f"draft:{problem.slug}:{request.user.pk or 'anonymous'}",
        **code_study_context(request, problem, solved=context["state"] == SOLVED),
    )
    return render(request, "frontend/code_problem.html", context)


@login_required
@require_POST
def problem_submit(request, slug: str):
    """Without JavaScript the code form posts here; the page of the submission follows it."""
    problem = access_problem(user=request.user, slug=slug)
    wait = throttle_wait(SubmissionThrottle, request)  # the API's budget: one per learner
    if wait is not None:
        messages.error(
            request,
            _("Too many submissions in a short time. Wait %(seconds)d seconds and submit again.")
            % {"seconds": wait},
        )
        return redirect("problem", slug=slug)
    try:
        submission = submission_create(
            user=request.user,
            problem=problem,
            code=request.POST.get("code", ""),
            visible_only=request.POST.get("visible_only") == "true",
        )
    except SubmissionRejected as error:
        messages.error(request, error.messages[0])
        return redirect("problem", slug=slug)
    return redirect("submission", pk=submission.pk)
