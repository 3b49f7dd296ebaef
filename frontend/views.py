"""Server-rendered pages for learners."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from problems.answers import AnswerFormatError, correct_answer_display
from problems.models import Answer, Course, ProblemKind, Section, Submission
from problems.selectors import problem_get_published, problem_list_published
from problems.services import answer_create


def home(request):
    course = Course.objects.first()
    sections = []
    if course is not None:
        published = Q(problems__is_published=True)
        sections = list(
            Section.objects.filter(course=course)
            .annotate(problem_count=Count("problems", filter=published))
            .order_by("order")
        )
        if request.user.is_authenticated:
            solved = _solved_by_section(request.user)
            for section in sections:
                section.solved = solved.get(section.pk, 0)
                section.percent = (
                    round(100 * section.solved / section.problem_count)
                    if section.problem_count
                    else 0
                )
    return render(request, "frontend/home.html", {"course": course, "sections": sections})


def _solved_by_section(user) -> dict[int, int]:
    answered = Answer.objects.filter(user=user, is_correct=True).values_list(
        "problem_id", "problem__section_id"
    )
    accepted = Submission.objects.filter(user=user, verdict="AC", visible_only=False).values_list(
        "problem_id", "problem__section_id"
    )
    solved: dict[int, set[int]] = {}
    for problem_id, section_id in [*answered, *accepted]:
        solved.setdefault(section_id, set()).add(problem_id)
    return {section_id: len(ids) for section_id, ids in solved.items()}


def section_detail(request, slug: str):
    section = get_object_or_404(Section, slug=slug)
    problems = problem_list_published().filter(section=section).order_by("order", "slug")
    return render(request, "frontend/section.html", {"section": section, "problems": problems})


@require_http_methods(["GET", "POST"])
def problem_detail(request, slug: str):
    problem = problem_get_published(slug=slug)
    context = {"problem": problem, "choices": list(problem.choices.all())}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        context.update(_answer_from_form(request, problem))
    return render(request, "frontend/problem.html", context)


def _answer_from_form(request, problem) -> dict:
    if problem.kind == ProblemKind.MULTIPLE_CHOICE:
        response = request.POST.getlist("answer")
    else:
        response = request.POST.get("answer", "")
    try:
        _, outcome = answer_create(user=request.user, problem=problem, response=response)
    except AnswerFormatError as error:
        messages.error(request, str(error))
        return {"given": response}
    return {
        "outcome": outcome,
        "given": response,
        "correct_answer": correct_answer_display(problem),
    }


@require_http_methods(["GET", "POST"])
def signup(request):
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def my_submissions(request):
    return render(request, "frontend/submissions.html", {})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def healthz(request):
    """For load balancers and compose health checks: the database answers."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
