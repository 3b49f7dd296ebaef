from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StudyConfig(AppConfig):
    name = "study"
    verbose_name = "Study (spaced repetition)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to problems.events)

        post_migrate.connect(grant_authors_the_readiness_report, sender=self)


# Which role reads what of the learning loop: authors the per-problem report (aggregates, no
# learner's data), reviewers also the learners' cards and reviews (learner data: the admin
# requires problems.view_learner_work for them as well).
GRANTS = {
    "author": ["view_problemreadiness"],
    "reviewer": ["view_problemreadiness", "view_card", "view_reviewlog"],
}


def grant_authors_the_readiness_report(sender, **kwargs) -> None:
    # Not at the top: apps.py is imported before the app registry can load auth's models.
    from django.contrib.auth.models import Group, Permission

    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        permissions = Permission.objects.filter(
            content_type__app_label="study", codename__in=codenames
        )
        if group is not None:
            group.permissions.add(*permissions)
