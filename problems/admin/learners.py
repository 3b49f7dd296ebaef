"""Admin for what learners did: attempts, answers, submissions and their regrades."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from ..access import access_regrade_batch, can_read_learner_work
from ..models import (
    Answer,
    Attempt,
    GradingRecord,
    RegradeBatch,
    Submission,
)
from ..selectors.authoring import regrade_batch_progress
from .content import start_regrade


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "quiz", "started_at", "finished_at", "score", "max_score"]
    list_filter = ["quiz"]
    list_select_related = ["user", "quiz"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["user", "problem", "is_correct", "score", "created_at"]
    list_filter = ["is_correct", "problem__section"]
    list_select_related = ["user", "problem"]


class GradingRecordInline(admin.TabularInline):
    model = GradingRecord
    extra = 0
    can_delete = False
    fields = [
        "problem_version",
        "verdict",
        "score",
        "max_score",
        "graded_at",
        "superseded_at",
        "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "problem",
        "version_number",
        "status",
        "verdict",
        "score",
        "max_score",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "verdict", "problem__section", "visible_only"]
    list_select_related = ["user", "problem", "problem_version"]
    search_fields = ["user__username", "problem__slug"]
    readonly_fields = [
        "user",
        "problem",
        "problem_version",
        "code",
        "visible_only",
        "status",
        "verdict",
        "score",
        "max_score",
        "tests",
        "stdout",
        "stderr",
        "message",
        "attempts",
        "lease_expires_at",
        "created_at",
        "started_at",
        "finished_at",
        "updated_at",
    ]
    # What the learner wrote and what their code printed: for reviewers and superusers only.
    learner_work_fields = ["code", "tests", "stdout", "stderr", "message"]
    inlines = [GradingRecordInline]
    actions = ["regrade"]

    def has_add_permission(self, request):
        return False

    def get_fields(self, request, obj=None):
        if can_read_learner_work(request.user):
            return self.readonly_fields
        return [name for name in self.readonly_fields if name not in self.learner_work_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="version", ordering="problem_version__number")
    def version_number(self, submission):
        return f"v{submission.problem_version.number}"

    def has_regrade_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("problems.add_regradebatch")

    @admin.action(description="Regrade selected submissions", permissions=["regrade"])
    def regrade(self, request, queryset):
        return start_regrade(
            self, request, queryset, f"Regrade of {queryset.count()} selected submission(s)"
        )


@admin.register(RegradeBatch)
class RegradeBatchAdmin(admin.ModelAdmin):
    list_display = ["description", "created_by", "created_at", "progress"]
    readonly_fields = ["description", "created_by", "created_at", "progress_detail"]
    fields = readonly_fields
    change_form_template = "admin/problems/regradebatch/change_form.html"

    def has_add_permission(self, request):
        return False

    @admin.display(description="progress")
    def progress(self, batch):
        state = regrade_batch_progress(batch=batch)
        return f"{state.finished}/{state.total}"

    @admin.display(description="progress")
    def progress_detail(self, batch):
        state = regrade_batch_progress(batch=batch)
        verdicts = ", ".join(f"{v}: {n}" for v, n in sorted(state.verdicts.items())) or "none yet"
        return format_html(
            '<progress max="{}" value="{}"></progress> {}/{} finished ({}%). Verdicts: {}',
            state.total,
            state.finished,
            state.finished,
            state.total,
            state.percent,
            verdicts,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = access_regrade_batch(model_admin=self, request=request, pk=object_id)
        state = regrade_batch_progress(batch=batch)
        extra_context = {**(extra_context or {}), "refresh": state.finished < state.total}
        return super().change_view(request, object_id, form_url, extra_context)
