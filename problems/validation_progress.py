"""A validation's progress as it goes, for the admin's live progress bar.

Written by the process that validates (a worker, or a thread of the web process) into the
shared cache under one key per version, and read by the admin's progress endpoint. Only that
trusted process counts steps: nothing here comes from the code under test. An entry lives
`VALIDATION_PROGRESS_TTL_SECONDS` after its last write, so a worker that died mid-run leaves
no progress behind for ever; the version's report in the database is what lasts.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

TRAINING_WRITE_EVERY = 0.5  # seconds between two writes of a grading's own progress

StepKind = Literal["reference", "mutant", "alternative"]
State = Literal["queued", "running", "passed", "failed"]


@dataclass(frozen=True)
class ValidationStep:
    """One grading of a validation: the reference, mutant `index` of `count`, or an alternative."""

    kind: StepKind
    name: str
    index: int  # 1-based among the steps of its kind
    count: int  # how many steps of its kind


def validation_progress_key(version_id: int) -> str:
    return f"validation-progress:{version_id}"


def validation_progress_read(version_id: int) -> dict | None:
    """The recorded progress of the version's validation, or None (never, or expired)."""
    try:
        return cache.get(validation_progress_key(version_id))
    except Exception:  # the cache is down: the page falls back on the database's state
        logger.exception("could not read validation progress of %s", version_id)
        return None


def _write(version_id: int, entry: dict) -> bool:
    """Whether the entry was recorded."""
    entry["updated_at"] = timezone.now().isoformat()
    try:
        cache.set(
            validation_progress_key(version_id),
            entry,
            timeout=settings.VALIDATION_PROGRESS_TTL_SECONDS,
        )
    except Exception:  # a progress bar is not worth failing a validation for
        logger.exception("could not record validation progress of %s", version_id)
        return False
    return True


def validation_progress_queue(*, version_id: int, queued_at: datetime) -> None:
    """The validation was asked for; a worker has not started it yet (this replaces the
    previous run's progress, so its outcome is not shown as this run's)."""
    _write(
        version_id,
        {
            "state": "queued",
            "done": 0,
            "total": 0,
            "step": None,
            "results": [],
            "queued_at": queued_at.isoformat(),
            "started_at": None,
            "step_finished_at": None,
            "finished_at": None,
        },
    )


class ValidationProgressRecorder:
    """Records one validation of one version: `start`, then per grading `step_started` and
    `step_finished`, then `finish`. `on_write` is called with a copy of each entry written
    (a command's progress line, a test following the steps)."""

    def __init__(self, *, version_id: int, on_write: Callable[[dict], None] | None = None) -> None:
        self.version_id = version_id
        self.on_write = on_write
        self.entry: dict = {}
        self.training_written = 0.0
        self.step_began = 0.0
        # After a failed write, a grading's own steps are no longer written: they are written
        # from inside the sandbox's watchdog loop, which must not wait on the cache again and again
        self.cache_failed = False

    def _record(self) -> None:
        if not _write(self.version_id, self.entry):
            self.cache_failed = True
        if self.on_write is not None:
            self.on_write(copy.deepcopy(self.entry))

    def start(self, *, total: int) -> None:
        now = timezone.now().isoformat()
        previous = validation_progress_read(self.version_id) or {}
        queued_at = previous.get("queued_at") if previous.get("state") == "queued" else None
        self.entry = {
            "state": "running",
            "done": 0,
            "total": total,
            "step": None,
            "results": [],
            "queued_at": queued_at or now,
            "started_at": now,
            "step_finished_at": None,  # the rate so far: started_at to here, over done
            "finished_at": None,
        }
        self._record()

    def step_started(self, step: ValidationStep) -> None:
        self.step_began = time.monotonic()
        self.entry["step"] = {**asdict(step), "number": self.entry["done"] + 1}
        self._record()

    def training(self, event: dict) -> None:
        """The running grading's own progress (the sandbox's events: a training exercise's
        step k of N, then its hidden tests), at most every TRAINING_WRITE_EVERY seconds."""
        step = self.entry.get("step")
        if step is None or self.cache_failed:
            return
        if event.get("phase") == "train":
            step["training"] = {"step": event["step"], "total": event["total"]}
        elif event.get("phase") == "hidden":
            step["training"] = {"hidden": True}
        else:
            return
        now = time.monotonic()
        if now - self.step_began < TRAINING_WRITE_EVERY:
            return  # a quick grading (most are): its steps say enough
        if now - self.training_written < TRAINING_WRITE_EVERY and event.get("phase") == "train":
            return
        self.training_written = now
        self._record()

    def step_finished(self, step: ValidationStep, *, ok: bool, verdict: str) -> None:
        self.entry["done"] += 1
        self.entry["step_finished_at"] = timezone.now().isoformat()
        self.entry["results"].append(
            {"kind": step.kind, "name": step.name, "ok": ok, "verdict": verdict}
        )
        self._record()

    def finish(self, *, ok: bool) -> None:
        self.entry.update(
            state="passed" if ok else "failed",
            step=None,
            finished_at=timezone.now().isoformat(),
        )
        self._record()
