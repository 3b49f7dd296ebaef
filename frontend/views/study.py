"""Pages of the learning loop: today's review, hints, the mistake notebook, 学習する.

Reads go through `study.selectors`, writes through `study.services` (docs/learning.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from problems.models import Problem
from problems.selectors.content import (
    course_current,
    problem_get_published,
    problem_list_published,
    problem_model_solution,
    section_get,
)
from problems.selectors.progress import SOLVED, problem_states_for_user
from study import selectors as study
from study.models import HintUse
from study.services import (
    GIVE_UP_AFTER_FAILURES,
    Refused,
    bookmark_toggle,
    cards_add,
    failed_submissions,
    give_up,
    has_given_up,
    hint_open,
    new_cards_per_day_set,
    preferences_for,
)

REASON_LABELS = {
    "leech": gettext_lazy("Keeps slipping: read the explanation first"),
    "mistake": gettext_lazy("Answered wrong last time"),
    "scheduled": gettext_lazy("Scheduled review"),
    "new": gettext_lazy("New"),
}


def problem_study_context(request, problem: Problem) -> dict:
    """What the problem page shows of the learning loop: hints read, the bookmark, the card."""
    if not request.user.is_authenticated:
        return {"hint_count": len(problem.hints)}
    shown = sorted(
        HintUse.objects.filter(user=request.user, problem=problem, counted=False).values_list(
            "n", flat=True
        )
    )
    return {
        "hint_count": len(problem.hints),
        "hints_shown": [(n, problem.hint_text(n)) for n in shown],
        "next_hint": (shown[-1] if shown else 0) + 1,
        "bookmarked": problem.pk in study.bookmarked_problem_ids(user=request.user),
        "next_due_at": study.card_next_due(user=request.user, problem=problem),
        # a leech in review shows its explanation first, never while a quiz holds the problem
        "is_leech": request.GET.get("review") == "1"
        and problem.pk not in study.problems_in_open_attempts(request.user)
        and study.card_is_leech(user=request.user, problem=problem),
        "in_review": request.GET.get("review") == "1",
    }


def _back_to(request, problem: Problem, anchor: str = "") -> str:
    """The problem page, keeping the review flag; or a same-site `next` the form gave."""
    target = request.POST.get("next", "")
    # A path only: redirect() takes any other string for the name of a view to reverse.
    same_site = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    if target.startswith("/") and same_site:
        return target
    url = reverse("problem", args=[problem.slug])
    if request.POST.get("review") == "1":
        url += "?review=1"
    return url + anchor


@login_required
@require_POST
def hint_next(request, slug: str):
    problem = problem_get_published(slug=slug, with_content=False)
    try:
        n = int(request.POST.get("n", "1"))
        hint_open(user=request.user, problem=problem, n=n)
    except ValueError:
        messages.error(request, _("Ask for the hints with the button on the page."))
    except Refused as refused:
        messages.error(request, str(refused))
    return redirect(_back_to(request, problem, "#hints"))


def code_study_context(request, problem: Problem, *, solved: bool) -> dict:
    """The code page's 解答を見る: offered after three failed submissions; once used (or once
    solved) the model solution is shown with the explanation."""
    if not request.user.is_authenticated:
        return {}
    gave_up = has_given_up(user=request.user, problem=problem)
    failed = failed_submissions(user=request.user, problem=problem)
    return {
        "gave_up": gave_up,
        "offer_give_up": not solved and not gave_up and failed >= GIVE_UP_AFTER_FAILURES,
        "model_solution": problem_model_solution(problem=problem) if solved or gave_up else "",
    }


@login_required
def explanation_fragment(request, slug: str):
    """The explanation (and model solution) of a code problem, as HTML, once the learner has
    solved it or given up: the page fetches it when the verdict arrives. 404 before that."""
    problem = problem_get_published(slug=slug, with_content=False)
    states = problem_states_for_user(user=request.user, problem_ids=[problem.pk])
    solved = states.get(problem.pk) == SOLVED
    if not problem.is_code or not (solved or has_given_up(user=request.user, problem=problem)):
        raise Http404("Solve the problem first.")
    context = {"problem": problem, **code_study_context(request, problem, solved=solved)}
    return render(request, "frontend/_explanation_fragment.html", context)


@login_required
@require_POST
def show_solution(request, slug: str):
    problem = problem_get_published(slug=slug, with_content=False)
    try:
        give_up(user=request.user, problem=problem)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect(_back_to(request, problem))
    messages.info(
        request, _("Here is the model solution. This problem comes back for review soon.")
    )
    return redirect(_back_to(request, problem, "#solution"))


@login_required
@require_POST
def bookmark(request, slug: str):
    problem = problem_get_published(slug=slug, with_content=False)
    if bookmark_toggle(user=request.user, problem=problem):
        messages.success(request, _("Bookmarked: it is in your notebook."))
    else:
        messages.success(request, _("Bookmark removed."))
    return redirect(_back_to(request, problem))


@login_required
@require_POST
def study_section(request, slug: str):
    """学習する: the section's problems become new cards, served at the daily limit."""
    section = section_get(slug=slug)
    added = cards_add(
        user=request.user, problems=list(problem_list_published().filter(section=section))
    )
    if added:
        messages.success(
            request,
            ngettext(
                "%(n)d problem added to your reviews; new ones come at your daily limit.",
                "%(n)d problems added to your reviews; new ones come at your daily limit.",
                added,
            )
            % {"n": added},
        )
    else:
        messages.info(request, _("Every problem of this section is already in your reviews."))
    return redirect("section", slug=section.slug)


