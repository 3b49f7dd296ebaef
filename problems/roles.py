"""Roles. Authors (staff in the "author" group) edit content in the admin; learners answer."""

from __future__ import annotations

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


def author_group_sync(group_model, permission_model):
    """Create or update the author group. Takes the model classes so a migration can pass its
    historical ones."""
    group, _ = group_model.objects.get_or_create(name=AUTHOR_GROUP)
    codenames = [
        f"{action}_{model}" for model, actions in AUTHOR_PERMISSIONS.items() for action in actions
    ]
    # Other apps may grant the group their own permissions (study's readiness report): keep them.
    others = group.permissions.exclude(content_type__app_label="problems")
    group.permissions.set(
        [
            *permission_model.objects.filter(
                content_type__app_label="problems", codename__in=codenames
            ),
            *others,
        ]
    )
    return group


def author_group():
    from django.contrib.auth.models import Group, Permission

    return author_group_sync(Group, Permission)
