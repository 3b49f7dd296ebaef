"""The grader's feedback on a submission in the page's language (problems/feedback.py)."""

from django import template

from problems.feedback import diagnosis_in_language, message_in_language, tests_in_language

register = template.Library()


@register.filter
def feedback_message(submission) -> str:
    return message_in_language(message=submission.message, data=submission.message_data)


@register.filter
def feedback_tests(submission) -> list[dict]:
    return tests_in_language(tests=submission.tests)


@register.filter
def feedback_diagnosis(submission) -> dict | None:
    return diagnosis_in_language(diagnosis=submission.diagnosis)
