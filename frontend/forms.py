"""Forms of the learner's pages: sign-up, and reading an answer out of a posted form."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from problems.models import Problem, ProblemKind


class SignupForm(UserCreationForm):
    """Django's sign-up form; its labels and help texts come translated with Django."""

    USERNAME_TAKEN = _("This username is already taken; choose another one.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["username"].help_text = _(
            "Letters, digits and @/./+/-/_ only; 150 characters or fewer."
        )

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(self.USERNAME_TAKEN, code="unique")
        return username

    def validate_unique(self):
        # The model's own check may find a user created since clean_username ran: the same
        # sentence then (the username is the user's only unique field a form sets).
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions())
        except ValidationError:
            self.username_taken()

    def username_taken(self) -> None:
        """Record that another request took the username between validation and saving."""
        self.add_error("username", ValidationError(self.USERNAME_TAKEN, code="unique"))


def answer_from_post(problem: Problem, data) -> object | None:
    """The response in a posted answer form: choice keys, or the typed text; None if empty."""
    if problem.kind == ProblemKind.MULTIPLE_CHOICE:
        keys = data.getlist("answer")
        return keys or None
    value = data.get("answer", "")
    return value if value.strip() else None
