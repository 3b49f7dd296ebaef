"""Read-only views of cards and review logs: evidence, never edited by hand."""

from django.contrib import admin

from .models import Card, ReviewLog


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Card)
class CardAdmin(ReadOnly):
    list_display = ["user", "problem", "state", "due_at", "reps", "lapses", "is_leech"]
    list_filter = ["state", "is_leech"]
    search_fields = ["user__username", "problem__slug"]
    list_select_related = ["user", "problem"]


@admin.register(ReviewLog)
class ReviewLogAdmin(ReadOnly):
    list_display = ["reviewed_at", "user", "problem", "source", "correct", "rating", "hints_used"]
    list_filter = ["source", "rating", "correct", "first_review"]
    search_fields = ["user__username", "problem__slug"]
    list_select_related = ["user", "problem"]
