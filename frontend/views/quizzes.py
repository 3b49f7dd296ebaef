"""A quiz: its page, an attempt question by question (the moves are `frontend.quiz_flow`'s), its
review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from problems.access import access_attempt
from problems.answers import AnswerFormatError
from problems.models import CHOICE_KINDS, Attempt, Problem, Submission, Verdict
from problems.parameterised import problem_as_answered, problem_for_learner, problem_for_occurrence
from problems.selectors.attempts import (
    attempt_answers,
    attempt_history,
    attempt_list_for_user,
    attempt_section_scores,
    attempts_open,
)
from problems.selectors.content import (
    problems_for_display,
    quiz_get,
)
from problems.services.answers import CONFIDENCE_LEVELS, answer_create
from problems.services.attempts import (
    attempt_abandon,
    attempt_finish,
    attempt_flag_toggle,
    attempt_is_open,
    attempt_start,
)
from problems.variants import choice_order, choices_in_order, occurrence_for, recorded_choice_order

from ..answer_text import as_keys, correct_answer_text, given_answer_text
from ..forms import answer_from_post
from ..quiz_flow import Then, quiz_step


def quiz_detail(request, slug: str):
    quiz = quiz_get(slug=slug)
    attempts = []
    if request.user.is_authenticated:
        attempts = attempt_list_for_user(user=request.user, quiz=quiz)
    # The quiz's attempt in progress, resumed at its first unanswered question.
    open_attempt = next(
        (item for item in attempts_open(user=request.user) if item.attempt.quiz_id == quiz.pk),
        None,
    )
    context = {"quiz": quiz, "attempts": attempts, "open_attempt": open_attempt}
    return render(request, "frontend/quiz.html", context)


@login_required
@require_POST
def quiz_start(request, slug: str):
    quiz = quiz_get(slug=slug)
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
    problem = problems_for_display([attempt.problem_order[number - 1]])[0]
    answers = attempt_answers(attempt=attempt)
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
        "given_keys": as_keys(answer.response) if answer else [],
        "given": answer.response if answer else "",
        "is_last": number == total,
        "now": timezone.now(),
    }
    return render(request, "frontend/attempt_question.html", context)


def _answer_in_attempt(request, attempt: Attempt, problem: Problem, number: int):
    """Does what the posted question asks (`frontend.quiz_flow`); returns a redirect, or None to
    show the question again."""
    total = len(attempt.problem_order)
    step = quiz_step(
        action=request.POST.get("action", "answer"),
        timed_out=request.POST.get("timed_out") == "1",
        is_code=problem.is_code,
        timed=attempt.deadline is not None,
        last=number == total,
    )
    if step.then is Then.FLAG:
        # 見直しマーク: toggled on this question; the answer being typed is not sent with it
        try:
            attempt_flag_toggle(attempt=attempt, problem=problem)
        except AnswerFormatError as refused:  # finished a moment ago, in another tab
            messages.error(request, str(refused))
            return redirect("attempt_review", pk=attempt.pk)
        return redirect("attempt_question", pk=attempt.pk, number=number)
    if step.then is Then.PREVIOUS:
        return redirect("attempt_question", pk=attempt.pk, number=max(1, number - 1))
    response = None
    if not (problem.is_code or step.dont_know):
        response = answer_from_post(problem, request.POST)
    confidence = request.POST.get("confidence", "") if attempt.deadline is None else ""
    if step.records and (response is not None or step.dont_know):
        try:
            answer_create(
                user=request.user,
                problem=problem,
                response=response,
                attempt=attempt,
                dont_know=step.dont_know,
                confidence=confidence if confidence in CONFIDENCE_LEVELS else "",
                occurrence=request.POST.get("occurrence") or None,
            )
        except (AnswerFormatError, ValidationError) as error:
            messages.error(request, error.messages[0] if hasattr(error, "messages") else str(error))
            if not step.timed_out:
                return None
    elif step.needs_answer:
        messages.error(request, _("Choose or type an answer, or skip this question."))
        return None
    if step.then is Then.FINISH:
        if step.timed_out:
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
    answers = attempt_answers(attempt=attempt)
    problems = problems_for_display(attempt.problem_order)
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
                "given_keys": as_keys(answer.response) if answer else [],
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
    by_section = attempt_section_scores(items=items)
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
        "previous": attempt_history(attempt=attempt),
    }
    return render(request, "frontend/attempt_review.html", context)
