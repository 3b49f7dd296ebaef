"""Every API error is JSON with a `detail` sentence that says what to fix."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from quizsite.parsers import BodyRejected


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field in {"non_field_errors", "detail"} else f"{field}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.messages[0] if exc.messages else "Invalid input."
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict | list):
        response.data = {"detail": _first_message(response.data), "errors": response.data}
    elif isinstance(exc, exceptions.ParseError) and not isinstance(exc, BodyRejected):
        response.data = {
            "detail": f"The request body is not valid JSON ({exc.detail}). Send a JSON object."
        }
    return response


def error_response(message: str, code: int = status.HTTP_400_BAD_REQUEST, **headers) -> Response:
    return Response({"detail": message}, status=code, headers=headers or None)
