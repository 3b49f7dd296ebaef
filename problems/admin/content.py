"""Admin for the curriculum: courses, sections, problems (validate, publish, preview,
report), versions and quizzes."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..access import access_problem_in_admin
from ..content.exporter import export_zip
from ..content.loader import problem_version_sync
from ..models import (
    AcceptedAnswer,
    Choice,
    CodeSpec,
    Course,
    Problem,
    ProblemKind,
    ProblemVersion,
    Quiz,
    QuizItem,
    Section,
    Submission,
)
from ..selectors.authoring import problem_report, validation_is_running
from ..services.authoring import (
    problem_publish_if_proven,
    problem_unpublish,
    problem_version_validation_start,
    submissions_regrade,
)
from .forms import CodeSpecForm, ProblemForm
from .progress import validation_progress_view, version_progress, version_progress_cell


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "slug", "title_ja", "title_en"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_ja", "title_en", "updated_at"]
    inlines = [SectionInline]
    actions = ["export_pack"]

    def has_export_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("problems.view_codespec")  # packs hold references

    @admin.action(description="Export as a content pack (zip)", permissions=["export"])
    def export_pack(self, request, queryset):
        course = queryset.first()
        response = HttpResponse(export_zip(course=course), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{course.slug}-content.zip"'
        return response


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["order", "slug", "title_ja", "title_en", "course"]
    list_display_links = ["slug"]
    list_filter = ["course"]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "key", "text_ja", "text_en", "is_correct", "feedback_ja", "feedback_en"]
    # Seven columns in a row: texts and feedback as small boxes, not 10-row textareas.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 28})}
    }


class AcceptedAnswerInline(admin.TabularInline):
    model = AcceptedAnswer
    extra = 0
    verbose_name = "accepted answer (compared after NFKC, case and spaces)"


class CodeSpecInline(admin.StackedInline):
    """References, hidden tests and mutants: only for users allowed to view code specs."""

    model = CodeSpec
    form = CodeSpecForm
    extra = 0
    max_num = 1
    can_delete = False


class NewCodeSpecInline(CodeSpecInline):
    extra = 1


class ProblemVersionInline(admin.TabularInline):
    model = ProblemVersion
    extra = 0
    can_delete = False
    fields = [
        "number",
        "created_at",
        "validated_at",
        "validation_state",
        "submission_count",
        "view_link",
    ]
    readonly_fields = fields
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="validation")
    def validation_state(self, version):
        return validation_state_cell(version)

    @admin.display(description="submissions")
    def submission_count(self, version):
        return version.submissions.count()

    @admin.display(description="")
    def view_link(self, version):
        url = reverse("admin:problems_problemversion_change", args=[version.pk])
        return format_html('<a href="{}">read</a>', url)


def validation_state_cell(version: ProblemVersion) -> str:
    """A version list's cell: its validation's outcome, or a small live bar while it runs."""
    return render_to_string(
        "admin/problems/validation_progress_compact.html",
        {"progress": version_progress_cell(version)},
    )


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    form = ProblemForm
    list_display = [
        "slug",
        "kind",
        "section",
        "order",
        "points",
        "is_published",
        "status_badge",
        "updated_at",
    ]
    list_filter = ["section", "kind", "is_published"]
    search_fields = ["slug", "title_ja", "title_en", "statement_ja", "statement_en"]
    list_select_related = ["section"]
    inlines = [ChoiceInline, AcceptedAnswerInline, CodeSpecInline, ProblemVersionInline]
    actions = [
        "validate_selected",
        "publish_selected",
        "unpublish_selected",
        "regrade_selected",
        "export_selected",
    ]
    change_form_template = "admin/problems/problem/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "section",
                    "slug",
                    "kind",
                    "order",
                    "points",
                    "tags",
                    "source",
                    "is_published",
                    "fixed_order",
                ]
            },
        ),
        ("Title (日本語 | English)", {"fields": [("title_ja", "title_en")]}),
        ("Statement (日本語 | English)", {"fields": [("statement_ja", "statement_en"), "diagram"]}),
        ("Explanation (日本語 | English)", {"fields": [("explanation_ja", "explanation_en")]}),
        ("Hints, from a nudge to nearly the answer", {"fields": ["hints"]}),
        (
            "Numeric answer",
            {
                "classes": ["collapse"],
                "fields": [("numeric_answer", "numeric_tolerance", "numeric_unit")],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_validated=Count("versions", filter=Q(versions__validated_at__isnull=False)))
        )

    @admin.display(description="proven")
    def status_badge(self, problem):
        if problem.kind != ProblemKind.CODE:
            return "—"
        return "✔ validated" if problem._validated else "✘ not validated"

    def get_inlines(self, request, obj):
        if (
            obj is None
        ):  # the kind is not chosen yet: offer every kind's parts, unused ones are ignored
            return [ChoiceInline, AcceptedAnswerInline, NewCodeSpecInline]
        inlines = {
            ProblemKind.SINGLE_CHOICE: [ChoiceInline],
            ProblemKind.MULTIPLE_CHOICE: [ChoiceInline],
            ProblemKind.TEXT: [AcceptedAnswerInline],
            ProblemKind.NUMERIC: [],
            ProblemKind.CODE: [CodeSpecInline],
        }[obj.kind]
        return [*inlines, ProblemVersionInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The latest version's validation, live while it runs (for those who may read specs:
        the progress names the mutants)."""
        problem = Problem.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        version = problem.versions.order_by("-number").first() if problem else None
        extra_context = dict(extra_context or {})
        if problem is not None and problem.is_code and version is not None:
            if self.has_code_spec_permission(request):
                extra_context["validation_progress"] = version_progress(version)
            extra_context["can_validate"] = self.has_validate_permission(request, problem)
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        """ "Save and validate": the saved version's validation starts, and the change page
        shows it running."""
        if (
            "_validate" in request.POST
            and obj.is_code
            and self.has_validate_permission(request, obj)
        ):
            version = obj.versions.order_by("-number").first()
            problem_version_validation_start(version=version)
            self.log_change(request, obj, f"Validation of v{version.number} started")
            self.message_user(
                request,
                _("Saved; the validation of v%(number)s is running (its progress is below).")
                % {"number": version.number},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:problems_problem_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        problem = form.instance
        if problem.kind == ProblemKind.CODE and not hasattr(problem, "code_spec"):
            return
        version, created = problem_version_sync(problem)
        if created and version.number > 1 and problem.kind == ProblemKind.CODE:
            self.message_user(
                request,
                f"Saved as version {version.number}. Learners still see, and are graded "
                "against, the last validated version until this one validates; “Preview” "
                "shows this one.",
                messages.WARNING,
            )

    # -- custom views ------------------------------------------------------------------------

    def get_urls(self):
        custom = [
            path(
                "<int:pk>/validate/",
                self.admin_site.admin_view(self.validate_view),
                name="problems_problem_validate",
            ),
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="problems_problem_publish",
            ),
            path(
                "<int:pk>/report/",
                self.admin_site.admin_view(self.report_view),
                name="problems_problem_report",
            ),
            path(
                "preview-markup/",
                self.admin_site.admin_view(self.preview_markup_view),
                name="problems_problem_preview_markup",
            ),
        ]
        return custom + super().get_urls()

    def has_code_spec_permission(self, request, obj=None) -> bool:
        """References, mutants and hidden tests: for authors (and superusers) only."""
        return request.user.has_perm("problems.view_codespec")

    def has_validate_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj) and self.has_code_spec_permission(request)

    def has_export_permission(self, request, obj=None) -> bool:
        return self.has_code_spec_permission(request)

    def has_regrade_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("problems.add_regradebatch")

    def validate_view(self, request, pk: int):
        """GET shows the last validation of the current version; POST runs it (it decides
        which version grades learners, so it is a state change)."""
        problem = access_problem_in_admin(
            model_admin=self, request=request, pk=pk, change=True, code_spec=True
        )
        version = problem.versions.order_by("-number").first()
        if request.method == "POST" and problem.is_code and version is not None:
            problem_version_validation_start(version=version)
            self.log_change(request, problem, f"Validation of v{version.number} started")
            return HttpResponseRedirect(reverse("admin:problems_problem_validate", args=[pk]))
        if version is not None:
            version.refresh_from_db(fields=["validation", "validated_at"])
        running = validation_is_running(version)
        report = None
        if problem.is_code and version is not None and not running:
            report = version.validation or None
        runs = (report or {}).get("runs", [])
        test_names = [test["name"] for test in (runs[0]["tests"] if runs else [])]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": problem,
            "problem": problem,
            "version": version,
            "report": report,
            "running": running,
            "test_names": test_names,
            "rows": _validation_rows(runs, test_names),
            "validation_progress": version_progress(version) if running else None,
            "title": f"Validate {problem.slug} v{version.number if version else '?'}",
        }
        return TemplateResponse(request, "admin/problems/problem/validate.html", context)

    def publish_view(self, request, pk: int):
        problem = access_problem_in_admin(model_admin=self, request=request, pk=pk, change=True)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:problems_problem_change", args=[pk]))
        self._publish(request, [problem])
        return HttpResponseRedirect(reverse("admin:problems_problem_change", args=[pk]))

    def preview_markup_view(self, request):
        """Render an author's text exactly as learners see it (math is then rendered by KaTeX)."""
        text = request.POST.get("text", "")
        return TemplateResponse(
            request, "admin/problems/problem/preview_markup.html", {"text": text}
        )

    def report_view(self, request, pk: int):
        problem = access_problem_in_admin(model_admin=self, request=request, pk=pk, change=False)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": problem,
            "report": problem_report(problem=problem),
            "title": f"Report: {problem.slug}",
        }
        return TemplateResponse(request, "admin/problems/problem/report.html", context)

    # -- actions -----------------------------------------------------------------------------

    @admin.action(
        description="Validate selected code problems (reference + mutants)",
        permissions=["validate"],
    )
    def validate_selected(self, request, queryset):
        for problem in queryset.filter(kind=ProblemKind.CODE):
            version = problem.versions.order_by("-number").first()
            problem_version_validation_start(version=version)
            self.log_change(request, problem, f"Validation of v{version.number} started")
        self.message_user(
            request,
            "Validation started; each problem's Validate page shows its report when it is done.",
        )

    @admin.action(
        description="Publish selected (code problems must be validated)", permissions=["change"]
    )
    def publish_selected(self, request, queryset):
        self._publish(request, list(queryset))

    def _publish(self, request, problems) -> None:
        for problem in problems:
            if problem_publish_if_proven(problem=problem):
                self.log_change(request, problem, "Published")
                self.message_user(request, f"{problem.slug} is published.", messages.SUCCESS)
            else:
                self.message_user(
                    request,
                    f"{problem.slug} was not published: validate it first (its reference must get "
                    "full marks and every mutant must be rejected).",
                    messages.ERROR,
                )

    @admin.action(description="Unpublish selected", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        for problem in queryset:
            problem_unpublish(problem=problem)
            self.log_change(request, problem, "Unpublished")

    @admin.action(
        description="Regrade all submissions of selected problems", permissions=["regrade"]
    )
    def regrade_selected(self, request, queryset):
        return start_regrade(
            self,
            request,
            Submission.objects.filter(problem__in=queryset),
            f"Regrade of {', '.join(p.slug for p in queryset)}",
        )

    @admin.action(description="Export selected as a content pack (zip)", permissions=["export"])
    def export_selected(self, request, queryset):
        course = queryset.first().section.course
        response = HttpResponse(
            export_zip(course=course, problems=list(queryset)), content_type="application/zip"
        )
        response["Content-Disposition"] = 'attachment; filename="problems-content.zip"'
        return response


def _validation_rows(runs: list[dict], test_names: list[str]) -> list[dict]:
    """One row per test, one cell per run (reference, then each mutant)."""
    rows = []
    for index, name in enumerate(test_names):
        cells = []
        for run in runs:
            test = run["tests"][index] if index < len(run["tests"]) else None
            cells.append(
                {
                    "passed": test and test["passed"],
                    "message": (test or {}).get("message", ""),
                }
            )
        rows.append({"name": name, "cells": cells})
    return rows


def start_regrade(model_admin, request, submissions, description: str):
    batch = submissions_regrade(submissions=submissions, user=request.user, description=description)
    model_admin.message_user(
        request, f"{len(batch.submission_ids)} submission(s) queued for regrading."
    )
    return HttpResponseRedirect(reverse("admin:problems_regradebatch_change", args=[batch.pk]))


@admin.register(ProblemVersion)
class ProblemVersionAdmin(admin.ModelAdmin):
    list_display = ["problem", "number", "created_at", "validated_at", "validation_state"]
    list_select_related = ["problem"]
    list_filter = ["problem__section"]
    readonly_fields = [
        "problem",
        "number",
        "snapshot",
        "content_hash",
        "created_at",
        "validated_at",
        "validation",
    ]
    actions = ["regrade_version"]

    def get_urls(self):
        custom = [
            path(
                "<int:pk>/progress/",
                validation_progress_view,  # a JSON endpoint: 403 for non-authors, not a login page
                name="problems_problemversion_progress",
            ),
        ]
        return custom + super().get_urls()

    @admin.display(description="validation")
    def validation_state(self, version):
        return validation_state_cell(version)

    def has_view_permission(self, request, obj=None) -> bool:
        # A snapshot holds the whole spec: references, mutants, hidden tests.
        return super().has_view_permission(request, obj) and request.user.has_perm(
            "problems.view_codespec"
        )

    def has_regrade_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("problems.add_regradebatch")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(
        description="Regrade submissions graded against the selected versions",
        permissions=["regrade"],
    )
    def regrade_version(self, request, queryset):
        versions = ", ".join(str(v) for v in queryset)
        return start_regrade(
            self,
            request,
            Submission.objects.filter(problem_version__in=queryset),
            f"Regrade of {versions}",
        )


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    extra = 0
    autocomplete_fields = ["problem"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_ja", "title_en", "time_limit_minutes", "shuffle"]
    inlines = [QuizItemInline]
