"""Server-rendered pages for learners. Reads go through `problems.selectors` and
`problems.progress`, writes through `problems.services`."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, connection, transaction
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from problems import progress
from problems.access import access_attempt, access_problem, access_submission
from problems.answers import AnswerFormatError
from problems.models import (
    CHOICE_KINDS,
    Attempt,
    Problem,
    ProblemKind,
    Submission,
    SubmissionStatus,
    Verdict,
)
from problems.parameterised import (
    problem_as_answered,
    problem_for_learner,
    problem_for_occurrence,
)
from problems.published import problem_as_learners_see
from problems.selectors import problem_list_published
from problems.services import (
    CONFIDENCE_LEVELS,
    SubmissionRejected,
    answer_create,
    attempt_abandon,
    attempt_finish,
    attempt_flag_toggle,
    attempt_is_open,
    attempt_start,
    submission_create,
)
from problems.throttles import SignupThrottle, SubmissionThrottle, throttle_wait
from problems.variants import (
    StaleOccurrence,
    choice_order,
    choices_in_order,
    occurrence_for,
    recorded_choice_order,
)
from study.selectors import card_next_due, first_try_results

from .forms import SignupForm, answer_from_post
from .study_views import code_study_context, dashboard_study_context, problem_study_context
from .templatetags.markup import markdown_inline


def home(request):
    course = progress.course_current()
    context = {
        "course": course,
        "sections": [],
        "quizzes": [],
        "open_attempts": progress.attempts_open(user=request.user),
    }
    if course is not None:
        context["sections"] = progress.section_progress_list(user=request.user, course=course)
        context["quizzes"] = list(progress.quiz_list_for_course(course=course))
    return render(request, "frontend/home.html", context)


def section_detail(request, slug: str):
    section = progress.section_get(slug=slug)
    problems = list(problem_list_published().filter(section=section).order_by("order", "slug"))
    states = progress.problem_states_for_user(
        user=request.user, problem_ids=[p.pk for p in problems]
    )
    first_try = first_try_results(user=request.user, problem_ids=[p.pk for p in problems])
    for problem in problems:
        problem_as_learners_see(problem)
        problem.state = states.get(problem.pk, "")
        problem.first_try = first_try.get(problem.pk)
    context = {
        "section": section,
        "problems": problems,
        "solved": sum(1 for p in problems if p.state == progress.SOLVED),
        "quizzes": list(progress.quiz_list_for_section(section=section)),
        # a quiz in progress holds its problems: resume it here, or abandon it
        "open_attempts": progress.attempts_open(
            user=request.user, problem_ids=[p.pk for p in problems]
        ),
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


def render_problem(request, problem: Problem, *, preview: bool = False):
    """The problem page. `preview` is the admin's: any problem, published or not, for GET only."""
    # A draft an author opens has no place among the published problems of its section.
    listed = problem.is_published and not preview
    previous, following = _neighbours(problem) if listed else (None, None)
    state = progress.problem_states_for_user(user=request.user, problem_ids=[problem.pk])
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
    held = [] if preview else progress.attempts_open(user=request.user, problem_ids=[problem.pk])
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
        return {"given": response, "given_keys": _as_keys(response) if response else []}
    order = recorded_choice_order(answer)
    # the explanation and the right answer of the variant the learner answered
    problem = problem_as_answered(problem, answer)
    return {
        "problem": problem,
        "outcome": outcome,
        # the choices as they were when answered, not the next occurrence's order
        "choices": choices_in_order(problem=problem, order=order),
        "given": outcome.response,
        "given_keys": _as_keys(outcome.response),
        "correct_answer": correct_answer_text(problem, order=order),
        "state": progress.SOLVED if outcome.correct else progress.ATTEMPTED,
        "dont_know": dont_know,
        "next_due_at": card_next_due(user=request.user, problem=problem),
    }


def _as_keys(response) -> list[str]:
    if isinstance(response, list):
        return [str(key) for key in response]
    return [str(response)]


def _choice_labels(problem: Problem, keys, order: list[str] | None) -> SafeString:
    """'2. text' for each key, numbered as the learner saw the choices (`order`), in that order."""
    wanted = {str(key) for key in keys}
    shown = [c for c in choices_in_order(problem=problem, order=order) if c.key in wanted]
    return format_html_join(
        ", ", "{}. {}", ((c.label, markdown_inline(c.localized_text)) for c in shown)
    )


def _with_unit(problem: Problem, number: float) -> str:
    return f"{number:g} {problem.numeric_unit}".strip()


