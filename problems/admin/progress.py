"""A validation's live progress in the admin: the JSON the progress bar polls, with its labels
in the request's language, and the endpoint that serves it (static/admin-validation-progress.js
draws it on the problem's change page, its Validate page and its version lists)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..access import access_version_validation
from ..models import ProblemVersion
from ..selectors.authoring import ValidationProgress, validation_progress_get


def _clock(seconds: float) -> str:
    """0:07, 2:05, 1:02:05."""
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}" if hours else f"{minute}:{second:02d}"


def _current_text(step: dict | None) -> str:
    """The grading running now, as an author reads it."""
    if step is None:
        return ""
    return _grading_text(step) + _training_text(step.get("training"))


def _grading_text(step: dict) -> str:
    if step["kind"] == "reference":
        return _("Reference solution")
    values = {"index": step["index"], "count": step["count"], "name": step["name"]}
    if step["kind"] == "mutant":
        return _("Mutant %(index)s of %(count)s: %(name)s") % values
    return _("Alternative solution %(index)s of %(count)s: %(name)s") % values


def _training_text(training: dict | None) -> str:
    """Where a long grading is: a training exercise's step, or its hidden tests."""
    if not training:
        return ""
    if training.get("hidden"):
        return _(" — running the hidden tests")
    return _(" — training step %(step)s of %(total)s") % training


def _step_text(progress: ValidationProgress) -> str:
    if progress.state == "idle":
        return _("Not validated yet.")
    if progress.state == "queued":
        return _("Waiting for a worker to start the validation.")
    if progress.state == "running" and progress.step:
        number = progress.step["number"]
    else:
        number = progress.done
    return _("Step %(number)s of %(total)s") % {"number": number, "total": progress.total}


def _time_text(progress: ValidationProgress) -> str:
    elapsed = progress.elapsed_seconds
    if elapsed is None:
        return ""
    if progress.state == "queued":
        return _("Waiting for %(elapsed)s") % {"elapsed": _clock(elapsed)}
    if progress.state == "interrupted":
        return _("Stopped after %(elapsed)s") % {"elapsed": _clock(elapsed)}
    if progress.state != "running":
        return _("Took %(elapsed)s") % {"elapsed": _clock(elapsed)}
    if progress.remaining_seconds is None:
        return _("Elapsed %(elapsed)s · estimating the time left") % {"elapsed": _clock(elapsed)}
    return _("Elapsed %(elapsed)s · about %(remaining)s left") % {
        "elapsed": _clock(elapsed),
        "remaining": _clock(progress.remaining_seconds),
    }


def _outcome_text(progress: ValidationProgress) -> str:
    if progress.state == "passed":
        return _("Passed: the reference gets full marks and every mutant is rejected.")
    if progress.state == "failed":
        return _("Failed: this version cannot be published; the report says why.")
    if progress.state == "interrupted":
        return _("The validation stopped before it ended (its worker was stopped); run it again.")
    return ""


def _outcome_short(progress: ValidationProgress) -> str:
    """A version list's cell once the validation is over."""
    if progress.state == "passed":
        return "✔ " + _("validated")
    if progress.state == "failed":
        return "✘ " + _("validation failed")
    if progress.state == "interrupted":
        return "✘ " + _("interrupted")
    return "—"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def report_url(version: ProblemVersion) -> str:
    """The latest version's report is its problem's Validate page; an older one's is the
    version's own page."""
    latest = version.problem.versions.order_by("-number").values_list("pk", flat=True).first()
    if latest == version.pk:
        return reverse("admin:problems_problem_validate", args=[version.problem_id])
    return reverse("admin:problems_problemversion_change", args=[version.pk])


def validation_progress_json(progress: ValidationProgress) -> dict:
    """What the progress bar draws, as plain JSON (the endpoint's body)."""
    version = progress.version
    return {
        "version": {"id": version.pk, "number": version.number},
        "state": progress.state,
        "live": progress.is_live,
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "step": progress.step,
        "results": progress.results,
        "queued_at": _iso(progress.queued_at),
        "started_at": _iso(progress.started_at),
        "finished_at": _iso(progress.finished_at),
        "elapsed_seconds": progress.elapsed_seconds,
        "remaining_seconds": progress.remaining_seconds,
        "report_url": report_url(version),
        "text": {
            "title": _("Validation of v%(number)s") % {"number": version.number},
            "step": _step_text(progress),
            "current": _current_text(progress.step),
            "time": _time_text(progress),
            "outcome": _outcome_text(progress),
            "outcome_short": _outcome_short(progress),
            "report": _("Open the report"),
        },
    }


def version_progress(version: ProblemVersion) -> dict:
    """The JSON for a page's first drawing (the script then polls for the same shape)."""
    return {
        **validation_progress_json(validation_progress_get(version=version)),
        "url": reverse("admin:problems_problemversion_progress", args=[version.pk]),
    }


def version_progress_cell(version: ProblemVersion) -> dict:
    """What a version list's cell draws first: no report link, so no query per row."""
    progress = validation_progress_get(version=version)
    return {
        "url": reverse("admin:problems_problemversion_progress", args=[version.pk]),
        "live": progress.is_live,
        "state": progress.state,
        "done": progress.done,
        "total": progress.total,
        "text": {"step": _step_text(progress), "outcome_short": _outcome_short(progress)},
    }


@never_cache
@require_GET
def validation_progress_view(request: HttpRequest, pk: int) -> JsonResponse:
    """GET: the version's validation progress (validation_progress_json). Staff who may read
    code specs only: 403 for anyone else, 404 for a version that does not exist."""
    try:
        version = access_version_validation(user=request.user, pk=pk)
    except PermissionDenied:
        return JsonResponse(
            {"detail": _("Only authors may follow a validation; log in to the admin as one.")},
            status=403,
        )
    except Http404:
        detail = _("There is no problem version %(pk)s.") % {"pk": pk}
        return JsonResponse({"detail": detail}, status=404)
    return JsonResponse(validation_progress_json(validation_progress_get(version=version)))
