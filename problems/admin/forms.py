"""Admin forms: JSON edited as readable, indented text, validated against the engine's schema."""

from __future__ import annotations

import json

from django import forms

from engine.variants import validate_variant_spec

from ..models import CodeSpec, Problem, ProblemKind
from ..parameterised import TEXT_FIELDS, choice_templates


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


def _json_widget(rows: int) -> forms.Textarea:
    return forms.Textarea(
        attrs={
            "rows": rows,
            "cols": 100,
            "class": "vLargeTextField code-json",
            "spellcheck": "false",
        }
    )


CODE_FIELD_OF_KEY = {
    "framework": "framework",
    "entry_points": "entry_points",
    "starter": "starter_code",
    "reference": "reference",
    "solution": "extra",
    "tests": "tests",
    "mutants": "mutants",
    "limits": "limits",
    "forbidden_calls": "forbidden_calls",
}


class CodeSpecForm(forms.ModelForm):
    entry_points = PrettyJSONField(widget=_json_widget(2), help_text='e.g. ["lstm"]')
    reference = PrettyJSONField(
        widget=_json_widget(3), help_text='{"engine": "lstm_cell"} or {"code": "..."}'
    )
    tests = PrettyJSONField(
        widget=_json_widget(24), help_text="A list of tests; see docs/engine.md."
    )
    mutants = PrettyJSONField(
        widget=_json_widget(12),
        required=False,
        help_text="Wrong answers: [{name, description, code}].",
    )
    limits = PrettyJSONField(
        widget=_json_widget(3), required=False, help_text='{"wall_seconds": 5, "memory_mb": 512}'
    )
    forbidden_calls = PrettyJSONField(
        widget=_json_widget(2), required=False, help_text='e.g. ["torch.nn.LSTMCell"]'
    )
    extra = PrettyJSONField(
        widget=_json_widget(10), required=False, help_text='Other keys, e.g. {"solution": "..."}'
    )

    class Meta:
        model = CodeSpec
        fields = [
            "framework",
            "entry_points",
            "starter_code",
            "reference",
            "tests",
            "mutants",
            "limits",
            "forbidden_calls",
            "extra",
        ]
        widgets = {
            "starter_code": forms.Textarea(
                attrs={"rows": 10, "cols": 100, "class": "vLargeTextField code"}
            )
        }

    OPTIONAL_DEFAULTS = {"mutants": list, "limits": dict, "forbidden_calls": list, "extra": dict}

    def clean(self):
        cleaned = super().clean()
        for name, default in self.OPTIONAL_DEFAULTS.items():
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = default()  # an empty box means "none", not null
        if self.errors:
            return cleaned
        spec = CodeSpec(
            **{name: cleaned.get(name) for name in self.Meta.fields if name in cleaned}
        ).as_engine_spec()
        for key in ("mutants", "limits", "forbidden_calls"):
            if spec.get(key) in (None, [], {}):
                spec.pop(key, None)
        self._add_spec_errors(spec)
        return cleaned

    def _add_spec_errors(self, spec: dict) -> None:
        from engine.grading import validate_spec

        for message in validate_spec(spec):
            key = message.split(":", 1)[0].split(".", 1)[0].split("[", 1)[0]
            field = CODE_FIELD_OF_KEY.get(key)
            self.add_error(field if field in self.fields else None, message)


class ProblemForm(forms.ModelForm):
    tags = PrettyJSONField(
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text='e.g. ["lstm", "gates"]',
    )

    class Meta:
        model = Problem
        fields = [
            "section",
            "slug",
            "kind",
            "order",
            "points",
            "tags",
            "source",
            "is_published",
            "fixed_order",
            "title_ja",
            "title_en",
            "statement_ja",
            "statement_en",
            "explanation_ja",
            "explanation_en",
            "diagram",
            "hints",
            "numeric_answer",
            "numeric_tolerance",
            "numeric_unit",
        ]
        widgets = {
            name: forms.Textarea(
                attrs={"rows": 12, "cols": 60, "class": "bilingual", "data-preview": name}
            )
            for name in ("statement_ja", "statement_en", "explanation_ja", "explanation_en")
        }

    def _check_variants(self, cleaned: dict) -> None:
        """A parameterised problem's edited texts must still render for every variant."""
        if cleaned.get("numeric_answer") is not None:
            self.add_error(
                "numeric_answer",
                "This problem is parameterised: its answer is computed for each learner's "
                "variant. Leave the answer empty.",
            )
        errors = validate_variant_spec(
            self.instance.variant_spec,
            kind=cleaned.get("kind", ""),
            texts={name: cleaned.get(name) or "" for name in TEXT_FIELDS},
            choices=choice_templates(self.instance.choices.all()),
            fixed_texts={
                f"hints[{n}].{side}": hint.get(side, "")
                for n, hint in enumerate(cleaned.get("hints") or [])
                for side in ("ja", "en")
            },
        )
        for error in errors:
            self.add_error(None, error)

    def clean_tags(self):
        tags = self.cleaned_data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise forms.ValidationError('Tags are a list of words, e.g. ["lstm", "gates"].')
        return tags

    def clean(self):
        cleaned = super().clean()
        parameterised = self.instance.pk is not None and self.instance.is_parameterised
        if parameterised:
            self._check_variants(cleaned)
        elif cleaned.get("kind") == ProblemKind.NUMERIC and cleaned.get("numeric_answer") is None:
            self.add_error("numeric_answer", "A numeric problem needs its answer.")
        if cleaned.get("is_published") and cleaned.get("kind") == ProblemKind.CODE:
            # An edit of a published problem stays published: learners keep seeing and being
            # graded against its validated version until the edit validates (published.py).
            proven = self.instance.pk and self.instance.versions.filter(validated_at__isnull=False)
            if not (proven and proven.exists()):
                self.add_error(
                    "is_published",
                    "A code problem is published only after a version of it validated: save it "
                    "unpublished, press “Validate”, then publish.",
                )
        return cleaned