def correct_answer_text(problem: Problem, *, order: list[str] | None = None) -> SafeString | str:
    """The right answer as the learner should read it (uses prefetched choices and answers);
    choices are numbered in `order`, the keys as the learner saw them (file order if None)."""
    if problem.kind in (ProblemKind.SINGLE_CHOICE, ProblemKind.MULTIPLE_CHOICE):
        correct = [c.key for c in problem.choices.all() if c.is_correct]
        return _choice_labels(problem, correct, order)
    if problem.kind == ProblemKind.NUMERIC:
        return _with_unit(problem, problem.numeric_answer)
    if problem.kind == ProblemKind.TEXT:
        accepted = list(problem.accepted_answers.all())
        return accepted[0].text if accepted else ""
    return ""


def given_answer_text(problem: Problem, response, *, order: list[str] | None = None):
    if response is None:
        return ""
    if problem.kind in (ProblemKind.SINGLE_CHOICE, ProblemKind.MULTIPLE_CHOICE):
        return _choice_labels(problem, _as_keys(response), order)
    if problem.kind == ProblemKind.NUMERIC and isinstance(response, int | float):
        return _with_unit(problem, response)
    return str(response)


def _code_problem(request, problem: Problem, context: dict):
    if request.method == "POST":
        return problem_submit(request, problem.slug)
    spec = getattr(problem, "code_spec", None)
    latest = progress.submission_latest(user=request.user, problem=problem)
    context.update(
        spec=spec,
        starter_code=spec.starter_code if spec else "",
        latest=latest,
        latest_finished=latest.is_finished if latest else False,
        draft_key=f"draft:{problem.slug}:{request.user.pk or 'anonymous'}",
        **code_study_context(request, problem, solved=context["state"] == progress.SOLVED),
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


# Quizzes ---------------------------------------------------------------------------------


def quiz_detail(request, slug: str):
    quiz = progress.quiz_get(slug=slug)
    attempts = []
    if request.user.is_authenticated:
        attempts = progress.attempt_list_for_user(user=request.user, quiz=quiz)
    open_attempt = next(
        (a for a in attempts if a.finished_at is None and not _expired(a)),
        None,
    )
    context = {"quiz": quiz, "attempts": attempts, "open_attempt": open_attempt}
    return render(request, "frontend/quiz.html", context)


@login_required
@require_POST
def quiz_start(request, slug: str):
    quiz = progress.quiz_get(slug=slug)
    if quiz.question_count == 0:
        messages.error(request, _("This quiz has no questions yet."))
        return redirect("quiz", slug=slug)
    attempt = attempt_start(user=request.user, quiz=quiz)
    return redirect("attempt_question", pk=attempt.pk, number=1)


def _expired(attempt: Attempt) -> bool:
    return attempt.finished_at is None and not attempt_is_open(attempt)


@login_required
@require_http_methods(["GET", "POST"])
def attempt_question(request, pk: int, number: int):
    attempt = access_attempt(user=request.user, attempt_id=pk, to_answer=True)
    if attempt.finished_at is not None:
        return redirect("attempt_review", pk=attempt.pk)
    if _expired(attempt):
        attempt_finish(attempt=attempt)
        messages.warning(request, _("Time is up. Your answers so far were graded."))
        return redirect("attempt_review", pk=attempt.pk)
    total = len(attempt.problem_order)
    if not 1 <= number <= total:
        raise Http404("The quiz has no question with this number.")
    problem = progress.problems_for_display([attempt.problem_order[number - 1]])[0]
    answers = progress.attempt_answers(attempt=attempt)
    if request.method == "POST":
        done = _answer_in_attempt(request, attempt, problem, number)
        if done is not None:
            return done
    answer = answers.get(problem.pk)
    occurrence = occurrence_for(user=request.user, problem=problem, attempt=attempt)
    problem = problem_for_occurrence(problem, occurrence)  # a parameterised problem's numbers
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "problem": problem,
        # the attempt's order for this learner: the same on every visit of the question
        "choices": choices_in_order(
            problem=problem, order=choice_order(problem=problem, occurrence=occurrence)
        ),
        "occurrence": occurrence.key,
        "number": number,
        "total": total,
        "numbers": [
            {"n": n, "answered": pid in answers, "flagged": pid in attempt.flagged}
            for n, pid in enumerate(attempt.problem_order, 1)
        ],
        "flagged": problem.pk in attempt.flagged,
        "elapsed_minutes": int((timezone.now() - attempt.started_at).total_seconds() // 60),
        "answered_count": len(answers),
        "given_keys": _as_keys(answer.response) if answer else [],
        "given": answer.response if answer else "",
        "is_last": number == total,
        "now": timezone.now(),
    }
    return render(request, "frontend/attempt_question.html", context)


def _answer_in_attempt(request, attempt: Attempt, problem: Problem, number: int):
    """Handles a posted question; returns a redirect, or None to show the question again."""
    action = request.POST.get("action", "answer")
    timed_out = request.POST.get("timed_out") == "1"
    if action == "flag" and not timed_out:
        # 見直しマーク: toggled on this question; the answer being typed is not sent with it
        try:
            attempt_flag_toggle(attempt=attempt, problem=problem)
        except AnswerFormatError as refused:  # finished a moment ago, in another tab
            messages.error(request, str(refused))
            return redirect("attempt_review", pk=attempt.pk)
        return redirect("attempt_question", pk=attempt.pk, number=number)
    if action == "previous":
        return redirect("attempt_question", pk=attempt.pk, number=max(1, number - 1))
    # "わからない" outside a timed exam: a wrong answer without a guess, then on as an answer
    dont_know = action == "dont_know" and attempt.deadline is None and not problem.is_code
    if dont_know:
        action = "answer"
    response = None if problem.is_code or dont_know else answer_from_post(problem, request.POST)
    confidence = request.POST.get("confidence", "") if attempt.deadline is None else ""
    if problem.is_code and action == "answer":
        # Quizzes do not grade code (its page does): the button only moves on.
        action = "finish" if number == len(attempt.problem_order) else "skip"
    if (response is not None or dont_know) and action in {"answer", "finish"}:
        try:
            answer_create(
                user=request.user,
                problem=problem,
                response=response,
                attempt=attempt,
                dont_know=dont_know,
                confidence=confidence if confidence in CONFIDENCE_LEVELS else "",
                occurrence=request.POST.get("occurrence") or None,
            )
        except (AnswerFormatError, ValidationError) as error:
            messages.error(request, error.messages[0] if hasattr(error, "messages") else str(error))
            if not timed_out:
                return None
    elif action == "answer" and not timed_out:
        messages.error(request, _("Choose or type an answer, or skip this question."))
        return None
    total = len(attempt.problem_order)
    if timed_out or action == "finish" or (action == "answer" and number == total):
        if timed_out:
            messages.warning(request, _("Time is up. Your answers so far were graded."))
        attempt_finish(attempt=attempt)
        return redirect("attempt_review", pk=attempt.pk)
    return redirect("attempt_question", pk=attempt.pk, number=min(number + 1, total))


@login_required
@require_POST
def attempt_leave(request, pk: int):
    """ "Abandon" on the home, section and problem pages (services.attempt_abandon): back where
    the learner was when nothing had been answered, else to the review of what was."""
    try:
        attempt = access_attempt(user=request.user, attempt_id=pk, to_answer=True)
    except Http404:  # a second click, after the first deleted it
        return redirect(_same_site_next(request) or "home")
    title = attempt.quiz.localized_title
    if attempt_abandon(attempt=attempt) is None:
        messages.info(
            request,
            _("You left the quiz “%(quiz)s”. Nothing had been answered, so nothing was recorded.")
            % {"quiz": title},
        )
        return redirect(_same_site_next(request) or "home")
    messages.info(
        request,
        _(
            "You left the quiz “%(quiz)s”: it was finished as it stood. Your answers were "
            "graded; the questions you left blank count as unanswered."
        )
        % {"quiz": title},
    )
    return redirect("attempt_review", pk=attempt.pk)


def _same_site_next(request) -> str:
    """A same-site path the form gave in `next`, or ''."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if target.startswith("/") and allowed else ""


@login_required
@require_POST
def attempt_end(request, pk: int):
    attempt = access_attempt(user=request.user, attempt_id=pk, to_answer=True)
    attempt_finish(attempt=attempt)
    return redirect("attempt_review", pk=attempt.pk)


@login_required
def attempt_review(request, pk: int):
    attempt = access_attempt(user=request.user, attempt_id=pk)
    if attempt.finished_at is None:
        if not _expired(attempt):
            return redirect("attempt_question", pk=attempt.pk, number=1)
        attempt_finish(attempt=attempt)
    answers = progress.attempt_answers(attempt=attempt)
    problems = progress.problems_for_display(attempt.problem_order)
    # A code problem's explanation holds the model solution: only a learner who solved it sees it.
    code_ids = [problem.pk for problem in problems if problem.is_code]
    solved_code_ids = set(
        Submission.objects.filter(
            user=attempt.user, problem_id__in=code_ids, verdict=Verdict.AC, visible_only=False
        ).values_list("problem_id", flat=True)
    )
    items = []
    for number, problem in enumerate(problems, 1):
        answer = answers.get(problem.pk)
        # the variant the learner saw: stored with the answer, or the attempt's draw
        if answer is not None:
            problem = problem_as_answered(problem, answer)
        else:
            problem = problem_for_learner(problem, user=attempt.user, attempt=attempt)
        # what the learner saw: the recorded order, or the attempt's for a question left open
        order = recorded_choice_order(answer)
        if order is None and problem.kind in CHOICE_KINDS:
            occurrence = occurrence_for(user=attempt.user, problem=problem, attempt=attempt)
            order = choice_order(problem=problem, occurrence=occurrence)
        items.append(
            {
                "number": number,
                "problem": problem,
                "answer": answer,
                "choices": choices_in_order(problem=problem, order=order),
                "show_explanation": not problem.is_code or problem.pk in solved_code_ids,
                "given": given_answer_text(problem, answer.response, order=order) if answer else "",
                "given_keys": _as_keys(answer.response) if answer else [],
                "correct_answer": correct_answer_text(problem, order=order),
            }
        )
    percent = round(100 * attempt.score / attempt.max_score) if attempt.max_score else 0
    for item in items:
        item["flagged"] = item["problem"].pk in attempt.flagged
        item["wrong"] = not (item["answer"] and item["answer"].is_correct)
    # ?show=wrong / ?show=flagged: only those questions (their numbers stay the exam's)
    show = request.GET.get("show") if request.GET.get("show") in ("wrong", "flagged") else "all"
    wrong_count = sum(item["wrong"] for item in items)
    flagged_count = sum(item["flagged"] for item in items)
    by_section = progress.attempt_section_scores(items=items)
    shown = [item for item in items if show == "all" or item[show]]
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "items": shown,
        "percent": percent,
        "show": show,
        "wrong_count": wrong_count,
        "flagged_count": flagged_count,
        "by_section": by_section,
        "ready": percent >= attempt.quiz.pass_percent,
        "previous": progress.attempt_history(attempt=attempt),
    }
    return render(request, "frontend/attempt_review.html", context)


# Submissions and progress ----------------------------------------------------------------

VERDICT_FILTERS = [*Verdict.values, SubmissionStatus.QUEUED, SubmissionStatus.RUNNING]


@login_required
def my_submissions(request):
    verdict = request.GET.get("verdict", "")
    if verdict not in VERDICT_FILTERS:
        verdict = ""
    page = Paginator(progress.submission_history(user=request.user, verdict=verdict), 50)
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
    course = progress.course_current()
    sections = progress.section_progress_list(user=request.user, course=course) if course else []
    context = {
        "course": course,
        "sections": sections,
        "totals": progress.totals_for_user(user=request.user),
        "history": progress.score_history(user=request.user),
        "attempts": progress.attempt_list_for_user(user=request.user, limit=10),
        "solved": sum(item.solved for item in sections),
        "problem_count": sum(item.problem_count for item in sections),
        **dashboard_study_context(request.user),
    }
    for item in sections:
        item.study = context["study_sections"].get(item.section.slug)
    return render(request, "frontend/dashboard.html", context)


# Accounts and errors ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and (wait := throttle_wait(SignupThrottle, request)) is not None:
        message = _(
            "Too many accounts were created from your address. Wait %(minutes)d minutes "
            "and try again."
        ) % {"minutes": max(1, round(wait / 60))}
        messages.error(request, message)
        return render(request, "registration/signup.html", {"form": form}, status=429)
    if request.method != "POST":
        return render(request, "registration/signup.html", {"form": form})
    if form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # Another request took the username after this one was validated (a double-click).
            form.username_taken()
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("home")
    status = 409 if form.has_error("username", code="unique") else 400
    return render(request, "registration/signup.html", {"form": form}, status=status)


def bad_request(request, exception=None):
    """Django's 400 (BadRequest, RequestDataTooBig, TooManyFieldsSent...). It never reads
    request.POST again, whose parsing is what failed, nor renders templates that might."""
    from django.core.exceptions import RequestDataTooBig

    from quizsite.middleware import refusal_response
    from quizsite.parsers import message

    language = get_language_from_request(request)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return refusal_response(request, 413, message("too_large", language, limit=limit))
    return refusal_response(request, 400, message("bad_request", language))


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


_BARE_500 = (
    '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
    "<title>エラーが発生しました / Something went wrong</title></head><body>"
    "<h1>エラーが発生しました / Something went wrong</h1>"
    "<p>しばらくしてからもう一度お試しください。 / Please try again in a moment.</p></body></html>"
)


def server_error(request):
    # Rendered without the request: its context processors may touch what just failed. If even
    # the template fails (a static file missing from the manifest), a bare page still answers.
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # noqa: BLE001 - the error page must never raise
        return HttpResponseServerError(_BARE_500)


def healthz(request):
    """For load balancers and compose health checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
