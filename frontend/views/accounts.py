"""Signing up (logging in and out are Django's own views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from problems.throttles import SignupThrottle, throttle_wait

from ..forms import SignupForm


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and (wait := throttle_wait(SignupThrottle, request)) is not None:
        message = _(
            "Too many accounts were created from your address. Wait %(minutes)d minutes "
            "and try again."
        ) % {"minutes": max(1, round(wait / 60))}
        messages.error(request, message)
        return render(request, "registration/signup.html", {"form": form}, status=429)
    if request.method != "POST":
        return render(request, "registration/signup.html", {"form": form})
    if form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # Another request took the username after this one was validated (a double-click).
            form.username_taken()
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("home")
    status = 409 if form.has_error("username", code="unique") else 400
    return render(request, "registration/signup.html", {"form": form}, status=status)
