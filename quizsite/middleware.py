"""Bodies refused before anything reads them: other charsets, oversize forms, NUL in forms.

Django decodes a form with the codec its Content-Type's charset names (a compressing codec such
as bz2 raises inside the CSRF check), and a NUL cannot be stored in PostgreSQL text. Refusing
here gives one 4xx with a sentence for every view, the admin and the API alike; the API's own
parser (quizsite/parsers.py) applies the same rules to what DRF reads.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language_from_request

from .parsers import UTF8_NAMES, api_max_body_bytes, charset_of, message

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def refusal_response(request, status: int, text: str) -> HttpResponse:
    """A 4xx with one sentence: JSON `{"detail": ...}` on the API, a small page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": text}, status=status)
    language = get_language_from_request(request)[:2]
    title = {"ja": "リクエストを受け付けられません", "en": "The request cannot be accepted"}
    page = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{status} {escape(title.get(language, title['ja']))}</title></head>"
        f"<body><h1>{escape(title.get(language, title['ja']))}</h1><p>{escape(text)}</p>"
        '<p><a href="/">Home / ホーム</a></p></body></html>'
    )
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS:
            refused = self.refusal(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def refusal(self, request) -> HttpResponse | None:
        language = get_language_from_request(request)
        content_type = request.META.get("CONTENT_TYPE", "")
        charset = charset_of(content_type)
        if charset is not None and charset not in UTF8_NAMES:
            return refusal_response(
                request, 415, message("charset", language, charset=charset[:40])
            )
        if request.path.startswith("/api/") and _content_length(request) > api_max_body_bytes():
            limit = api_max_body_bytes() // 1024
            return refusal_response(request, 413, message("too_large", language, limit=limit))
        if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
            try:
                body = request.body
            except RequestDataTooBig:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
                return refusal_response(request, 413, message("too_large", language, limit=limit))
            if b"\x00" in body or b"%00" in body:
                return refusal_response(request, 400, message("nul", language))
        return None
