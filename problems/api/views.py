"""JSON API: validate, call one service, serialise."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.utils.translation import gettext as _
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from study.selectors import card_next_due

from ..access import access_attempt, access_problem, access_submission
from ..answers import AnswerFormatError, correct_answer_display
from ..parameterised import problem_as_answered, problem_for_occurrence
from ..selectors.content import problem_list_published
from ..selectors.submissions import submission_list_for_user
from ..services.answers import answer_create
from ..services.submissions import SubmissionRejected, submission_create
from ..throttles import AnswerThrottle, SubmissionThrottle
from ..variants import StaleOccurrence, occurrence_for, recorded_choice_order
from .errors import error_response
from .serializers import (
    AnswerRequestSerializer,
    ProblemDetailSerializer,
    ProblemListSerializer,
    SubmissionRequestSerializer,
    SubmissionSerializer,
    answer_choices_revealed,
    explanation_for,
)


def _filter_value(request, name: str) -> str | None:
    """A query filter's value; a NUL byte (which no slug or verdict has) is a 400, not a 500."""
    value = request.query_params.get(name)
    if value and "\x00" in value:
        raise ValidationError({name: _("contains a NUL byte; send the plain slug or verdict.")})
    return value


class ProblemListView(generics.ListAPIView):
    serializer_class = ProblemListSerializer

    def get_queryset(self):
        queryset = problem_list_published()
        for name in ("section", "kind"):
            value = _filter_value(self.request, name)
            if value:
                queryset = queryset.filter(
                    **{"section__slug" if name == "section" else "kind": value}
                )
        return queryset


class ProblemDetailView(APIView):
    def get(self, request, slug: str):
        """The learner's variant of the problem: inside `?attempt=<id>`, the attempt's."""
        problem = access_problem(user=request.user, slug=slug)
        attempt = None
        attempt_id = _filter_value(request, "attempt")
        if attempt_id:
            if not (attempt_id.isdigit() and len(attempt_id) <= 18):
                raise ValidationError(
                    {"attempt": _("must be the id of your attempt, e.g. ?attempt=12.")}
                )
            attempt = access_attempt(user=request.user, attempt_id=int(attempt_id), to_answer=True)
        occurrence = occurrence_for(user=request.user, problem=problem, attempt=attempt)
        shown = problem_for_occurrence(problem, occurrence)  # a parameterised problem's numbers
        serializer = ProblemDetailSerializer(shown, context={"occurrence": occurrence})
        return Response(serializer.data)


class AnswerCreateView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [AnswerThrottle]

    def post(self, request, slug: str):
        problem = access_problem(user=request.user, slug=slug)
        serializer = AnswerRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = None
        if "attempt" in serializer.validated_data:
            attempt = access_attempt(
                user=request.user, attempt_id=serializer.validated_data["attempt"], to_answer=True
            )
        data = serializer.validated_data
        duration = data.get("duration_ms")
        try:
            answer, outcome = answer_create(
                user=request.user,
                problem=problem,
                response=data.get("answer"),
                attempt=attempt,
                confidence=data.get("confidence", ""),
                dont_know=data["dont_know"],
                duration=None if duration is None else timedelta(milliseconds=duration),
                occurrence=data.get("occurrence"),
            )
        except StaleOccurrence as error:
            return error_response(str(error), status.HTTP_409_CONFLICT)
        except AnswerFormatError as error:
            return error_response(str(error))
        order = recorded_choice_order(answer)
        if attempt is not None:
            # A quiz in progress is graded at its end: nothing here tells the right answer.
            return Response({"id": answer.pk, "recorded": True}, status=status.HTTP_201_CREATED)
        problem = problem_as_answered(problem, answer)  # the variant the learner answered
        return Response(
            {
                "id": answer.pk,
                "correct": outcome.correct,
                "score": outcome.score,
                "max_score": outcome.max_score,
                "correct_answer": correct_answer_display(problem),
                "choices": answer_choices_revealed(problem, outcome.response, order),
                "explanation": explanation_for(problem, order),
                # the learning loop's schedule for this problem after this answer
                "next_due_at": card_next_due(user=request.user, problem=problem),
            },
            status=status.HTTP_201_CREATED,
        )


class SubmissionCreateView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [SubmissionThrottle]

    def post(self, request, slug: str):
        problem = access_problem(user=request.user, slug=slug, with_content=False)
        serializer = SubmissionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            submission = submission_create(
                user=request.user,
                problem=problem,
                code=serializer.validated_data["code"],
                visible_only=serializer.validated_data["visible_only"],
            )
        except SubmissionRejected as error:
            headers = {"Retry-After": "5"} if error.status_code == 429 else {}
            return error_response(error.messages[0], error.status_code, **headers)
        return Response(
            {
                "id": submission.pk,
                "status": submission.status,
                "url": f"/api/submissions/{submission.pk}/",
            },
            status=status.HTTP_202_ACCEPTED,
        )


def submission_etag(submission) -> str:
    raw = f"{submission.pk}:{submission.status}:{submission.updated_at.isoformat()}"
    return '"' + hashlib.sha1(raw.encode()).hexdigest()[:16] + '"'


class SubmissionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, pk: int):
        submission = access_submission(user=request.user, submission_id=pk)
        etag = submission_etag(submission)
        if request.headers.get("If-None-Match") == etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(SubmissionSerializer(submission).data, headers={"ETag": etag})


class SubmissionListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = SubmissionSerializer

    def get_queryset(self):
        queryset = submission_list_for_user(user=self.request.user)
        verdict = _filter_value(self.request, "verdict")
        problem = _filter_value(self.request, "problem")
        if verdict:
            queryset = queryset.filter(verdict=verdict)
        if problem:
            queryset = queryset.filter(problem__slug=problem)
        return queryset
