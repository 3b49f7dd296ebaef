"""API tokens (django-rest-knox: hashed, expiring, revocable) and the login lockout's answer.

`POST /api/auth/token/` trades a username and password for a token that expires after
`REST_KNOX["TOKEN_TTL"]`; `POST /api/auth/logout/` revokes the token it is sent with,
`POST /api/auth/logoutall/` every token of its user; changing the password revokes them all.
Wrong passwords are counted by django-axes (per username and IP) on this endpoint, the HTML
login and the admin login alike, since all three call `authenticate(request=...)`.
"""

from __future__ import annotations

import math

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.settings import knox_settings
from knox.views import LogoutAllView as KnoxLogoutAllView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

_TokenResponse = inline_serializer(
    "TokenResponse",
    fields={"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
)
_Detail = inline_serializer("Detail", fields={"detail": serializers.CharField()})


def lockout_message(request=None, credentials=None) -> str:
    minutes = max(1, math.ceil(lockout_seconds_left(request, credentials) / 60))
    return _(
        "Too many failed logins for this username from your address. "
        "Wait %(minutes)d minutes and try again, or reset your password."
    ) % {"minutes": minutes}


def _cooloff_seconds() -> int:
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    seconds = (
        cooloff.total_seconds() if hasattr(cooloff, "total_seconds") else 3600 * (cooloff or 1)
    )
    return max(60, round(seconds))


def lockout_seconds_left(request=None, credentials=None) -> int:
    """Seconds until the lockout of this username and address lifts: the cool-off counts from
    the last failed login. The whole cool-off when the failure cannot be found."""
    cooloff = _cooloff_seconds()
    username = (credentials or {}).get("username")
    if request is None or not username:
        return cooloff
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=client_ip(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return cooloff
    left = cooloff - (timezone.now() - last).total_seconds()
    return max(1, min(cooloff, math.ceil(left)))


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out login: 429 with a sentence saying when to retry
    (and Retry-After), JSON on the API, a page in the visitor's language elsewhere."""
    seconds = lockout_seconds_left(request, credentials)
    message = lockout_message(request, credentials)
    headers = {"Retry-After": str(seconds)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, headers=headers)
    title = _("Logging in is paused")
    page = (
        f'<!doctype html><html lang="{escape(get_language() or "ja")}"><head>'
        f'<meta charset="utf-8"><title>429 {escape(title)}</title></head>'
        f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p>"
        '<p><a href="/">ホーム / Home</a></p></body></html>'
    )
    return HttpResponse(page, status=429, headers=headers)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the entry our trusted proxies added to
    X-Forwarded-For (counted from the right, as DRF's NUM_PROXIES does)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    return addresses[-min(proxies, len(addresses))] if addresses else remote


def _locked_out(request) -> bool:
    return bool(
        getattr(request, "axes_locked_out", False)
        or getattr(request._request, "axes_locked_out", False)
    )


class TokenCreateView(APIView):
    """Trade a username and password for an expiring API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: _TokenResponse, 400: _Detail, 429: _Detail},
        auth=[],
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if _locked_out(request):  # django-axes refused even to check the password
            username = request.data.get("username") if hasattr(request.data, "get") else None
            credentials = {"username": username if isinstance(username, str) else None}
            seconds = lockout_seconds_left(request, credentials)
            return Response(
                {"detail": lockout_message(request, credentials)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(seconds)},
            )
        if not valid:
            raise serializers.ValidationError(serializer.errors)
        instance, token = AuthToken.objects.create(
            serializer.validated_data["user"], knox_settings.TOKEN_TTL
        )
        return Response({"token": token, "expiry": instance.expiry})


class LogoutView(KnoxLogoutView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)


class LogoutAllView(KnoxLogoutAllView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="revoke-tokens-on-password-change")
def revoke_tokens_on_password_change(sender, instance, **kwargs) -> None:
    """A new password ends every API token of its user (a stolen token dies with the old one)."""
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        AuthToken.objects.filter(user_id=instance.pk).delete()
