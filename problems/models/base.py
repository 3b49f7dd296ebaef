"""What the models of `problems` share: timestamps, and texts in Japanese and English."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class BilingualMixin:
    """Pick `<name>_ja` or `<name>_en` by the active language (Japanese is the default)."""

    def localized(self, name: str) -> str:
        language = (get_language() or "ja")[:2]
        value = getattr(self, f"{name}_{language}", "") if language in {"ja", "en"} else ""
        return value or getattr(self, f"{name}_ja", "")

    # Templates cannot pass arguments; these read the active language's text.
    localized_title = property(lambda self: self.localized("title"))
    localized_description = property(lambda self: self.localized("description"))
    localized_statement = property(lambda self: self.localized("statement"))
    localized_explanation = property(lambda self: self.localized("explanation"))
    localized_text = property(lambda self: self.localized("text"))
