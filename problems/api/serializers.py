"""What the API shows. Learners never see answers, references, mutants or hidden tests."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import progress
from ..feedback import diagnosis_in_language, language_code, message_in_language, tests_in_language
from ..models import CHOICE_KINDS, Problem, Submission, SubmissionStatus
from ..published import problem_as_learners_see
from ..variants import choice_labels, choice_order, choice_references_render, choices_in_order


class ProblemListSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    title = serializers.SerializerMethodField()

    class Meta:
        model = Problem
        fields = ["slug", "kind", "section", "title", "points", "tags"]

    def to_representation(self, problem: Problem) -> dict:
        # what learners see: the graded version's content while an edit awaits validation
        return super().to_representation(problem_as_learners_see(problem))

    def get_title(self, problem: Problem) -> str:
        return problem.localized("title")


class ProblemDetailSerializer(ProblemListSerializer):
    """Needs `occurrence` (problems.variants.Occurrence) in its context: the choices come in
    that occurrence's order, the one the learner's page shows."""

    statement = serializers.SerializerMethodField()
    occurrence = serializers.SerializerMethodField()
    choices = serializers.SerializerMethodField()
    unit = serializers.CharField(source="numeric_unit")
    code = serializers.SerializerMethodField()

    class Meta(ProblemListSerializer.Meta):
        fields = [
            *ProblemListSerializer.Meta.fields,
            "statement",
            "occurrence",
            "choices",
            "unit",
            "diagram",
            "code",
        ]

    def get_statement(self, problem: Problem) -> str:
        return problem.localized("statement")

    def get_occurrence(self, problem: Problem) -> str:
        """Send it back with the answer: an answer for an occurrence gone by is refused (409)."""
        return self.context["occurrence"].key

    def get_choices(self, problem: Problem) -> list[dict]:
        order = choice_order(problem=problem, occurrence=self.context["occurrence"])
        return [
            {"key": choice.key, "label": choice.label, "text": choice.localized("text")}
            for choice in choices_in_order(problem=problem, order=order)
        ]

    def get_code(self, problem: Problem) -> dict | None:
        if not problem.is_code or not hasattr(problem, "code_spec"):
            return None
        spec = problem.code_spec
        visible = [test for test in spec.tests if not test.get("hidden", False)]
        return {
            "framework": spec.framework,
            "entry_points": spec.entry_points,
            "starter_code": spec.starter_code,
            "visible_tests": [test.get("name", f"test {i + 1}") for i, test in enumerate(visible)],
            "hidden_test_count": len(spec.tests) - len(visible),
        }


def answer_choices_revealed(
    problem: Problem, response, order: list[str] | None
) -> list[dict] | None:
    """Every choice with whether it is correct and whether the learner picked it, once the answer
    is revealed, in the order the learner saw (`order`); the feedback (in the request's
    language) for the picked and the correct ones. None for problems without choices."""
    if problem.kind not in CHOICE_KINDS:
        return None
    picked = {str(key) for key in (response if isinstance(response, list) else [response])}
    revealed = []
    choices = choices_in_order(problem=problem, order=order)
    labels = choice_labels(choices)
    for choice in choices:
        shown = choice.key in picked or choice.is_correct
        feedback = choice_references_render(choice.localized("feedback"), labels=labels)
        revealed.append(
            {
                "key": choice.key,
                "label": choice.label,
                "text": choice.localized("text"),
                "correct": choice.is_correct,
                "picked": choice.key in picked,
                "feedback": (feedback or None) if shown else None,
            }
        )
    return revealed


class AnswerRequestSerializer(serializers.Serializer):
    answer = serializers.JSONField(
        required=False,
        help_text='A choice key ("2"), a list of keys (["1","3"]), a number (0.25) or a text ("3x3").',
    )
    attempt = serializers.IntegerField(required=False, min_value=1)
    occurrence = serializers.CharField(
        required=False,
        max_length=40,
        help_text='The "occurrence" of the problem as fetched (GET, with ?attempt= in a quiz); '
        "left out, the current one.",
    )
    confidence = serializers.ChoiceField(
        ["high", "low"], required=False, help_text="How sure the learner is (自信あり / 自信なし)."
    )
    dont_know = serializers.BooleanField(
        required=False,
        default=False,
        help_text='"わからない", in place of an answer: counts as wrong.',
    )
    duration_ms = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=24 * 3600 * 1000,
        help_text="Milliseconds from showing the problem to answering, as the client measured.",
    )

    def validate(self, data):
        if data.get("dont_know") and "answer" in data:
            raise serializers.ValidationError(
                {"dont_know": _('Send either an answer or "dont_know": true, not both.')}
            )
        if not data.get("dont_know") and "answer" not in data:
            raise serializers.ValidationError(
                {"answer": _('This field is required (or send "dont_know": true).')}
            )
        return data


class SubmissionRequestSerializer(serializers.Serializer):
    # Checked by the service, which says what to fix (size, NUL bytes, encoding).
    code = serializers.JSONField()
    visible_only = serializers.BooleanField(required=False, default=False)


def _in_language(text, language: str | None = None):
    """An author's per-test hint, a string or {"ja", "en"}, in `language` (the request's by
    default; the event stream passes its own, as its generator outlives the request)."""
    if isinstance(text, dict):
        language = (language or get_language() or "ja")[:2]
        return text.get(language) or text.get("ja") or text.get("en")
    return text


PROGRESS_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "A long grading's progress while it runs (a training exercise's loop): "
    "phase `train` (step of total, its loss; part of parts when the grader retries with "
    "another learning rate) or `hidden` (the hidden tests, no numbers but the estimate).",
    "properties": {
        "phase": {"type": "string", "enum": ["train", "hidden"]},
        "step": {"type": "integer"},
        "total": {"type": "integer"},
        "loss": {"type": "number", "nullable": True},
        "part": {"type": "integer"},
        "parts": {"type": "integer"},
        "losses": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
        "eta_seconds": {"type": "number", "nullable": True},
        "elapsed_seconds": {"type": "number"},
        "seq": {"type": "integer"},
    },
}


class SubmissionSerializer(serializers.ModelSerializer):
    problem = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.IntegerField(source="problem_version.number", read_only=True)
    verdict = serializers.SerializerMethodField()
    tests = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    message_data = serializers.JSONField(read_only=True)
    diagnosis = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "problem",
            "version",
            "status",
            "verdict",
            "score",
            "max_score",
            "tests",
            "stdout",
            "stderr",
            "message",
            "message_data",
            "diagnosis",
            "progress",
            "visible_only",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_verdict(self, submission: Submission) -> str | None:
        return submission.verdict or None

    def _language(self) -> str:
        # The event stream passes the request's language: its generator outlives the request.
        return language_code(self.context.get("language"))

    def get_message(self, submission: Submission) -> str:
        """In the request's language (ja or en); the English one for results stored before
        messages had codes."""
        return message_in_language(
            message=submission.message, data=submission.message_data, language=self._language()
        )

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"mutant": {"type": "string"}, "message": {"type": "string"}},
        }
    )
    def get_diagnosis(self, submission: Submission) -> dict | None:
        """The misconception a wrong answer behaves like, explained in the request's language."""
        return diagnosis_in_language(diagnosis=submission.diagnosis, language=self._language())

    @extend_schema_field(PROGRESS_SCHEMA)
    def get_progress(self, submission: Submission) -> dict | None:
        """While it is graded, what the grader reports (problems/progress.py); else null."""
        if submission.status != SubmissionStatus.RUNNING:
            return None
        return progress.current(submission.pk, submission.attempts)

    def get_tests(self, submission: Submission) -> list[dict]:
        # Hidden tests keep their verdict but never their inputs or details.
        shown = []
        language = self._language()
        for test in tests_in_language(tests=submission.tests, language=language):
            if test.get("hidden"):
                shown.append(
                    {
                        key: test.get(key)
                        for key in ("name", "passed", "points", "max_points", "hidden")
                    }
                )
            else:
                shown.append({**test, "hint": _in_language(test.get("hint"), language)})
        return shown


def explanation_for(problem: Problem, order: list[str] | None) -> str:
    """The explanation in the request's language, its choice references numbered in `order`."""
    labels = choice_labels(choices_in_order(problem=problem, order=order))
    return choice_references_render(problem.localized("explanation"), labels=labels)
