"""Small template helpers of the learner's pages."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from problems.models import SubmissionStatus, Verdict

register = template.Library()


def script_strings() -> dict[str, str]:
    """Every string the bundle's scripts show (frontend/src reads them from #i18n)."""
    strings = {
        "status.submitting": _("Sending…"),
        "status.queued": _("Waiting to be graded"),
        "status.running": _("Grading"),
        "status.done": _("Graded"),
        "status.error": _("Could not be graded"),
        "score": _("Score {score} / {max_score}"),
        "slow_note": _(
            "The grader is slow right now. Your code is in the queue; keep this page open."
        ),
        "connection_lost": _("The connection to the server is unstable; reconnecting…"),
        "tests.caption": _("Test results"),
        "tests.name": _("Test"),
        "tests.result": _("Result"),
        "tests.points": _("Points"),
        "tests.message": _("Message"),
        "tests.passed": _("Passed"),
        "tests.failed": _("Failed"),
        "tests.hint": _("Hint:"),
        "state.solved": _("Solved"),
        "tests.hidden": _("Hidden test {n}"),
        "diagnosis.title": _("A likely misconception"),
        "output.stdout": _("Output of your code"),
        "output.stderr": _("Error output"),
        "submit.throttled": _("Too many submissions. Try again in {seconds} seconds."),
        "submit.rejected": _("The submission was not accepted."),
        "submit.failed": _("The submission failed (HTTP {status})."),
        "submit.network_error": _("Could not reach the server. Check your connection."),
        "submit.login_required": _("Log in to submit your code."),
        "editor.label": _("Your code"),
        "editor.draft_restored": _("Your last draft was restored."),
        "editor.reset_done": _("The starter code is back. Ctrl+Z brings your code back."),
        "chart.label": _("Score over time"),
        "chart.point": _("{date}: {score} / {max_score}"),
        "chart.empty": _("Nothing recorded yet."),
        "state.attempted": _("Attempted"),
        "pictures.summary": _("Pictures of the values"),
        "pictures.expected": _("Expected"),
        "pictures.got": _("Your output"),
        "pictures.diff": _("|Difference|"),
        "pictures.input": _("Input {name}"),
        "pictures.first_diff": _("The first difference is at index {index} (marked with a frame)."),
        "pictures.no_diff": _("No difference beyond the tolerance."),
        "pictures.largest_diff": _("The largest difference is at index {index}."),
        "pictures.shape_differs": _(
            "Your output has shape {got}; the expected shape is {expected}, so there is no picture of the difference."
        ),
        "pictures.omitted": _("Too large to draw (shape {shape})."),
        "pictures.not_array": _(
            "Your output is not an array, so only the expected values are drawn."
        ),
        "pictures.alt": _("{what} {name}: shape {shape}, values from {min} to {max}"),
        "pictures.scale": _("Colour scale from {min} to {max}"),
        "pictures.numbers": _("The numbers that differ"),
        "pictures.index": _("Index"),
        "chart.loss": _("Training loss during the grader's run (computed by the grader)"),
        "chart.loss_alt": _("The training loss went from {first} to {last} over {steps} steps."),
        "chart.heldout": _("A held-out window: your prediction and the true cos"),
        "chart.heldout_alt": _(
            "On a held-out window the largest gap between the predicted and the true cos is {gap}."
        ),
        "chart.step": _("Step"),
        "chart.time": _("Time step"),
        "chart.series.loss": _("Loss"),
        "chart.series.input": _("Input sin"),
        "chart.series.true": _("True cos"),
        "chart.series.predicted": _("Predicted"),
        "chart.series.lr": _("lr {lr}"),
        "progress.title": _("Training your model"),
        "progress.train": _("Step {step} of {total}"),
        "progress.retry": _(
            "training again with another learning rate (run {part} of at most {parts})"
        ),
        "progress.hidden": _("Running the hidden tests"),
        "progress.loss": _("current loss {loss}"),
        "progress.eta": _("about {seconds} s left"),
        "progress.eta_soon": _("almost done"),
        "progress.eta_unknown": _("estimating the time left…"),
        "progress.chart": _(
            "The loss so far, reported while your code trains (the final curve is computed by the grader)"
        ),
        "progress.chart_alt": _("So far the loss went from {first} to {last} over {steps} steps."),
    }
    for value, label in Verdict.choices:
        strings[f"verdict.{value}"] = str(label)
    return strings


@register.simple_tag
def i18n_json() -> SafeString:
    return json_script(script_strings(), "i18n")


@register.filter
def in_language(value) -> str:
    """An author's text that is a plain string or {"ja": ..., "en": ...}, in the active language."""
    if isinstance(value, dict):
        language = (get_language() or "ja")[:2]
        return value.get(language) or value.get("ja") or value.get("en") or ""
    return value or ""


@register.filter
def verdict_label(value: str) -> str:
    if value in Verdict.values:
        return str(Verdict(value).label)
    if value in SubmissionStatus.values:
        return str(SubmissionStatus(value).label)
    return value


@register.filter
def status_label(value: str) -> str:
    labels = {
        SubmissionStatus.QUEUED: _("Waiting to be graded"),
        SubmissionStatus.RUNNING: _("Grading"),
        SubmissionStatus.DONE: _("Graded"),
        SubmissionStatus.ERROR: _("Could not be graded"),
    }
    return labels.get(value, value)


@register.filter
def score(value) -> str:
    """0.5 → "0.5", 2.0 → "2"."""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return ""
