"""Forms of the learner's pages: sign-up, and reading an answer out of a posted form."""

from __future__ import annotations

from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from problems.models import Problem, ProblemKind


class SignupForm(UserCreationForm):
    """Django's sign-up form; its labels and help texts come translated with Django."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["username"].help_text = _(
            "Letters, digits and @/./+/-/_ only; 150 characters or fewer."
        )


def answer_from_post(problem: Problem, data) -> object | None:
    """The response in a posted answer form: choice keys, or the typed text; None if empty."""
    if problem.kind == ProblemKind.MULTIPLE_CHOICE:
        keys = data.getlist("answer")
        return keys or None
    value = data.get("answer", "")
    return value if value.strip() else None
