"""OpenAPI annotations for the API views, kept apart from the views (drf-spectacular extensions).

`GET /api/schema/` serves the schema, `GET /api/docs/` Swagger UI from our own static files
(drf-spectacular-sidecar), so the docs need no CDN and fit the Content-Security-Policy.
Every error is `{"detail": "<sentence>"}` (see errors.py).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from .serializers import (
    AnswerRequestSerializer,
    ProblemDetailSerializer,
    SubmissionRequestSerializer,
    SubmissionSerializer,
)

Detail = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
_ERRORS = {code: Detail for code in (400, 401, 403, 404, 409, 413, 415, 429)}

AnswerResult = inline_serializer(
    "AnswerResult",
    fields={
        "id": serializers.IntegerField(),
        "recorded": serializers.BooleanField(required=False),
        "correct": serializers.BooleanField(required=False),
        "score": serializers.FloatField(required=False),
        "max_score": serializers.FloatField(required=False),
        "correct_answer": serializers.JSONField(required=False, allow_null=True),
        "choices": inline_serializer(
            "RevealedChoice",
            fields={
                "key": serializers.CharField(),
                "label": serializers.CharField(help_text="Its number as the learner saw it."),
                "text": serializers.CharField(),
                "correct": serializers.BooleanField(),
                "picked": serializers.BooleanField(),
                "feedback": serializers.CharField(
                    allow_null=True,
                    help_text="Why this choice is wrong (or right), for picked and correct ones.",
                ),
            },
            many=True,
            required=False,
            allow_null=True,
        ),
        "explanation": serializers.CharField(required=False, allow_blank=True),
        "next_due_at": serializers.DateTimeField(required=False, allow_null=True),
    },
)
SubmissionAccepted = inline_serializer(
    "SubmissionAccepted",
    fields={
        "id": serializers.IntegerField(),
        "status": serializers.CharField(),
        "url": serializers.CharField(),
    },
)


class ProblemDetailViewSchema(OpenApiViewExtension):
    target_class = "problems.api.views.ProblemDetailView"

    def view_replacement(self):
        @extend_schema(
            parameters=[
                OpenApiParameter(
                    "attempt",
                    OpenApiTypes.INT,
                    description="your open attempt: the choices in its order, its occurrence",
                )
            ],
            responses={200: ProblemDetailSerializer, 400: Detail, 404: Detail},
        )
        class Fixed(self.target_class):
            pass

        return Fixed


class AnswerCreateViewSchema(OpenApiViewExtension):
    target_class = "problems.api.views.AnswerCreateView"

    def view_replacement(self):
        @extend_schema(request=AnswerRequestSerializer, responses={201: AnswerResult, **_ERRORS})
        class Fixed(self.target_class):
            pass

        return Fixed


class SubmissionCreateViewSchema(OpenApiViewExtension):
    target_class = "problems.api.views.SubmissionCreateView"

    def view_replacement(self):
        @extend_schema(
            request=SubmissionRequestSerializer, responses={202: SubmissionAccepted, **_ERRORS}
        )
        class Fixed(self.target_class):
            pass

        return Fixed


class SubmissionDetailViewSchema(OpenApiViewExtension):
    target_class = "problems.api.views.SubmissionDetailView"

    def view_replacement(self):
        @extend_schema(
            parameters=[
                OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER)
            ],
            responses={200: SubmissionSerializer, 304: None, 401: Detail, 403: Detail, 404: Detail},
        )
        class Fixed(self.target_class):
            pass

        return Fixed


class ProblemListViewSchema(OpenApiViewExtension):
    target_class = "problems.api.views.ProblemListView"

    def view_replacement(self):
        @extend_schema(
            parameters=[
                OpenApiParameter("section", OpenApiTypes.STR, description="a section's slug"),
                OpenApiParameter("kind", OpenApiTypes.STR, description="a problem kind"),
            ],
            responses={200: self.target_class.serializer_class(many=True), 404: Detail},
        )
        class Fixed(self.target_class):
            pass

        return Fixed


class SubmissionListViewSchema(OpenApiViewExtension):
    target_class = "problems.api.views.SubmissionListView"

    def view_replacement(self):
        @extend_schema(
            parameters=[
                OpenApiParameter("verdict", OpenApiTypes.STR, description="AC, WA, RE, …"),
                OpenApiParameter("problem", OpenApiTypes.STR, description="a problem's slug"),
            ],
            responses={200: SubmissionSerializer(many=True), 401: Detail, 403: Detail, 404: Detail},
        )
        class Fixed(self.target_class):
            pass

        return Fixed
