from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "study"
    verbose_name = "Study (spaced repetition)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to problems.events)
