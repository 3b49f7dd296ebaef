"""Read-only views of cards and review logs: evidence, never edited by hand."""

from django.contrib import admin
from django.db.models import Avg, Count, OuterRef, Q, Subquery, Sum

from problems.access import can_read_learner_work

from .models import Card, ProblemReadiness, ReviewLog


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LearnerData(ReadOnly):
    """A learner's cards and reviews are learner data: reading them takes the same explicit
    permission as their code (problems.view_learner_work), not only the model's view one."""

    def has_view_permission(self, request, obj=None):
        return can_read_learner_work(request.user) and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return can_read_learner_work(request.user) and super().has_module_permission(request)


@admin.register(Card)
class CardAdmin(LearnerData):
    list_display = ["user", "problem", "state", "due_at", "reps", "lapses", "is_leech"]
    list_filter = ["state", "is_leech"]
    search_fields = ["user__username", "problem__slug"]
    list_select_related = ["user", "problem"]


@admin.register(ReviewLog)
class ReviewLogAdmin(LearnerData):
    list_display = ["reviewed_at", "user", "problem", "source", "correct", "rating", "hints_used"]
    list_filter = ["source", "rating", "correct", "first_review"]
    search_fields = ["user__username", "problem__slug"]
    list_select_related = ["user", "problem"]


@admin.register(ProblemReadiness)
class ProblemReadinessAdmin(ReadOnly):
    """For authors: per problem, first-try accuracy, hints used and lapses across learners."""

    list_display = [
        "slug",
        "kind",
        "learners",
        "first_try_accuracy",
        "mean_hints",
        "lapse_count",
        "leech_count",
    ]
    list_filter = ["section", "kind"]
    search_fields = ["slug", "title_ja", "title_en"]
    ordering = ["section__order", "order", "slug"]

    def get_queryset(self, request):
        first = ReviewLog.objects.filter(problem=OuterRef("pk"), first_review=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                _learners=Count(
                    "cards", filter=Q(cards__introduced_at__isnull=False), distinct=True
                ),
                _first_right=Subquery(
                    first.filter(correct=True).values("problem").annotate(n=Count("pk")).values("n")
                ),
                _first_all=Subquery(first.values("problem").annotate(n=Count("pk")).values("n")),
                _lapses=Sum("cards__lapses"),
                _leeches=Count("cards", filter=Q(cards__is_leech=True), distinct=True),
                _hints=Subquery(
                    ReviewLog.objects.filter(problem=OuterRef("pk"))
                    .values("problem")
                    .annotate(mean=Avg("hints_used"))
                    .values("mean")
                ),
            )
        )

    @admin.display(description="learners", ordering="_learners")
    def learners(self, obj) -> int:
        return obj._learners

    @admin.display(description="first try right")
    def first_try_accuracy(self, obj) -> str:
        if not obj._first_all:
            return "—"
        return f"{obj._first_right or 0}/{obj._first_all} ({100 * (obj._first_right or 0) / obj._first_all:.0f} %)"

    @admin.display(description="mean hints per review")
    def mean_hints(self, obj) -> str:
        return "—" if obj._hints is None else f"{obj._hints:.2f}"

    @admin.display(description="lapses", ordering="_lapses")
    def lapse_count(self, obj) -> int:
        return obj._lapses or 0

    @admin.display(description="leeches", ordering="_leeches")
    def leech_count(self, obj) -> int:
        return obj._leeches
