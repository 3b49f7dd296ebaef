"""Celery tasks: thin wrappers that take ids and call the pipeline. Their names are
`problems.background`'s, which sends them by name."""

from celery import shared_task

from .background import GRADE_SUBMISSION, SWEEP_SUBMISSIONS, VALIDATE_VERSION
from .pipeline import submission_grade, submissions_sweep
from .validation import validate_version_by_id


@shared_task(name=GRADE_SUBMISSION, acks_late=True, reject_on_worker_lost=True)
def grade_submission_task(submission_id: int) -> None:
    submission_grade(submission_id=submission_id)


@shared_task(name=SWEEP_SUBMISSIONS)
def sweep_submissions() -> int:
    return len(submissions_sweep())


# A validation grades the reference and every mutant (a training exercise: a dozen model
# trainings), so it may run longer than one grading; still under the broker's visibility timeout.
@shared_task(
    name=VALIDATE_VERSION,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=480,
    time_limit=540,
)
def validate_version_task(version_id: int) -> None:
    validate_version_by_id(version_id)
