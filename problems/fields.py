"""A JSON field stored as text, so a value reads back exactly as it was written.

PostgreSQL's jsonb normalises numbers: -0.0 becomes 0.0 and 1e300 an integer. Test
specifications depend on such values (a -0.0 edge case, a float argument), so the engine's
data is kept as JSON text instead.
"""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


class ExactJSONField(models.TextField):
    description = "JSON stored as text (exact round trip)"

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if value is None or not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise ValidationError(f"Not valid JSON: {error}.") from None

    def get_prep_value(self, value):
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