@login_required
def review_today(request):
    queue = study.review_queue(user=request.user)
    problems = Problem.objects.in_bulk([d.problem_id for d in queue])
    items = [
        {"due": d, "problem": problems[d.problem_id], "reason": REASON_LABELS[d.reason]}
        for d in queue
    ]
    context = {
        "items": items,
        "forecast": study.forecast(user=request.user),
        "streak": study.streak(user=request.user),
        "preferences": preferences_for(request.user),
        "new_left": study.new_cards_left_today(request.user),
        "current": "review",
    }
    return render(request, "frontend/review.html", context)


@login_required
def review_next(request):
    """The first problem due (leeches and today's mistakes first), or the review page when done."""
    queue = study.review_queue(user=request.user)
    if not queue:
        messages.success(request, _("Nothing more is due today. Well done!"))
        return redirect("review")
    return redirect(f"{reverse('problem', args=[queue[0].slug])}?review=1")


@login_required
@require_POST
def review_settings(request):
    try:
        value = int(request.POST.get("new_cards_per_day", ""))
        new_cards_per_day_set(user=request.user, value=value)
    except (ValueError, ValidationError):
        messages.error(request, _("New problems a day: give a whole number from 0 to 200."))
    else:
        messages.success(request, _("Saved: up to %(n)d new problems a day.") % {"n": value})
    return redirect("review")


@login_required
def mistakes(request):
    """間違えた問題: problems whose last review was wrong, and bookmarked ones."""
    section = request.GET.get("section", "")[:100]
    tag = request.GET.get("tag", "")[:100]
    cards = study.mistakes(user=request.user, section=section, tag=tag)
    bookmarked = study.bookmarked_problem_ids(user=request.user)
    marked = list(problem_list_published().filter(pk__in=bookmarked).select_related("section"))
    course = course_current()
    context = {
        "cards": cards,
        "bookmarked_problems": marked,
        "bookmarked": bookmarked,
        "section": section,
        "tag": tag,
        "sections": list(course.sections.order_by("order")) if course else [],
        "tags": sorted(
            {t for card in cards for t in card.problem.tags} | ({tag} if tag else set())
        ),
        "current": "mistakes",
    }
    return render(request, "frontend/mistakes.html", context)


def dashboard_study_context(user) -> dict:
    """The dashboard's readiness figures: weak areas, first-try accuracy, forecast, streak."""
    figures, problems = study.progress_with_problems(user=user)
    sections = {p.section.slug: p.section for p in problems.values()}
    weak = [
        {
            **area,
            "retention_percent": round(100 * area["retention"]),
            "title": (
                sections[area["slug"]].localized_title
                if area["kind"] == "section" and area["slug"] in sections
                else area["slug"]
            ),
            "problem_objects": [problems[s] for s in area["problems"] if s in problems][:5],
        }
        for area in figures["weak_areas"]
    ]
    return {
        "study_sections": {row["slug"]: row for row in figures["sections"]},
        "weak_areas": weak,
        "forecast": figures["forecast"],
        "streak": study.streak(user=user),
    }
