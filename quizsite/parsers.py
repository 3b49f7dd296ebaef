"""Request bodies the site accepts: UTF-8 JSON of bounded size and depth, without NUL.

DRF reads the request stream itself, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE never applies to
it, and its JSONParser decodes with whatever codec the Content-Type's charset names (bz2, zlib
and base64 are codecs too: a tiny body became a 50 MB string). This parser reads at most
`API_MAX_BODY_BYTES`, decodes only UTF-8, and turns every way a body can be malformed into a
4xx with a sentence (the API's exception handler makes it `{"detail": ...}`).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils import translation
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

UTF8_NAMES = {"utf-8", "utf8"}

# Learner-visible sentences, in the learner's language (ja first). Kept here, not in the
# catalog, because the middleware answers before LocaleMiddleware has activated a language.
MESSAGES = {
    "charset": {
        "ja": "リクエスト本文の文字コード「%(charset)s」には対応していません。UTF-8 で送ってください。",
        "en": "The request body's charset '%(charset)s' is not supported; send it as UTF-8.",
    },
    "not_utf8": {
        "ja": "リクエスト本文が正しい UTF-8 ではありません。UTF-8 で保存して送り直してください。",
        "en": "The request body is not valid UTF-8; encode it as UTF-8 and send it again.",
    },
    "too_large": {
        "ja": "リクエスト本文が大きすぎます（上限 %(limit)d KiB）。短くして送り直してください。",
        "en": "The request body is too large (the limit is %(limit)d KiB); shorten it and send it again.",
    },
    "too_deep": {
        "ja": "JSON の入れ子が深すぎます（上限 %(depth)d 段）。平らな JSON オブジェクトを送ってください。",
        "en": "The JSON is nested too deeply (the limit is %(depth)d levels); send a flat JSON object.",
    },
    "nul": {
        "ja": "リクエストに NUL 文字（\\u0000）が含まれています。取り除いて送り直してください。",
        "en": "The request contains a NUL character (NUL byte, \\u0000); remove it and send it again.",
    },
    "bad_request": {
        "ja": "リクエストを読み取れませんでした。フォームを開き直して送り直してください。",
        "en": "The request could not be read; reload the form and send it again.",
    },
}

MAX_JSON_DEPTH = 32  # the API's bodies are flat objects; a list of choice keys is depth 2


def message(key: str, language: str | None = None, **params) -> str:
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    texts = MESSAGES[key]
    return texts.get(language, texts["ja"]) % params


def api_max_body_bytes() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", 256 * 1024))


class BodyRejected(exceptions.ParseError):
    """A body refused with a sentence of its own (not a JSON syntax error)."""


class RequestBodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def _depth_and_nul(value, depth: int = 1) -> tuple[int, bool]:
    """The nesting depth of parsed JSON and whether any key or string holds a NUL."""
    if depth > MAX_JSON_DEPTH:
        return depth, False
    if isinstance(value, str):
        return depth, "\x00" in value
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return depth, False
    deepest, nul = depth, False
    for item in items:
        item_depth, item_nul = _depth_and_nul(item, depth + 1)
        deepest, nul = max(deepest, item_depth), nul or item_nul
        if deepest > MAX_JSON_DEPTH or nul:
            break
    return deepest, nul


def charset_of(media_type: str | None) -> str | None:
    """The charset parameter of a Content-Type, lower-cased, or None."""
    for part in (media_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


class StrictJSONParser(JSONParser):
    """DRF's JSONParser with a size limit, UTF-8 only, a depth limit and no NUL."""

    def parse(self, stream, media_type=None, parser_context=None):
        charset = charset_of(media_type)
        if charset is not None and charset not in UTF8_NAMES:
            raise exceptions.UnsupportedMediaType(
                media_type, detail=message("charset", charset=charset[:40])
            )
        limit = api_max_body_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestBodyTooLarge(message("too_large", limit=limit // 1024))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BodyRejected(message("not_utf8")) from None
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            raise BodyRejected(message("too_deep", depth=MAX_JSON_DEPTH)) from None
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        depth, nul = _depth_and_nul(data)
        if depth > MAX_JSON_DEPTH:
            raise BodyRejected(message("too_deep", depth=MAX_JSON_DEPTH))
        if nul:
            raise BodyRejected(message("nul"))
        return data


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")
