"""Where background work runs: a Celery worker, a thread of this process, right now, or nowhere.

Tasks are sent to Celery by name, so the modules that start work (`pipeline`, the authoring
services) never import `problems.tasks`, which imports them: the names below are the contract.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from celery import current_app
from django.conf import settings
from django.db import close_old_connections

from engine.grading import deliberate_shutdown

logger = logging.getLogger(__name__)

# The names `problems.tasks` registers its tasks under (and the beat schedule calls).
GRADE_SUBMISSION = "problems.tasks.grade_submission"
VALIDATE_VERSION = "problems.tasks.validate_version"
SWEEP_SUBMISSIONS = "problems.tasks.sweep_submissions"

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _inprocess_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="grader")
        return _executor


def _in_thread(function: Callable[[int], None], object_id: int) -> None:
    close_old_connections()
    try:
        function(object_id)
    except BaseException as error:  # the row keeps its state; the sweeper (or author) retries it
        if deliberate_shutdown(error):
            raise
        logger.exception("background %s(%s) failed", function.__name__, object_id)
    finally:
        close_old_connections()


def run_in_background(
    *, task_name: str, function: Callable[[int], None], object_id: int, queue: str
) -> None:
    """Run `function(object_id)` where GRADING_BACKEND says: the Celery task `task_name` on
    `queue` (the task calls the same function in the worker), a thread of this process, right
    now (`sync`, tests), or not at all (`none`, tests driving it)."""
    backend = settings.GRADING_BACKEND
    if backend == "celery":
        current_app.send_task(task_name, args=[object_id], queue=queue)
    elif backend == "inprocess":
        _inprocess_executor().submit(_in_thread, function, object_id)
    elif backend == "sync":
        function(object_id)
    elif backend != "none":
        raise ValueError(
            f"GRADING_BACKEND must be celery, inprocess, sync or none, not {backend!r}."
        )
