from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "study"
    verbose_name = "Study (spaced repetition)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import receivers  # noqa: F401  (connects to problems.events)

        post_migrate.connect(grant_authors_the_readiness_report, sender=self)


def grant_authors_the_readiness_report(sender, **kwargs) -> None:
    """Authors read the per-problem readiness report (aggregates, no learner's data)."""
    from django.contrib.auth.models import Group, Permission

    from problems.roles import AUTHOR_GROUP

    group = Group.objects.filter(name=AUTHOR_GROUP).first()
    permission = Permission.objects.filter(
        content_type__app_label="study", codename="view_problemreadiness"
    ).first()
    if group is not None and permission is not None:
        group.permissions.add(permission)
