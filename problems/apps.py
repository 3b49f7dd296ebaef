from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "problems"
    verbose_name = "Problems"

    def ready(self) -> None:
        from .api import auth  # noqa: F401  (connects: a password change revokes API tokens)
