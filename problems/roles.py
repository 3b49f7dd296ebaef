"""Roles. Authors (staff in the "author" group) edit content in the admin; reviewers (staff in
the "reviewer" group) read learners' work; learners answer. Neither role implies the other:
an author sees which submissions exist (to regrade them), not the code in them."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.auth.models import User as DjangoUser

# Who a service acts for: a signed-in user (the project uses Django's own User model).
User: TypeAlias = DjangoUser
# Who a selector or an access check reads for: anyone, signed in or not.
Visitor: TypeAlias = DjangoUser | AnonymousUser

AUTHOR_GROUP = "author"
AUTHOR_PERMISSIONS = {
    "course": ("view", "change"),
    "section": ("view", "add", "change"),
    "problem": ("view", "add", "change"),
    "choice": ("view", "add", "change", "delete"),
    "acceptedanswer": ("view", "add", "change", "delete"),
    "codespec": ("view", "add", "change"),
    "quiz": ("view", "add", "change"),
    "quizitem": ("view", "add", "change", "delete"),
    "problemversion": ("view",),
    "submission": ("view",),
    "regradebatch": ("view", "add"),
}

REVIEWER_GROUP = "reviewer"
REVIEWER_PERMISSIONS = {
    "course": ("view",),
    "section": ("view",),
    "problem": ("view",),
    "quiz": ("view",),
    "attempt": ("view",),
    "answer": ("view",),
    "submission": ("view", "view_learner_work"),
    "gradingrecord": ("view",),
}


def _codenames(permissions: dict[str, tuple[str, ...]]) -> list[str]:
    """`view` on `submission` is `view_submission`; a custom permission is named in full."""
    return [
        action if "_" in action else f"{action}_{model}"
        for model, actions in permissions.items()
        for action in actions
    ]


def _group_sync(group_model, permission_model, name: str, permissions: dict):
    group, _ = group_model.objects.get_or_create(name=name)
    # Other apps may grant the group their own permissions (study's readiness report): keep them.
    others = group.permissions.exclude(content_type__app_label="problems")
    group.permissions.set(
        [
            *permission_model.objects.filter(
                content_type__app_label="problems", codename__in=_codenames(permissions)
            ),
            *others,
        ]
    )
    return group


def author_group_sync(group_model, permission_model):
    """Create or update the author group. Takes the model classes so a migration can pass its
    historical ones."""
    return _group_sync(group_model, permission_model, AUTHOR_GROUP, AUTHOR_PERMISSIONS)


def reviewer_group_sync(group_model, permission_model):
    """Create or update the reviewer group (as `author_group_sync`)."""
    return _group_sync(group_model, permission_model, REVIEWER_GROUP, REVIEWER_PERMISSIONS)


def author_group():
    return author_group_sync(Group, Permission)


def reviewer_group():
    return reviewer_group_sync(Group, Permission)
