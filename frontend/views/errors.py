"""Error pages and the health check."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language_from_request

from quizsite.middleware import refusal_response
from quizsite.parsers import message


def bad_request(request, exception=None):
    """Django's 400 (BadRequest, RequestDataTooBig, TooManyFieldsSent...). It never reads
    request.POST again, whose parsing is what failed, nor renders templates that might."""
    language = get_language_from_request(request)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return refusal_response(request, 413, message("too_large", language, limit=limit))
    return refusal_response(request, 400, message("bad_request", language))


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


_BARE_500 = (
    '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
    "<title>エラーが発生しました / Something went wrong</title></head><body>"
    "<h1>エラーが発生しました / Something went wrong</h1>"
    "<p>しばらくしてからもう一度お試しください。 / Please try again in a moment.</p></body></html>"
)


def server_error(request):
    # Rendered without the request: its context processors may touch what just failed. If even
    # the template fails (a static file missing from the manifest), a bare page still answers.
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # noqa: BLE001 - the error page must never raise
        return HttpResponseServerError(_BARE_500)


def healthz(request):
    """For load balancers and compose health checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
