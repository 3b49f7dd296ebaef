from django.contrib import admin

from .models import (
    AcceptedAnswer,
    Answer,
    Attempt,
    Choice,
    CodeSpec,
    Course,
    Problem,
    ProblemVersion,
    Quiz,
    QuizItem,
    Section,
    Submission,
)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "slug", "title_ja", "title_en"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_ja", "title_en", "updated_at"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["order", "slug", "title_ja", "title_en", "course"]
    list_display_links = ["slug"]
    list_filter = ["course"]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "key", "text_ja", "text_en", "is_correct"]


class AcceptedAnswerInline(admin.TabularInline):
    model = AcceptedAnswer
    extra = 0


class CodeSpecInline(admin.StackedInline):
    model = CodeSpec
    extra = 0
    can_delete = False


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["slug", "kind", "section", "order", "points", "is_published", "updated_at"]
    list_filter = ["section", "kind", "is_published"]
    search_fields = ["slug", "title_ja", "title_en", "statement_ja", "statement_en"]
    list_select_related = ["section"]
    inlines = [ChoiceInline, AcceptedAnswerInline, CodeSpecInline]
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
                ]
            },
        ),
        ("Title", {"fields": [("title_ja", "title_en")]}),
        ("Statement", {"fields": [("statement_ja", "statement_en"), "diagram"]}),
        ("Explanation", {"fields": [("explanation_ja", "explanation_en")]}),
        ("Numeric answer", {"fields": [("numeric_answer", "numeric_tolerance", "numeric_unit")]}),
    ]


@admin.register(ProblemVersion)
class ProblemVersionAdmin(admin.ModelAdmin):
    list_display = ["problem", "number", "created_at", "validated_at"]
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


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    extra = 0
    autocomplete_fields = ["problem"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_ja", "title_en", "time_limit_minutes", "shuffle"]
    inlines = [QuizItemInline]


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


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "problem",
        "status",
        "verdict",
        "score",
        "max_score",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "verdict", "problem__section"]
    list_select_related = ["user", "problem"]
    readonly_fields = ["created_at", "started_at", "finished_at", "updated_at"]
