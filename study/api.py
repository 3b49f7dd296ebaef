"""JSON API of the learning loop: what is due, and progress. Owner-only: a learner sees their own."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from problems.selectors.content import problem_get_published

from . import clock
from .selectors import learner_zone, progress, review_due
from .services import Refused, hint_open

ISO_EXTENDED = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE
)


def parse_until(user, value: str | None) -> datetime:
    """`until` as an aware datetime; a naive one is the learner's local time. A '+' of an offset
    sent unencoded arrives as a space, and is read as the '+' it was."""
    if not value:
        return clock.now()
    text = value.strip()
    if "T" in text and " " in text:
        head, _sep, offset = text.rpartition(" ")
        text = f"{head}+{offset}"
    # The extended form only: Python's parser also takes "11111111" as a date in the year 1111.
    if not ISO_EXTENDED.fullmatch(text):
        raise _until_refused()
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise _until_refused()
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=learner_zone(user))
    try:
        # In UTC: PostgreSQL refuses offsets past ±15:59, which Python accepts (+19:20).
        return parsed.astimezone(UTC)
    except OverflowError:  # before year 1 or after 9999 once in UTC
        raise _until_refused() from None


def _until_refused() -> ValidationError:
    return ValidationError(
        {
            "until": _(
                "Give an ISO 8601 date and time, for example 2026-12-03T21:00:00+09:00 "
                "(encode the + as %2B in a URL)."
            )
        }
    )


DUE = inline_serializer(
    "ReviewDue",
    fields={
        "count": serializers.IntegerField(),
        "results": inline_serializer(
            "DueCard",
            fields={
                "slug": serializers.SlugField(),
                "due_at": serializers.DateTimeField(),
                "reason": serializers.ChoiceField(["mistake", "scheduled", "leech", "new"]),
            },
            many=True,
        ),
    },
)


class ReviewDueView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "until",
                OpenApiTypes.DATETIME,
                description="Cards due up to this time (ISO 8601; default now).",
            )
        ],
        responses=DUE,
    )
    def get(self, request):
        until = parse_until(request.user, request.query_params.get("until"))
        due = review_due(user=request.user, until=until)
        return Response(
            {
                "count": len(due),
                "results": [
                    {"slug": d.slug, "due_at": d.due_at.isoformat(), "reason": d.reason}
                    for d in due
                ],
            }
        )


AREA = {
    "slug": serializers.SlugField(),
    "total": serializers.IntegerField(),
    "attempted": serializers.IntegerField(),
    "coverage": serializers.FloatField(),
    "first_try_correct": serializers.IntegerField(),
    "retention": serializers.FloatField(allow_null=True),
    "due": serializers.IntegerField(),
}
PROGRESS = inline_serializer(
    "Progress",
    fields={
        "sections": inline_serializer("SectionProgress", fields=AREA, many=True),
        "tags": inline_serializer("TagProgress", fields=AREA, many=True),
        "weak_areas": inline_serializer(
            "WeakArea",
            fields={
                "kind": serializers.CharField(help_text='"section" or "tag"'),
                "slug": serializers.CharField(),
                "retention": serializers.FloatField(),
                "problems": serializers.ListField(child=serializers.SlugField()),
            },
            many=True,
        ),
        "forecast": inline_serializer(
            "ForecastDay",
            fields={"date": serializers.DateField(), "due": serializers.IntegerField()},
            many=True,
        ),
    },
)


class ProgressView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PROGRESS)
    def get(self, request):
        return Response(progress(user=request.user))


HINT = inline_serializer(
    "Hint",
    fields={
        "n": serializers.IntegerField(),
        "count": serializers.IntegerField(),
        "text": serializers.CharField(),
    },
)
HINT_REFUSED = inline_serializer("Refused", fields={"detail": serializers.CharField()})


class HintView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: HINT, 404: HINT_REFUSED, 409: HINT_REFUSED})
    def get(self, request, slug: str, n: int):
        problem = problem_get_published(slug=slug, with_content=False)
        try:
            text = hint_open(user=request.user, problem=problem, n=n)
        except Refused as refused:
            # no such hint: 404; one that exists but not now (timed exam, out of order): 409
            exists = 1 <= n <= len(problem.hints)
            return Response({"detail": str(refused)}, status=409 if exists else 404)
        return Response({"n": n, "count": len(problem.hints), "text": text})
